import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/config';
import { fromClient, testApp } from '../support/app';
import { emailsTo, sentEmails, startTestStack, type TestStack, tableItems } from '../support/stack';

const signup = (email: string) => JSON.stringify({ email, firstName: 'Bo', timeZone: 'UTC' });

/** The environment a deployed function gets, reduced to what is required: every limit at its default. */
const CLOUD_ENV = {
  TABLE_NAME: 'course',
  SITE_URL: 'https://course.example.com',
  FROM_ADDRESS: 'course@course.example.com',
  POSTAL_ADDRESS: '1 Main Street, Springfield',
  REPLY_DOMAIN: 'reply.course.example.com',
  SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing',
};

describe('subscription bombing sends at most a handful of confirmation emails', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // The local stack lets 127.0.0.1 sign up more often; this one runs the deployed limits.
    const { SIGNUPS_PER_CLIENT, CONFIRM_RESEND_MINUTES } = readConfig(CLOUD_ENV);
    expect(SIGNUPS_PER_CLIENT).toBe(10);
    stack = await startTestStack({ config: { SIGNUPS_PER_CLIENT, CONFIRM_RESEND_MINUTES } });
  });
  afterAll(async () => {
    await stack.stop();
    expect(stack.log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  const confirmations = async () =>
    (await sentEmails(stack)).filter((email) => /confirm/i.test(email.subject));

  it('signs up 1,000 addresses from one client over HTTP: 10 confirmations, then 429 with Retry-After', async () => {
    const statuses = new Map<number, number>();
    let limited: Response | undefined;
    for (let i = 0; i < 1000; i++) {
      const response = await fetch(`${stack.urls.app}/api/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: signup(`victim-${i}@example.com`),
      });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 429) limited ??= response;
      else await response.body?.cancel();
    }
    expect(Object.fromEntries(statuses)).toEqual({ 202: 10, 429: 990 });
    expect(await confirmations()).toHaveLength(10);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited?.headers.get('retry-after'))).toBeLessThanOrEqual(600);
    expect(await limited?.json()).toEqual({ error: 'rate_limited', message: expect.any(String) });
    // Only the ten signups that got through are stored.
    const profiles = (await tableItems(stack)).filter((item) => item.sk === 'PROFILE');
    expect(profiles).toHaveLength(10);
  });

  it('answers a form post over the limit (no JavaScript) with a try-later page, 429 and Retry-After', async () => {
    // This client used up its signups in the test above.
    const response = await fetch(`${stack.urls.app}/api/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'form-late@example.com', firstName: 'Flo', timeZone: 'UTC' }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    const page = await response.text();
    expect(page).toContain('<h1>Please try again later</h1>');
    const minutes = Math.ceil(Number(response.headers.get('retry-after')) / 60);
    expect(page).toContain('too many signup attempts for now');
    expect(page).toContain(`try again in about ${minutes} minute`);
    expect(await emailsTo(stack, 'form-late@example.com')).toHaveLength(0);
  });

  it('signs up one address 1,000 times from 1,000 clients over 25 hours: at most 3 confirmations a day', async () => {
    const app = testApp(stack.deps);
    const before = (await confirmations()).length;
    const statuses = new Map<number, number>();
    const started = stack.clock.now().getTime();
    for (let i = 0; i < 1000; i++) {
      const ip = `198.51.${Math.floor(i / 250)}.${i % 250}`;
      const response = await app.request(
        '/api/subscribe',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: signup('target@example.com'),
        },
        fromClient(ip),
      );
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      stack.clock.moveTo(new Date(stack.clock.now().getTime() + 90_000));
    }
    const days = Math.ceil((stack.clock.now().getTime() - started) / 86_400_000) + 1;
    const sent = (await confirmations()).length - before;
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(sent).toBeLessThanOrEqual(3 * days);
    expect(sent).toBeLessThanOrEqual(6);
    // Five signups an hour per address are answered normally; the rest are refused.
    expect(statuses.get(429)).toBeGreaterThan(800);
  });

  it('signs up one address 1,000 times at once from one client: one confirmation', async () => {
    const app = testApp(stack.deps);
    const before = (await confirmations()).length;
    for (let i = 0; i < 1000; i++) {
      await app.request(
        '/api/subscribe',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: signup('once@example.com') },
        fromClient('203.0.113.9'),
      );
    }
    expect((await confirmations()).length - before).toBe(1);
  });

  it('limits each client on its own: another client still signs up while one is refused', async () => {
    const app = testApp(stack.deps);
    const from = (ip: string, email: string) =>
      app.request(
        '/api/subscribe',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: signup(email) },
        fromClient(ip),
      );
    for (let i = 0; i < 10; i++) expect((await from('192.0.2.50', `a${i}@example.com`)).status).toBe(202);
    expect((await from('192.0.2.50', 'a10@example.com')).status).toBe(429);
    expect((await from('192.0.2.51', 'b@example.com')).status).toBe(202);
    // The next window lets the first client in again.
    stack.clock.moveTo(new Date(stack.clock.now().getTime() + 10 * 60_000));
    expect((await from('192.0.2.50', 'a11@example.com')).status).toBe(202);
  });

  it('stores no IP address, only keyed hashes in counters that expire', async () => {
    const items = await tableItems(stack);
    const counters = items.filter((item) => String(item.pk).startsWith('RATE#'));
    expect(counters.length).toBeGreaterThan(0);
    for (const counter of counters) {
      const [, , , start] = String(counter.pk).split('#');
      expect(start).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
      expect(counter.pk).toMatch(/^RATE#[a-z-]+#[0-9a-f]{32}#/);
      // Each counter expires an hour after its window (at most a day) ends.
      const lifetime = Number(counter.expiresAt) * 1000 - Date.parse(start!);
      expect(lifetime).toBeGreaterThan(3600_000);
      expect(lifetime).toBeLessThanOrEqual(25 * 3600_000);
    }
    const everything = JSON.stringify(items);
    for (const ip of ['127.0.0.1', '198.51.0.1', '203.0.113.9', '192.0.2.50'])
      expect(everything).not.toContain(ip);
  });
});

