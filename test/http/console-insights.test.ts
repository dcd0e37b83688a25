/** The operators' insights and lookup pages, and the figures' JSON contract, in process on in-memory ports. */
import type { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { confirm } from '../../functions/app/confirm';
import { deliverDueStep } from '../../functions/app/deliver';
import { handleSesEvent } from '../../functions/app/handle-ses-event';
import { readFigures } from '../../functions/app/insights';
import { subscribe } from '../../functions/app/subscribe';
import { unsubscribe } from '../../functions/app/unsubscribe';
import { signToken } from '../../functions/domain/tokens';
import { sesEventBridgeEvent } from '../../functions/local/ses-feed';
import { testApp } from '../support/app';
import { EXPERT, OPERATOR, signedInHeaders } from '../support/console';
import { type MemoryDeps, memoryDeps } from '../support/memory/deps';

let m: MemoryDeps;
let app: Hono;
beforeEach(() => {
  m = memoryDeps();
  app = testApp(m.deps);
});

const PERSON = { email: 'Asha@Example.com', firstName: 'Asha', timeZone: 'Asia/Kathmandu', sendHour: 8 };

/** Asha signs up from a newsletter link, confirms (the welcome goes out, SES reports its delivery), and is sent lesson 1. */
async function ashaThroughLessonOne() {
  await subscribe(m.deps, { ...PERSON, source: 'newsletter' });
  const subscriber = (await m.store.findByEmail('asha@example.com'))!;
  await confirm(m.deps, signToken(m.deps.keys, 'confirm', subscriber.id, m.clock.now().getTime()));
  const next = (await m.store.get(subscriber.id))!.nextSendAt!;
  m.clock.moveTo(new Date(next));
  expect(await deliverDueStep(m.deps, subscriber.id, m.clock.now())).toBe('sent');
  for (const send of await m.store.listSends(subscriber.id)) {
    const mail = {
      messageId: send.messageId,
      sentAt: send.sentAt,
      to: PERSON.email,
      tags: { subscriber: subscriber.id, email: send.key },
    };
    await handleSesEvent(
      m.deps,
      sesEventBridgeEvent('Delivery', mail, { delivery: { timestamp: send.sentAt } }),
    );
  }
  return subscriber;
}

describe('figures: the JSON contract', () => {
  it('has exactly the keys the operator tools promise, with the counts of what happened', async () => {
    const subscriber = await ashaThroughLessonOne();
    await unsubscribe(m.deps, signToken(m.deps.keys, 'unsubscribe', subscriber.id, m.clock.now().getTime()));
    const figures = await readFigures(m.deps);
    expect(Object.keys(figures).sort()).toEqual([
      'cohorts',
      'daily',
      'emails',
      'funnel',
      'questions',
      'range',
      'sources',
    ]);
    expect(Object.keys(figures.emails[0]!).sort()).toEqual(
      ['bounced', 'complained', 'delivered', 'key', 'questions', 'rates', 'sent', 'unsubscribed'].sort(),
    );
    for (const key of [
      'signedUp',
      'confirmed',
      'receivedLesson1',
      'receivedLesson7',
      'completed',
      'unsubscribed',
    ])
      expect(figures.funnel).toHaveProperty(key);
    for (const key of ['asked', 'answered', 'answeredWithin24h', 'open', 'overdue', 'medianMinutesToAnswer'])
      expect(figures.questions).toHaveProperty(key);
    expect(figures.emails.map((e) => e.key)).toEqual(m.deps.steps.map((s) => s.key));
    expect(figures.emails.slice(0, 3)).toMatchObject([
      { key: 'welcome', sent: 1, delivered: 1, unsubscribed: 0 },
      { key: 'lesson-1', sent: 1, delivered: 1, unsubscribed: 1, rates: { unsubscribed: 1 } },
      { key: 'lesson-2', sent: 0, unsubscribed: 0, rates: { unsubscribed: 0 } },
    ]);
    expect(figures.funnel).toMatchObject({
      signedUp: 1,
      confirmed: 1,
      receivedLesson1: 1,
      receivedLesson7: 0,
      unsubscribed: 1,
    });
    expect(figures.sources).toEqual([{ source: 'newsletter', signups: 1 }]);
  });

  it('refuses a range that is not two days in order, naming the bad end', async () => {
    await expect(readFigures(m.deps, { since: '2026-13-01' })).rejects.toMatchObject({
      fields: { since: expect.stringContaining('not a day') },
    });
    await expect(readFigures(m.deps, { since: '2026-12-02', until: '2026-12-01' })).rejects.toMatchObject({
      fields: { until: 'must be on or after --since.' },
    });
  });
});

describe('console: insights and lookup, operators only', () => {
  it('shows the figures as SVG charts with no inline style or script', async () => {
    await ashaThroughLessonOne();
    const response = await app.request('/console/insights', {
      headers: await signedInHeaders(m.deps, OPERATOR),
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<svg class="chart"');
    expect(html).toContain('Is the 24-hour promise kept?');
    expect(html).not.toMatch(/\sstyle=|<script|<style/);
    expect(response.headers.get('content-security-policy')).toContain("style-src 'self'");
  });

  it('answers a bad range with the form and a message, not an error page', async () => {
    const headers = await signedInHeaders(m.deps, OPERATOR);
    const response = await app.request('/console/insights?since=yesterday', { headers });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('From: &quot;yesterday&quot; is not a day like 2026-11-30.');
  });

  it('keeps experts out of both pages', async () => {
    const headers = await signedInHeaders(m.deps, EXPERT);
    expect((await app.request('/console/insights', { headers })).status).toBe(403);
    expect((await app.request('/console/lookup', { headers })).status).toBe(403);
  });

  it('looks a person up by address: their timeline in UTC and their time, and when the next email is due and why', async () => {
    await ashaThroughLessonOne();
    const headers = {
      ...(await signedInHeaders(m.deps, OPERATOR)),
      'content-type': 'application/x-www-form-urlencoded',
    };
    const response = await app.request('/console/lookup', {
      method: 'POST',
      headers,
      body: 'email=ASHA%40example.com',
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    for (const what of [
      'Signed up (source: newsletter)',
      'Confirmed',
      'Sent welcome',
      'Delivered: welcome',
      'Sent lesson-1',
      'Delivered: lesson-1',
    ])
      expect(html).toContain(what);
    expect(html).toMatch(
      /lesson-2 due \w{3} \d{1,2} \w{3} 08:00 Asia\/Kathmandu \(\d{4}-\d{2}-\d{2} 02:15 UTC\): day 2 of the course, at 08:00 their time\./,
    );
    expect(html).toContain('Scheduled after the next email (nominal times)');
    expect(html).toMatch(/<th scope="row">followup-30<\/th><td>\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td>/);
    const unknown = await app.request('/console/lookup', {
      method: 'POST',
      headers,
      body: 'email=nobody%40example.com',
    });
    expect(unknown.status).toBe(404);
  });
});
