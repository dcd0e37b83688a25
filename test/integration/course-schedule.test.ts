import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueAt } from '../../functions/domain/schedule';
import { emailsTo, header, linkIn, postJson, startTestStack, type TestStack } from '../support/stack';

/** People in several zones: a half-hour one, a 45-minute one, and two that cross a DST change mid-course. */
const people = [
  { email: 'nyc@example.com', firstName: 'Nia', timeZone: 'America/New_York', sendHour: 8 }, // DST starts 14 March 2027
  { email: 'delhi@example.com', firstName: 'Dev', timeZone: 'Asia/Kolkata', sendHour: 7 }, // UTC+5:30
  { email: 'ktm@example.com', firstName: 'Kal', timeZone: 'Asia/Kathmandu', sendHour: 9 }, // UTC+5:45
  { email: 'akl@example.com', firstName: 'Aro', timeZone: 'Pacific/Auckland', sendHour: 6 }, // DST ends 4 April 2027
  { email: 'quits@example.com', firstName: 'Quinn', timeZone: 'Europe/Berlin', sendHour: 8 },
];

describe('the whole course, 30 days of time travel, through the real stand-ins', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    stack.clock.moveTo(new Date('2027-03-09T15:00:00Z'));
    for (const person of people) {
      expect((await postJson(stack, '/api/subscribe', person)).status).toBe(202);
      const [confirmation] = await emailsTo(stack, person.email);
      expect((await fetch(linkIn(confirmation?.body.text, `${stack.urls.app}/confirm?token=`))).status).toBe(
        200,
      );
    }
    // Quinn unsubscribes on day 3, with the one-click POST from the welcome email's headers.
    for (let day = 1; day <= 31; day++) {
      if (day === 3) {
        const [, welcome] = await emailsTo(stack, 'quits@example.com');
        const url = header(welcome!, 'List-Unsubscribe')!.slice(1, -1);
        await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
      }
      const travel = await postJson(stack, '/_dev/clock', { advanceHours: 24 });
      expect(travel.status).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await stack.stop();
    expect(stack.log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  const manifest = () => stack.deps.templates.manifest;

  it.each(people.filter((p) => p.email !== 'quits@example.com'))(
    'sends $timeZone exactly the manifest emails, in order, with one-click unsubscribe headers',
    async (person) => {
      const emails = await emailsTo(stack, person.email);
      expect(emails.map((email) => email.subject)).toEqual(manifest().emails.map((email) => email.subject));
      for (const email of emails.slice(1)) {
        expect(header(email, 'List-Unsubscribe')).toMatch(
          /^<http:\/\/localhost:\d+\/unsubscribe\?token=[\w.-]+>$/,
        );
        expect(header(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
        expect(email.body.text).toContain(person.firstName);
      }
      const subscriber = await stack.deps.store.findByEmail(person.email);
      expect(subscriber?.status).toBe('completed');
      expect(subscriber?.nextSendAt).toBeUndefined();
    },
  );

  it.each(people.filter((p) => p.email !== 'quits@example.com'))(
    'sends $timeZone each email when the schedule says: lessons at the local hour, check-ins in daytime',
    async (person) => {
      const subscriber = (await stack.deps.store.findByEmail(person.email))!;
      const sends = await stack.deps.store.listSends(subscriber.id);
      const steps = stack.deps.steps;
      expect(sends.map((send) => send.key)).toEqual(steps.map((step) => step.key));
      let previous: string | undefined;
      for (const [index, send] of sends.entries()) {
        const step = steps[index]!;
        const due = dueAt(steps, index, { ...subscriber, confirmedAt: subscriber.confirmedAt! }, previous);
        // Real milliseconds pass while a send is in flight (the welcome goes out inside the confirm request).
        expect(Math.abs(Date.parse(send.sentAt) - Date.parse(due))).toBeLessThan(1000);
        const local = DateTime.fromISO(send.sentAt, { zone: person.timeZone });
        const held =
          previous !== undefined &&
          Math.abs(Date.parse(send.sentAt) - Date.parse(previous) - 12 * 3600_000) < 1000;
        if (step.kind === 'lesson' && !held) {
          expect(local.hour).toBe(person.sendHour);
          expect(local.minute).toBe(0);
        }
        if (step.kind === 'checkin' || step.kind === 'followup') {
          expect(local.hour).toBeGreaterThanOrEqual(8);
          expect(local.hour * 60 + local.minute).toBeLessThanOrEqual(20 * 60);
        }
        previous = send.sentAt;
      }
    },
  );

  it('keeps New York at 08:00 local on both sides of the DST change', async () => {
    const subscriber = (await stack.deps.store.findByEmail('nyc@example.com'))!;
    const lessons = (await stack.deps.store.listSends(subscriber.id)).filter((send) =>
      send.key.startsWith('lesson-'),
    );
    const utcHours = new Set(lessons.map((send) => new Date(send.sentAt).getUTCHours()));
    expect(utcHours).toEqual(new Set([13, 12])); // 08:00 EST, then 08:00 EDT
  });

  it('sends nothing after an unsubscribe on day 3', async () => {
    const emails = await emailsTo(stack, 'quits@example.com');
    const keys = emails.map((email) => manifest().emails.find((m) => m.subject === email.subject)?.key);
    expect(keys).toEqual(['confirm', 'welcome', 'lesson-1', 'lesson-2']);
    expect((await stack.deps.store.findByEmail('quits@example.com'))?.status).toBe('unsubscribed');
  });

  it('leaves nobody in the due index once the course is over', async () => {
    for (let shard = 0; shard < stack.deps.settings.dueShards; shard++) {
      expect(await stack.deps.store.earliestDue(shard)).toBeUndefined();
    }
  });
});