describe('cross-origin requests', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('allows the API to be called from the site itself, and from no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.urls.app}/api/subscribe`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const own = await preflight(stack.urls.app);
    expect(own.headers.get('access-control-allow-origin')).toBe(stack.urls.app);
    expect(own.headers.get('access-control-allow-methods')).toBe('POST');
    const foreign = await preflight('https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a signup form posted from another site with 403, storing and sending nothing', async () => {
    const before = await tableItems(stack);
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site', origin: 'null' },
      { 'sec-fetch-site': 'same-site', origin: 'https://www.localhost' },
      // A sandboxed frame or a data: page elsewhere, in a browser too old to send Sec-Fetch-Site.
      { origin: 'null' },
      { origin: 'null', referer: 'https://evil.example/' },
      { origin: 'NULL' },
    ];
    for (const headers of crossSite) {
      const response = await fetch(`${stack.urls.app}/api/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ email: 'csrf@example.com', firstName: 'Cy', timeZone: 'UTC' }),
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'cross_site' });
    }
    expect(await tableItems(stack)).toEqual(before);
    expect(await emailsTo(stack, 'csrf@example.com')).toHaveLength(0);
  });

  it('accepts the site’s own form posts: same-origin fetch metadata, its own Origin, or no browser headers', async () => {
    const sameSite: Record<string, string>[] = [
      { 'sec-fetch-site': 'same-origin', origin: 'null' },
      { 'sec-fetch-site': 'same-origin', origin: stack.urls.app },
      { origin: stack.urls.app },
      {},
    ];
    for (const [i, headers] of sameSite.entries()) {
      const response = await fetch(`${stack.urls.app}/api/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ email: `own-${i}@example.com`, firstName: 'Ow', timeZone: 'UTC' }),
        redirect: 'manual',
      });
      expect(response.status).toBe(303);
    }
  });
});
