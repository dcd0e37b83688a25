/**
 * The signup limits over HTTP against the stand-ins (dynalite's atomic counters), with requests arriving
 * at the same moment. The thousand-signup runs of the same limits are in process: test/http/abuse.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedSignupLimits, fromClient, testApp } from '../support/app';
import {
  emailsTo,
  sentEmails,
  startTestStack,
  type TestStack,
  tableItems,
  useTestStack,
} from '../support/stack';

const signup = (email: string) => JSON.stringify({ email, firstName: 'Bo', timeZone: 'UTC' });

describe('subscription bombing sends at most a handful of confirmation emails', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // The local stack lets 127.0.0.1 sign up more often; this one runs the deployed limits.
    const limits = deployedSignupLimits();
    expect(limits.SIGNUPS_PER_CLIENT).toBe(10);
    stack = await startTestStack({ config: limits });
  });
  afterAll(async () => {
    await stack.stop();
    expect(stack.log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  const confirmations = async () =>
    (await sentEmails(stack)).filter((email) => /confirm/i.test(email.subject));

  it('answers 40 signups of new addresses from one client arriving at once over HTTP: exactly 10 accepted and confirmed, the rest 429 with Retry-After', async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${stack.urls.app}/api/subscribe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: signup(`victim-${i}@example.com`),
        }),
      ),
    );
    const statuses = new Map<number, number>();
    for (const response of responses) statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    expect(Object.fromEntries(statuses)).toEqual({ 202: 10, 429: 30 });
    const limited = responses.find((response) => response.status === 429)!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(600);
    expect(await limited.json()).toEqual({ error: 'rate_limited', message: expect.any(String) });
    await Promise.all(responses.filter((r) => r !== limited).map((response) => response.body?.cancel()));
    const accepted = (await confirmations()).map((email) => email.destination.to[0]).sort();
    expect(accepted).toHaveLength(10);
    expect(new Set(accepted).size).toBe(10);
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

  it('signs up one address 25 times at once from 25 clients: five answered, one confirmation', async () => {
    const app = testApp(stack.deps);
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        app.request(
          '/api/subscribe',
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: signup('once@example.com'),
          },
          fromClient(`203.0.113.${i + 1}`),
        ),
      ),
    );
    const statuses = new Map<number, number>();
    for (const answer of answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    // Five signups an hour per address are answered normally, whoever sends them; the rest are refused.
    expect(Object.fromEntries(statuses)).toEqual({ 202: 5, 429: 20 });
    expect(await emailsTo(stack, 'once@example.com')).toHaveLength(1);
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
    for (const ip of ['127.0.0.1', '203.0.113.1', '203.0.113.25', '192.0.2.50', '192.0.2.51'])
      expect(everything).not.toContain(ip);
  });
});

describe('cross-origin requests', () => {
  const testStack = useTestStack();

  it('allows the API to be called from the site itself, and from no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${testStack().urls.app}/api/subscribe`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const own = await preflight(testStack().urls.app);
    expect(own.headers.get('access-control-allow-origin')).toBe(testStack().urls.app);
    expect(own.headers.get('access-control-allow-methods')).toBe('POST');
    const foreign = await preflight('https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a signup form posted from another site with 403, storing and sending nothing', async () => {
    const before = await tableItems(testStack());
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
      const response = await fetch(`${testStack().urls.app}/api/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ email: 'csrf@example.com', firstName: 'Cy', timeZone: 'UTC' }),
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'cross_site' });
    }
    expect(await tableItems(testStack())).toEqual(before);
    expect(await emailsTo(testStack(), 'csrf@example.com')).toHaveLength(0);
  });

  it('accepts the site’s own form posts: same-origin fetch metadata, its own Origin, or no browser headers', async () => {
    const sameSite: Record<string, string>[] = [
      { 'sec-fetch-site': 'same-origin', origin: 'null' },
      { 'sec-fetch-site': 'same-origin', origin: testStack().urls.app },
      { origin: testStack().urls.app },
      {},
    ];
    for (const [i, headers] of sameSite.entries()) {
      const response = await fetch(`${testStack().urls.app}/api/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ email: `own-${i}@example.com`, firstName: 'Ow', timeZone: 'UTC' }),
        redirect: 'manual',
      });
      expect(response.status).toBe(303);
    }
  });
});
