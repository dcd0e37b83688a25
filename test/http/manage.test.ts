/** The manage page's contract, in process (`app.request()` on in-memory ports). */
import type { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { confirm } from '../../functions/app/confirm';
import { deliverDueStep } from '../../functions/app/deliver';
import { changeSchedule } from '../../functions/app/manage';
import { escapeHtml } from '../../functions/domain/render';
import { MAX_RESTARTS } from '../../functions/domain/schedule-changes';
import { newSubscriber, type Subscriber } from '../../functions/domain/subscriber';
import { signToken } from '../../functions/domain/tokens';
import { wallTimeAt } from '../../functions/domain/zoned-time';
import { travel } from '../../functions/local/time-travel';
import { testApp } from '../support/app';
import { type MemoryDeps, memoryDeps, snapshot } from '../support/memory/deps';

let m: MemoryDeps;
let app: Hono;
let subscriber: Subscriber;
let token: string;

const HOUR = 3600_000;

/** Moves the clock on by `hours`, sending each email when it falls due. */
async function travelHours(hours: number) {
  await travel(m.deps, m.clock, hours);
}

beforeEach(async () => {
  m = memoryDeps();
  app = testApp(m.deps);
  const pending = newSubscriber(
    m.deps.newId(),
    { email: 'kiran@example.com', firstName: 'Kiran', timeZone: 'Asia/Kolkata', sendHour: 8 },
    m.clock.now(),
  );
  await m.store.create(pending);
  await confirm(m.deps, signToken(m.deps.keys, 'confirm', pending.id, m.clock.now().getTime()));
  token = signToken(m.deps.keys, 'manage', pending.id, m.clock.now().getTime());
  subscriber = (await m.store.get(pending.id)) as Subscriber;
});

const lessonTitle = (day: number) =>
  m.deps.steps.find((step) => step.kind === 'lesson' && step.day === day)?.title ?? '';

const current = async () => (await m.store.get(subscriber.id)) as Subscriber;

function post(fields: Record<string, string>, headers: Record<string, string> = {}, withToken = token) {
  return app.request(`/manage?token=${withToken}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

const localHour = (zone: string, iso: string | undefined) => wallTimeAt(zone, Date.parse(iso ?? '')).hour;

describe('GET /manage shows where the subscriber is and changes nothing', () => {
  it('shows the day, the next email with its local time, the zone and hour, every form, and the unsubscribe link', async () => {
    const before = snapshot(m);
    const response = await app.request(`/manage?token=${token}`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('Day 0 of 30');
    expect(html).toContain(`Your next email</dt><dd>“${escapeHtml(lessonTitle(1))}”, `);
    expect(html).toMatch(/Your next email<\/dt><dd>[^<]+, \w+day \d+ \w+ at 08:00/);
    expect(html).toContain('Asia/Kolkata, 08:00');
    for (const action of ['update', 'pause', 'resume', 'restart'])
      expect(html).toContain(`name="action" value="${action}"`);
    expect(html).toMatch(/href="http:\/\/localhost:3000\/unsubscribe\?token=[^"]+">Unsubscribe<\/a>/);
    expect(html).toMatch(/<script src="\/assets\/manage\.[0-9a-f]{10}\.js" defer><\/script>/);
    expect(snapshot(m)).toEqual(before);
  });

  it('is linked from the footer of every course email and from the you-are-in page', async () => {
    const welcome = m.mailer.sent[0];
    expect(welcome?.html).toMatch(
      /href="http:\/\/localhost:3000\/manage\?token=[^"]+"[^>]*>Manage your course<\/a>/,
    );
    expect(welcome?.text).toMatch(/Manage your course:\nhttp:\/\/localhost:3000\/manage\?token=\S+/);
    expect(welcome?.html).toContain('Unsubscribe with one click');
    const link = welcome?.text.match(/http:\/\/localhost:3000(\/manage\?token=\S+)/)?.[1] ?? '';
    expect((await app.request(link)).status).toBe(200);
  });
});

describe('POST /manage changes the plan and answers with the updated page', () => {
  it('moves future emails to the new hour and zone, and records the change in the history', async () => {
    const response = await post({ action: 'update', sendHour: '18', timeZone: 'Australia/Adelaide' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/manage?token=${token}&done=update`);
    const changed = await current();
    expect(changed).toMatchObject({ sendHour: 18, timeZone: 'Australia/Adelaide', version: 1 });
    expect(localHour('Australia/Adelaide', changed.nextSendAt)).toBe(18);
    expect(await m.store.listChanges(subscriber.id)).toEqual([
      expect.objectContaining({
        action: 'update',
        details: expect.objectContaining({ sendHour: 18, timeZone: 'Australia/Adelaide' }),
      }),
    ]);
    const page = await (await app.request(response.headers.get('location') ?? '')).text();
    expect(page).toContain('Saved. Your next emails follow the new hour and time zone.');
    expect(page).toContain('Australia/Adelaide, 18:00');
  });

  it('pauses for the days asked, then resumes early with the email that was next', async () => {
    const next = subscriber.step;
    expect((await post({ action: 'pause', days: '5' })).status).toBe(303);
    const paused = await current();
    expect(Date.parse(paused.nextSendAt ?? '')).toBeGreaterThanOrEqual(Date.parse(paused.pausedUntil ?? ''));
    expect(Date.parse(paused.pausedUntil ?? '') - m.clock.now().getTime()).toBeCloseTo(5 * 24 * HOUR, -4);
    expect(await (await app.request(`/manage?token=${token}`)).text()).toMatch(/Paused until/);
    await travelHours(48);
    expect(m.mailer.sent).toHaveLength(1);
    expect((await post({ action: 'resume' })).status).toBe(303);
    const resumed = await current();
    expect(resumed).toMatchObject({ step: next, pausedUntil: undefined });
    await travelHours(24);
    expect(m.mailer.sent.map((email) => email.tags.email)).toEqual(['welcome', 'lesson-1']);
  });

  it('restarts from lesson 1 at most a few times, then says so clearly', async () => {
    await travelHours(60);
    for (let restart = 1; restart <= MAX_RESTARTS; restart++) {
      expect((await post({ action: 'restart' })).status).toBe(303);
      expect(await current()).toMatchObject({ step: 1, restarts: restart });
    }
    const before = snapshot(m);
    const refused = await post({ action: 'restart' });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain(`started again ${MAX_RESTARTS} times, the most we allow`);
    expect(snapshot(m)).toEqual(before);
  });
});

