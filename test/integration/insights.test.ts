import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminStore } from '../../functions/adapters/dynamo-admin-store';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo-safeguards';
import { erasePerson } from '../../functions/app/admin';
import { deliverDueStep } from '../../functions/app/deliver';
import type { Deps } from '../../functions/app/deps';
import { dispatchDue } from '../../functions/app/dispatch-due';
import { handleSesEvent } from '../../functions/app/handle-ses-event';
import { readFigures } from '../../functions/app/insights';
import { injectSesEvent } from '../../functions/local/inject-ses-event';
import { sesEventBridgeEvent } from '../../functions/local/ses-feed';
import { emailsTo, header, linkIn, postJson, startTestStack, type TestStack } from '../support/stack';
import { runTool } from '../support/tools';

const EXPERT = 'expert@example.com';

/** Runs one of the operator's tools beside the test stack, as `npm run <tool>` would. */
function tool(stack: TestStack, file: string, ...args: string[]) {
  return runTool(`functions/local/${file}.ts`, args, {
    DYNAMO_PORT: new URL(stack.urls.dynamo).port,
    PORT: new URL(stack.urls.app).port,
    TABLE_NAME: stack.config.TABLE_NAME,
  });
}

/** What the scenario did, written down as it happened: the expected figures come from this, not from the product. */
interface Ledger {
  signups: { email: string; day: string; source: string }[];
  confirmations: string[];
  unsubscribes: { key: string; day: string }[];
  bounced: string[];
  complained: string[];
  questions: { key: string; receivedAt: number; answeredAt?: number }[];
}

