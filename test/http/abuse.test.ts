/**
 * Subscription bombing at scale, in process: a thousand signups each, through the production app with
 * the deployed limits, on the in-memory ports (which pass the DynamoDB adapters' contract suite, racing
 * hits included). The same limits are exercised over HTTP against the stand-ins, with requests arriving
 * at the same moment, in test/integration/abuse.test.ts.
 */
import type { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { deployedSignupLimits, fromClient, testApp } from '../support/app';
import { type MemoryDeps, memoryDeps, snapshot } from '../support/memory/deps';

let m: MemoryDeps;
let app: Hono;
beforeEach(() => {
  m = memoryDeps(deployedSignupLimits());
  app = testApp(m.deps);
});

const signUp = (email: string, ip: string) =>
  app.request(
    '/api/subscribe',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, firstName: 'Bo', timeZone: 'UTC' }),
    },
    fromClient(ip),
  );

async function confirmationsSent(): Promise<number> {
  await m.confirmations.drained();
  return m.mailer.sent.filter((email) => /confirm/i.test(email.subject)).length;
}

describe('subscription bombing sends at most a handful of confirmation emails', () => {
  it('runs the deployed limits: ten signups per client', () => {
    expect(m.config.SIGNUPS_PER_CLIENT).toBe(10);
  });

  it('signs up 1,000 addresses from one client: 10 confirmations, then 429 with Retry-After, storing only the ten', async () => {
    const statuses = new Map<number, number>();
    let limited: Response | undefined;
    for (let i = 0; i < 1000; i++) {
      const response = await signUp(`victim-${i}@example.com`, '192.0.2.7');
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 429) limited ??= response;
    }
    expect(Object.fromEntries(statuses)).toEqual({ 202: 10, 429: 990 });
    expect(await confirmationsSent()).toBe(10);
    const retryAfter = Number(limited?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(await limited?.json()).toEqual({ error: 'rate_limited', message: expect.any(String) });
    expect(m.store.rows.size).toBe(10);
    // A refused signup stores nothing but the attempt in the client's counter.
    const withoutCounters = () => snapshot(m).replace(/"hits":\[.*?\]\],"consents"/, '"consents"');
    const before = withoutCounters();
    expect((await signUp('one-more@example.com', '192.0.2.7')).status).toBe(429);
    expect(withoutCounters()).toBe(before);
    expect(before).toContain('victim-9@example.com');
  });

  it('signs up one address 1,000 times from 1,000 clients over 25 hours: at most 3 confirmations a day', async () => {
    const statuses = new Map<number, number>();
    const started = m.clock.now().getTime();
    for (let i = 0; i < 1000; i++) {
      const response = await signUp('target@example.com', `198.51.${Math.floor(i / 250)}.${i % 250}`);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      m.clock.moveTo(new Date(m.clock.now().getTime() + 90_000));
    }
    const days = Math.ceil((m.clock.now().getTime() - started) / 86_400_000) + 1;
    const sent = await confirmationsSent();
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(sent).toBeLessThanOrEqual(3 * days);
    expect(sent).toBeLessThanOrEqual(6);
    // Five signups an hour per address are answered normally; the rest are refused.
    expect(statuses.get(429)).toBeGreaterThan(800);
  });

  it('signs up one address 1,000 times in a row from one client: one confirmation', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 1000; i++) statuses.add((await signUp('once@example.com', '203.0.113.9')).status);
    expect(statuses.has(202)).toBe(true);
    expect(await confirmationsSent()).toBe(1);
    expect(m.store.rows.size).toBe(1);
  });
});