describe('bad input gets a 400 page naming the problem, and nothing changes', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['an unknown zone', { action: 'update', sendHour: '8', timeZone: 'Mars/Olympus_Mons' }, /time zone/],
    ['a missing zone', { action: 'update', sendHour: '8' }, /time zone/],
    ['an hour above 23', { action: 'update', sendHour: '24', timeZone: 'UTC' }, /0 to 23/],
    ['a negative hour', { action: 'update', sendHour: '-1', timeZone: 'UTC' }, /0 to 23/],
    ['an hour that is not a number', { action: 'update', sendHour: 'eight', timeZone: 'UTC' }, /0 to 23/],
    ['a missing hour', { action: 'update', timeZone: 'UTC' }, /0 to 23/],
    ['a pause of 0 days', { action: 'pause', days: '0' }, /1 to 14 days/],
    ['a pause of 15 days', { action: 'pause', days: '15' }, /1 to 14 days/],
    ['a pause that is not a number', { action: 'pause', days: 'week' }, /1 to 14 days/],
    ['a missing pause length', { action: 'pause' }, /1 to 14 days/],
    ['an unknown action', { action: 'delete' }, /update, pause, resume or restart/],
    ['no action', {}, /update, pause, resume or restart/],
  ];
  for (const [name, fields, message] of cases) {
    it(`refuses ${name}`, async () => {
      const before = snapshot(m);
      const response = await post(fields);
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(message);
      expect(snapshot(m)).toEqual(before);
    });
  }

  const tokens: [string, () => string][] = [
    ['a tampered token', () => `${token.slice(0, -2)}xx`],
    ['a token for another purpose', () => signToken(m.deps.keys, 'unsubscribe', subscriber.id, 0)],
    [
      'a token signed with another key',
      () => signToken({ current: 'another-key' }, 'manage', subscriber.id, 0),
    ],
    ['a token of nobody we know', () => signToken(m.deps.keys, 'manage', 'nobody', 0)],
    ['no token', () => ''],
  ];
  for (const [name, make] of tokens) {
    it(`refuses ${name}, on the page and on a post`, async () => {
      const before = snapshot(m);
      for (const response of [
        await app.request(`/manage?token=${make()}`),
        await app.request(`/manage/emails?token=${make()}`),
        await post({ action: 'pause', days: '3' }, {}, make()),
      ]) {
        expect(response.status).toBe(400);
        expect(await response.text()).toContain('This link is not valid');
      }
      expect(snapshot(m)).toEqual(before);
    });
  }

  it('refuses a post that is not a form', async () => {
    const before = snapshot(m);
    const response = await post({}, { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Send the form from the manage page.');
    expect(snapshot(m)).toEqual(before);
  });

  it('refuses with 403 a post sent from another site', async () => {
    const before = snapshot(m);
    const response = await post({ action: 'pause', days: '3' }, { 'sec-fetch-site': 'cross-site' });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('The form was sent from another site.');
    expect((await post({ action: 'pause', days: '3' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect(snapshot(m)).toEqual(before);
  });

  it('refuses with 409 a resume when the course is not paused', async () => {
    const before = snapshot(m);
    const response = await post({ action: 'resume' });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('not paused');
    expect(snapshot(m)).toEqual(before);
  });
});

describe('a stopped or completed subscriber', () => {
  it('sees an unsubscribed state and no form, and a post changes nothing', async () => {
    await m.store.stop(subscriber.id, 'unsubscribed', m.clock.now().toISOString());
    const html = await (await app.request(`/manage?token=${token}`)).text();
    expect(html).toContain('You unsubscribed on');
    expect(html).not.toContain('<form');
    const before = snapshot(m);
    const attempts: Record<string, string>[] = [
      { action: 'restart' },
      { action: 'update', sendHour: '9', timeZone: 'UTC' },
    ];
    for (const fields of attempts) {
      const response = await post(fields);
      expect(response.status).toBe(409);
      expect(await response.text()).toContain('stopped for good');
    }
    expect(snapshot(m)).toEqual(before);
  });

  it('after the last email may only restart, which puts lesson 1 back on the due index', async () => {
    await travelHours(24 * 40);
    expect(await current()).toMatchObject({ status: 'completed' });
    const html = await (await app.request(`/manage?token=${token}`)).text();
    expect(html).toContain('You finished the course on');
    expect(html.match(/name="action" value="(\w+)"/g)).toEqual(['name="action" value="restart"']);
    expect((await post({ action: 'pause', days: '2' })).status).toBe(409);
    expect((await post({ action: 'restart' })).status).toBe(303);
    expect(await current()).toMatchObject({ status: 'active', step: 1, restarts: 1, endedAt: undefined });
    await travelHours(36);
    expect(m.mailer.sent.at(-1)?.tags.email).toBe('lesson-1');
  });
});

describe('the archive of received emails', () => {
  it('lists only the emails received, each readable online as sent, not indexed', async () => {
    await travelHours(30);
    const list = await (await app.request(`/manage/emails?token=${token}`)).text();
    expect(list).toContain(escapeHtml(lessonTitle(1)));
    expect(list).not.toContain(escapeHtml(lessonTitle(2)));
    const href = list.match(/href="(\/manage\/emails\/lesson-1\?token=[^"]+)"/)?.[1] ?? '';
    const response = await app.request(href.replaceAll('&amp;', '&'));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-robots-tag')).toBe('noindex');
    const html = await response.text();
    expect(html).toContain('<meta name="robots" content="noindex">');
    const sent = m.mailer.sent.find((email) => email.tags.email === 'lesson-1');
    const body = (s: string) =>
      s.replace(/token=[^"&<\s]+/g, 'token=…').replace(/<meta name="robots"[^>]*>/, '');
    expect(body(html)).toEqual(body(sent?.html ?? ''));
    expect(html).toContain('Kiran');
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  });

  it('does not show an email not yet received', async () => {
    const response = await app.request(`/manage/emails/lesson-2?token=${token}`);
    expect(response.status).toBe(404);
  });
});

describe('the dispatcher and a change', () => {
  it('holds an email it claimed when a pause committed after its lease ran out, before the send', async () => {
    await travelHours(0);
    const due = await current();
    m.clock.moveTo(new Date(due.nextSendAt ?? ''));
    const realGet = m.store.get.bind(m.store);
    let pausedMeanwhile = false;
    // The dispatcher stalls between its claim and its re-read for longer than the lease; a pause commits then.
    m.store.get = async (id) => {
      if (!pausedMeanwhile && m.store.rows.get(id)?.leaseUntil) {
        pausedMeanwhile = true;
        m.clock.moveTo(new Date(m.clock.now().getTime() + m.deps.settings.leaseMs + 1000));
        await changeSchedule(m.deps, token, { action: 'pause', days: 3 });
      }
      return realGet(id);
    };
    const sentBefore = m.mailer.sent.length;
    expect(await deliverDueStep(m.deps, subscriber.id, m.clock.now())).toBe('not-due');
    expect(pausedMeanwhile).toBe(true);
    expect(m.mailer.sent).toHaveLength(sentBefore);
    expect(m.store.rows.get(subscriber.id)?.leaseUntil).toBeUndefined();
    expect(await current()).toMatchObject({ step: due.step, version: 1 });
  });
});