describe('operator figures: a seeded cohort through the local stack with time travel', () => {
  let stack: TestStack;
  let smtp: Transporter;
  let subjects: Map<string, string>;
  const seen: Ledger = {
    signups: [],
    confirmations: [],
    unsubscribes: [],
    bounced: [],
    complained: [],
    questions: [],
  };
  const people = Array.from({ length: 8 }, (_, i) => `p${i + 1}@example.com`);

  beforeAll(async () => {
    // One expert, so every question is forwarded to (and answered from) the same inbox.
    stack = await startTestStack({ config: { EXPERT_ADDRESS: EXPERT, EXPERT_ADDRESSES: EXPERT } });
    const port = Number(new URL(stack.urls.smtp).port);
    smtp = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    subjects = new Map(
      stack.deps.steps.map((step) => [stack.deps.templates.emails[step.key]!.subject.join(''), step.key]),
    );
  });
  afterAll(async () => {
    smtp.close();
    await stack.stop();
  });

  const today = () => stack.clock.now().toISOString().slice(0, 10);

  /** The course emails in a person's inbox at the SES stand-in, by key, oldest first. */
  async function courseKeys(address: string): Promise<string[]> {
    return (await emailsTo(stack, address)).flatMap((e) =>
      subjects.has(e.subject) ? [subjects.get(e.subject)!] : [],
    );
  }

  async function signUp(email: string, source?: string) {
    const response = await postJson(stack, '/api/subscribe', {
      email,
      firstName: 'Kim',
      timeZone: 'Asia/Kathmandu',
      source,
    });
    expect(response.status).toBe(202);
    seen.signups.push({ email, day: today(), source: source ?? 'none' });
  }

  async function confirm(email: string) {
    const [confirmation] = await emailsTo(stack, email);
    expect((await fetch(linkIn(confirmation?.body.text, `${stack.urls.app}/confirm?token=`))).status).toBe(
      200,
    );
    seen.confirmations.push(today());
  }

  async function travel(hours: number) {
    const response = await postJson(stack, '/_dev/clock', { advanceHours: hours });
    expect(response.status).toBe(200);
    await stack.sesEvents.settle();
  }

  async function unsubscribe(email: string) {
    const latest = (await emailsTo(stack, email)).filter((e) => subjects.has(e.subject)).at(-1)!;
    const url = header(latest, 'List-Unsubscribe')!.slice(1, -1);
    const post = () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200); // a second click changes nothing
    seen.unsubscribes.push({ key: subjects.get(latest.subject)!, day: today() });
  }

  async function ask(email: string, text: string) {
    const latest = (await emailsTo(stack, email)).filter((e) => subjects.has(e.subject)).at(-1)!;
    await smtp.sendMail({ from: email, to: latest.replyTo[0], subject: `Re: ${latest.subject}`, text });
    seen.questions.push({ key: subjects.get(latest.subject)!, receivedAt: stack.clock.now().getTime() });
  }

  /** The expert answers the question forwarded last (questions are asked and answered one at a time). */
  async function answer(question: Ledger['questions'][number]) {
    const forwarded = (await emailsTo(stack, EXPERT))
      .filter((e) => e.subject.startsWith('Question from'))
      .at(-1)!;
    await smtp.sendMail({
      from: EXPERT,
      to: forwarded.replyTo[0],
      subject: `Re: ${forwarded.subject}`,
      text: 'Keep going.',
    });
    question.answeredAt = stack.clock.now().getTime();
  }

  /** Two dispatchers at once, a day later, racing for the same due steps. */
  async function twoDispatchers() {
    stack.clock.moveTo(new Date(stack.clock.now().getTime() + 24 * 3600_000));
    await Promise.all([dispatchDue(stack.deps), dispatchDue(stack.deps)]);
    await stack.sesEvents.settle();
  }

  /** A dispatcher that sends a person's due step and dies before recording it; SES's DELIVERY event then records it. */
  async function crashBetweenSendAndRecord(email: string) {
    const subscriber = (await stack.deps.store.findByEmail(email))!;
    stack.clock.moveTo(new Date(subscriber.nextSendAt!));
    const crashing: Deps = {
      ...stack.deps,
      store: Object.assign(Object.create(stack.deps.store), {
        recordSend: async () => {
          throw new Error('process killed');
        },
      }),
    };
    await expect(deliverDueStep(crashing, subscriber.id, stack.clock.now())).rejects.toThrow(
      'process killed',
    );
    await stack.sesEvents.settle();
  }

  async function runScenario() {
    for (const [i, email] of people.slice(0, 5).entries())
      await signUp(email, i < 3 ? 'newsletter' : 'podcast');
    for (const email of people.slice(0, 5)) await confirm(email);
    await stack.sesEvents.settle();
    await ask(people[0]!, 'How do I stop refreshing my inbox?');
    await travel(2);
    await answer(seen.questions[0]!);
    await travel(22);
    await signUp(people[5]!);
    await signUp(people[6]!, 'newsletter');
    await signUp(people[7]!); // p7 and p8 never confirm
    await confirm(people[5]!);
    await travel(24);
    await unsubscribe(people[1]!);
    await twoDispatchers();
    const bounce = await tool(stack, 'ses-event', '--type', 'bounce', '--to', people[2]!);
    expect(bounce.status).toBe(0);
    const bouncedKey = (JSON.parse(bounce.stdout) as { email: string; outcome: string }).email;
    expect(bouncedKey).toBe((await courseKeys(people[2]!)).at(-1));
    seen.bounced.push(bouncedKey);
    await ask(people[5]!, 'Is a rejection after the final round about me?');
    await crashBetweenSendAndRecord(people[4]!);
    await travel(30);
    await answer(seen.questions[1]!);
    const complaint = await injectSesEvent(stack.deps, 'complaint', people[3]!, stack.clock.now());
    expect(complaint.outcome).toBe('suppressed');
    seen.complained.push(complaint.key);
    await ask(people[0]!, 'What if they ghost me after a promise?');
    await travel(24);
    await unsubscribe(people[4]!);
    await travel(24 * 31);
  }

  /** The figures the scenario should produce, from the ledger above and the inboxes at the SES stand-in. */
  async function expectedFigures() {
    const inboxes = await Promise.all(people.map(courseKeys));
    for (const inbox of inboxes) expect(new Set(inbox).size).toBe(inbox.length); // nobody got an email twice
    const count = <T>(list: T[], match: (item: T) => boolean) => list.filter(match).length;
    const keys = stack.deps.steps.map((s) => s.key);
    const emails = keys.map((key) => {
      const sent = count(inboxes, (inbox) => inbox.includes(key));
      return {
        key,
        sent,
        delivered: sent,
        bounced: count(seen.bounced, (k) => k === key),
        complained: count(seen.complained, (k) => k === key),
        unsubscribed: count(seen.unsubscribes, (u) => u.key === key),
        questions: count(seen.questions, (q) => q.key === key),
      };
    });
    const minutes = seen.questions.flatMap((q) =>
      q.answeredAt ? [(q.answeredAt - q.receivedAt) / 60_000] : [],
    );
    return { emails, inboxes, minutes };
  }

  it('equals what happened, whatever was retried, redelivered, raced or erased', {
    timeout: 300_000,
  }, async () => {
    await runScenario();
    const expected = await expectedFigures();
    const figures = await readFigures(stack.deps);

    expect(figures.emails.map(({ rates: _rates, ...counts }) => counts)).toEqual(expected.emails);
    const received = (key: string) => expected.inboxes.filter((inbox) => inbox.includes(key)).length;
    expect(figures.funnel).toMatchObject({
      signedUp: 8,
      confirmed: 6,
      receivedLesson1: received('lesson-1'),
      receivedLesson7: received('lesson-7'),
      completed: received('followup-30'),
      unsubscribed: 2,
      bounced: 1,
      complained: 1,
    });
    expect(figures.funnel.completed).toBe(2); // p1 and p6 stayed to the end
    expect(figures.questions).toMatchObject({
      asked: 3,
      answered: 2,
      answeredWithin24h: 1,
      open: 1,
      overdue: 1,
    });
    const [fast, slow] = expected.minutes;
    expect(fast).toBeCloseTo(120, 0);
    expect(slow).toBeGreaterThan(24 * 60); // the crash moved the clock on too: 30 hours and more
    expect(figures.questions.medianMinutesToAnswer).toBeCloseTo((fast! + slow!) / 2, 0);
    expect(figures.questions.p90MinutesToAnswer).toBeCloseTo(slow!, 0);

    const perDay = (days: string[]) =>
      Object.fromEntries([...new Set(days)].map((day) => [day, days.filter((d) => d === day).length]));
    const series = (field: 'signups' | 'confirmations' | 'unsubscribes') =>
      Object.fromEntries(figures.daily.filter((d) => d[field] > 0).map((d) => [d.day, d[field]]));
    expect(series('signups')).toEqual(perDay(seen.signups.map((s) => s.day)));
    expect(series('confirmations')).toEqual(perDay(seen.confirmations));
    expect(series('unsubscribes')).toEqual(perDay(seen.unsubscribes.map((u) => u.day)));
    expect(new Set(seen.unsubscribes.map((u) => u.day)).size).toBe(2);
    const sends = figures.daily.reduce((sum, d) => sum + d.sends, 0);
    expect(sends).toBe(expected.inboxes.reduce((sum, inbox) => sum + inbox.length, 0));
    expect(figures.sources).toEqual([
      { source: 'newsletter', signups: 4 },
      { source: 'none', signups: 2 },
      { source: 'podcast', signups: 2 },
    ]);
    expect(figures.cohorts.reduce((sum, c) => sum + c.signedUp, 0)).toBe(8);
    expect(figures.cohorts.reduce((sum, c) => sum + c.completed, 0)).toBe(2);

    await replayEverything();
    expect(await readFigures(stack.deps)).toEqual(figures);

    const { stdout, status } = await tool(stack, 'stats', '--json');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual(figures);

    await erasePerson(
      {
        records: new DynamoAdminStore({ tableName: stack.config.TABLE_NAME, client: stack.clients.dynamo }),
        suppressions: new DynamoSuppressionList(stack.clients.dynamo, stack.config.TABLE_NAME),
        clock: stack.clock,
        log: stack.log,
      },
      people[0]!,
    );
    // The aggregates stay; the erased person's open question is no longer anyone's to answer.
    expect(await readFigures(stack.deps)).toEqual({
      ...figures,
      questions: { ...figures.questions, open: 0, overdue: 0 },
    });
    expect(stack.log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  it('refuses bad arguments to the operator tools with a message naming them, and changes nothing', async () => {
    const type = await tool(stack, 'ses-event', '--type', 'bounced', '--to', 'p1@example.com');
    expect(type).toMatchObject({ status: 2, stdout: '' });
    expect(type.stderr).toContain('ses-event: unknown --type "bounced"');
    const unknown = await tool(stack, 'ses-event', '--type', 'complaint', '--to', 'nobody@example.com');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('ses-event: no subscriber has that address');
    const range = await tool(stack, 'stats', '--since', '2026-02-30');
    expect(range.status).toBe(2);
    expect(range.stderr).toContain('stats: --since: "2026-02-30" is not a day like 2026-11-30.');
    expect(range.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });

  /** Every delivery SES could redeliver, twice; a complaint reported again; a dispatcher run with nothing due. */
  async function replayEverything() {
    for (const email of people) {
      const subscriber = await stack.deps.store.findByEmail(email);
      if (!subscriber) continue;
      for (const send of await stack.deps.store.listSends(subscriber.id)) {
        const event = sesEventBridgeEvent(
          'Delivery',
          {
            messageId: send.messageId,
            sentAt: send.sentAt,
            to: email,
            tags: { subscriber: subscriber.id, email: send.key },
          },
          { delivery: { timestamp: send.sentAt } },
        );
        await handleSesEvent(stack.deps, event);
        await handleSesEvent(stack.deps, event);
      }
    }
    await injectSesEvent(stack.deps, 'complaint', people[3]!, stack.clock.now());
    await Promise.all([dispatchDue(stack.deps), dispatchDue(stack.deps)]);
    await stack.sesEvents.settle();
  }
});
