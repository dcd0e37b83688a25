import fc from 'fast-check';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  emailAddressProblem,
  firstNameProblem,
  sendHourProblem,
  timeZoneProblem,
} from '../../functions/domain/signup-rules';
import { normaliseEmail } from '../../functions/domain/subscriber';
import { fromClient, testApp } from '../support/app';
import { startTestStack, type TestStack, tableItems } from '../support/stack';

const STATUSES = ['pending', 'active', 'completed', 'unsubscribed', 'bounced', 'complained'];

/** Printable header values (the Fetch API refuses others before a request is even made). */
const headerValue = fc.string({ maxLength: 120 }).map((value) => value.replace(/[^\x20-\x7e\t]/g, ''));

const headerName = fc.oneof(
  fc.constantFrom(
    'content-type',
    'content-length',
    'origin',
    'user-agent',
    'accept',
    'accept-language',
    'cookie',
    'referer',
    'x-forwarded-for',
    'transfer-encoding',
    'authorization',
  ),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
);

const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 3 },
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain',
    'APPLICATION/JSON',
    '',
  ),
  headerValue,
);

/** Values that are sometimes right, sometimes nearly right, sometimes anything at all. */
const field = (valid: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { arbitrary: valid, weight: 8 },
    fc.string({ maxLength: 300 }),
    fc.anything({ maxDepth: 2 }),
    fc.constant(undefined),
  );

const signupObject = fc.record(
  {
    email: field(fc.oneof(fc.emailAddress(), fc.constantFrom('a@b.co', ' Mixed.Case@Example.COM '))),
    firstName: field(fc.constantFrom('Ana', 'Zoë', '  Li  ', 'Jean-Luc', 'O’Brien')),
    timeZone: field(
      fc.constantFrom('UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Asia/Kathmandu'),
    ),
    sendHour: field(
      fc.oneof(fc.integer({ min: -5, max: 30 }), fc.double(), fc.constantFrom('7', ' 8 ', '07')),
    ),
    website: fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, fc.string({ maxLength: 5 })),
    extra: fc.anything({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  { arbitrary: signupObject.map((value) => JSON.stringify(value)), weight: 4 },
  signupObject.map((value) => JSON.stringify(value)),
  signupObject.map((value) =>
    new URLSearchParams(
      Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')]),
    ).toString(),
  ),
  fc.json(),
  fc.string({ maxLength: 500 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constant('x'.repeat(20_000)),
  fc.constant(undefined),
);

const token = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.stringMatching(/^[0-9a-f]{32}\.[0-9a-z]{6,8}\.[A-Za-z0-9_-]{43}$/),
  fc.constant('abc.def.ghi'),
);

const path = fc.oneof(
  { arbitrary: fc.constant('/api/subscribe'), weight: 3 },
  fc.constantFrom('/api/subscribe', '/confirm', '/unsubscribe', '/', '/health', '/check-inbox'),
  fc.constantFrom('/api/nothing', '/admin', '/_dev/clock', '/../etc/passwd', '/%00', '/assets/../x'),
  fc.webPath(),
);

const request = fc.record({
  method: fc.oneof(
    { arbitrary: fc.constant('POST'), weight: 3 },
    fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
  ),
  path,
  query: fc.oneof(
    fc.constant(''),
    token.map((value) => `?token=${encodeURIComponent(value)}`),
    fc.webQueryParameters().map((value) => `?${value}`),
  ),
  headers: fc.dictionary(headerName, headerValue, { maxKeys: 6 }),
  contentType,
  body,
  ip: fc.option(fc.ipV4(), { nil: undefined }),
});

describe('every public endpoint answers any request with a 2xx, 3xx or 4xx, and stores nothing invalid', () => {
  let stack: TestStack;
  let app: Hono;

  beforeAll(async () => {
    stack = await startTestStack();
    app = testApp(stack.deps);
  });
  afterAll(async () => {
    await stack.stop();
    expect(stack.log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  it('never answers with a 5xx, whatever the method, path, query, headers and body', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(r.headers)) headers.set(name, value);
        headers.set('content-type', r.contentType);
        const hasBody = !['GET', 'HEAD'].includes(r.method) && r.body !== undefined;
        const env = fromClient(r.ip);
        const response = await app.request(
          `${r.path}${r.query}`,
          { method: r.method, headers, body: hasBody ? r.body : undefined },
          env,
        );
        statuses.add(response.status);
        await response.arrayBuffer();
        expect(response.status).toBeGreaterThanOrEqual(200);
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 600 },
    );
    // The runs reached the interesting answers, not only 404s.
    expect([...statuses]).toEqual(expect.arrayContaining([200, 202, 400, 404, 415]));
  });

  it('signs up through the API only people whose stored details pass the domain rules', async () => {
    await fc.assert(
      fc.asyncProperty(signupObject, fc.ipV4(), async (value, ip) => {
        const response = await app.request(
          '/api/subscribe',
          { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) },
          fromClient(ip),
        );
        await response.arrayBuffer();
        expect([202, 400, 429]).toContain(response.status);
      }),
      { numRuns: 400 },
    );
    const items = await tableItems(stack);
    const profiles = items.filter((item) => item.sk === 'PROFILE');
    expect(profiles.length).toBeGreaterThan(10);
    for (const profile of profiles) {
      const email = String(profile.email);
      expect(emailAddressProblem(email)).toBeUndefined();
      expect(email).toBe(email.trim());
      expect(profile.emailKey).toBe(normaliseEmail(email));
      expect(firstNameProblem(String(profile.firstName))).toBeUndefined();
      expect(profile.firstName).toBe(String(profile.firstName).trim());
      expect(timeZoneProblem(String(profile.timeZone))).toBeUndefined();
      expect(sendHourProblem(profile.sendHour as number)).toBeUndefined();
      expect(STATUSES).toContain(profile.status);
      const pointer = items.find((item) => item.pk === `EMAIL#${profile.emailKey}`);
      expect(pointer?.subscriberId).toBe(profile.id);
    }
  });
});
