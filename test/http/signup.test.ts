/** The signup API's contract, in process (`app.request()` on in-memory ports). */
import type { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { fromClient, testApp } from '../support/app';
import { type MemoryDeps, memoryDeps, snapshot } from '../support/memory/deps';

const valid = { email: 'valid@example.com', firstName: 'Val', timeZone: 'America/New_York' };

let m: MemoryDeps;
let app: Hono;
beforeEach(() => {
  m = memoryDeps();
  app = testApp(m.deps);
});

function post(
  body: string | undefined,
  contentType = 'application/json',
  headers: Record<string, string> = {},
) {
  return app.request(
    '/api/subscribe',
    { method: 'POST', headers: { 'content-type': contentType, ...headers }, body },
    fromClient('192.0.2.1'),
  );
}
const postJson = (body: unknown) => post(JSON.stringify(body));

describe('bad signup input gets a 4xx naming the problem, and nothing is stored or sent', () => {
  let before: string;
  beforeEach(() => {
    before = snapshot(m);
  });
  function expectUnchanged() {
    expect(snapshot(m)).toEqual(before);
    expect(m.mailer.attempts).toBe(0);
  }

  const fieldCases: [string, Record<string, unknown>, string, RegExp][] = [
    ['a missing email', { ...valid, email: undefined }, 'email', /email/i],
    ['an invalid email', { ...valid, email: 'not-an-address' }, 'email', /like name@example.com/],
    ['an email with a non-ASCII local part', { ...valid, email: 'jürgen@example.com' }, 'email', /ASCII/],
    ['an email that is too long', { ...valid, email: `${'a'.repeat(250)}@example.com` }, 'email', /too long/],
    ['a missing first name', { ...valid, firstName: undefined }, 'firstName', /first name/i],
    [
      'a first name with CR/LF',
      { ...valid, firstName: 'Eve\r\nBcc: all@example.com' },
      'firstName',
      /line breaks/,
    ],
    ['a first name with markup', { ...valid, firstName: '<b>Eve</b>' }, 'firstName', /markup/],
    ['a first name that is a link', { ...valid, firstName: 'https://spam.example' }, 'firstName', /links/],
    [
      'a first name carrying a domain',
      { ...valid, firstName: 'Visit example.com/login' },
      'firstName',
      /links/,
    ],
    [
      'a first name with a bidi override',
      { ...valid, firstName: 'Ann\u202etxt.exe' },
      'firstName',
      /invisible/,
    ],
    ['a first name with a zero-width space', { ...valid, firstName: 'Ann\u200b' }, 'firstName', /invisible/],
    ['a first name with a C1 control', { ...valid, firstName: 'Ann\u0085' }, 'firstName', /control/],
    ['an unknown time zone', { ...valid, timeZone: 'Mars/Olympus_Mons' }, 'timeZone', /time zone/],
    ['a missing time zone', { ...valid, timeZone: undefined }, 'timeZone', /time zone/],
    ['an hour above 23', { ...valid, sendHour: 24 }, 'sendHour', /0 to 23/],
    ['a negative hour', { ...valid, sendHour: -1 }, 'sendHour', /0 to 23/],
    ['a fractional hour', { ...valid, sendHour: 7.5 }, 'sendHour', /0 to 23/],
    ['an hour that is not a number', { ...valid, sendHour: 'eight' }, 'sendHour', /0 to 23/],
  ];

  it.each(fieldCases)('rejects %s with 400 naming the field', async (_label, body, field, message) => {
    const response = await postJson(body);
    expect(response.status).toBe(400);
    const error = (await response.json()) as { error: string; fields: Record<string, string> };
    expect(error.error).toBe('validation_failed');
    expect(error.fields[field]).toMatch(message);
    expectUnchanged();
  });

  it('names every bad field at once', async () => {
    const response = await postJson({ email: 'x', firstName: '', timeZone: 'Nowhere', sendHour: 99 });
    expect(response.status).toBe(400);
    const error = (await response.json()) as { fields: Record<string, string> };
    expect(Object.keys(error.fields).sort()).toEqual(['email', 'firstName', 'sendHour', 'timeZone']);
    expectUnchanged();
  });

  it('rejects malformed JSON with 400 malformed_json', async () => {
    const response = await post('{"email": "a@example.com",');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'malformed_json' });
    expectUnchanged();
  });

  it('rejects a JSON body that is not an object with 400 naming the body', async () => {
    for (const body of ['["a@example.com"]', 'null', '"text"', '42']) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: 'validation_failed',
        fields: { body: expect.any(String) },
      });
    }
    expectUnchanged();
  });

  it('rejects a wrong or missing content type with 415', async () => {
    for (const type of ['text/plain', 'multipart/form-data', '']) {
      const response = await post(JSON.stringify(valid), type);
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ error: 'unsupported_media_type' });
    }
    expectUnchanged();
  });

  it('rejects a body over 16 KB with 413', async () => {
    const response = await postJson({ ...valid, padding: 'x'.repeat(17 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'body_too_large' });
    expectUnchanged();
  });

  it('answers a form post with invalid fields with a 400 page listing the problems', async () => {
    const response = await post('email=nope&firstName=&timeZone=UTC', 'application/x-www-form-urlencoded');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('like name@example.com');
    expect(html).toContain('Enter your first name.');
    expectUnchanged();
  });

  it('refuses a signup a browser posted from another site with 403 cross_site', async () => {
    const crossSite: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'null', 'sec-fetch-mode': 'navigate' },
    ];
    for (const headers of crossSite) {
      const response = await post(JSON.stringify(valid), 'application/json', headers);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'cross_site' });
    }
    expectUnchanged();
  });

  it('answers an unknown API path with a JSON 404, never a stack trace', async () => {
    const response = await app.request('/api/nothing', { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('POST /api/subscribe reveals nothing about who is subscribed', () => {
  async function signUp(email: string, firstName = 'Pat') {
    const response = await postJson({ email, firstName, timeZone: 'Asia/Tokyo', sendHour: 7 });
    return { status: response.status, body: await response.json() };
  }

  it('gives the same answer for a new, pending, confirmed and unsubscribed address', async () => {
    const fresh = await signUp('same@example.com');
    const pending = await signUp('same@example.com');
    await signUp('active@example.com');
    await m.confirmations.drained();
    const confirmUrl = new URL(
      /http:\S+confirm\?token=\S+/.exec(m.mailer.to('active@example.com')[0]!.text)![0],
    );
    expect((await app.request(`${confirmUrl.pathname}${confirmUrl.search}`)).status).toBe(200);
    const confirmed = await signUp('active@example.com');
    const subscriber = await m.store.findByEmail('active@example.com');
    await m.store.stop(subscriber!.id, 'unsubscribed', new Date().toISOString());
    const unsubscribed = await signUp('active@example.com');

    expect(fresh).toEqual({ status: 202, body: expect.objectContaining({ status: 'pending' }) });
    for (const answer of [pending, confirmed, unsubscribed]) expect(answer).toEqual(fresh);
  });

  it('sends a pending address at most one confirmation per 15 minutes; new details wait for their own link', async () => {
    await signUp('resend@example.com', 'Pat');
    await signUp('resend@example.com', 'Pat');
    await m.confirmations.drained();
    expect(m.mailer.to('resend@example.com')).toHaveLength(1);
    m.clock.moveTo(new Date(m.clock.now().getTime() + 15 * 60_000 + 1000));
    await signUp('resend@example.com', 'Patricia');
    await m.confirmations.drained();
    const emails = m.mailer.to('resend@example.com');
    expect(emails).toHaveLength(2);
    expect(emails[1]?.text).toContain('Patricia');
    expect((await m.store.findByEmail('resend@example.com'))?.firstName).toBe('Pat');
  });

  it('treats an address that differs only in case as the same person', async () => {
    await signUp('Case@Example.com');
    await signUp('case@example.com');
    await m.confirmations.drained();
    expect(m.mailer.to('Case@Example.com')).toHaveLength(1);
    expect(m.mailer.to('case@example.com')).toHaveLength(0);
  });

  it('stores and sends nothing when the honeypot field is filled, but answers normally', async () => {
    const before = snapshot(m);
    const response = await postJson({ ...valid, email: 'bot@example.com', website: 'https://spam.example' });
    expect(response.status).toBe(202);
    expect(snapshot(m)).toEqual(before);
    expect(m.mailer.attempts).toBe(0);
  });

  it('redirects a form post to the check-your-inbox page and stores what was posted', async () => {
    const form = new URLSearchParams({
      email: 'form@example.com',
      firstName: 'Fran',
      timeZone: 'Europe/Lisbon',
      sendHour: '9',
    });
    const response = await post(form.toString(), 'application/x-www-form-urlencoded');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/check-inbox');
    expect(await m.store.findByEmail('form@example.com')).toMatchObject({
      timeZone: 'Europe/Lisbon',
      sendHour: 9,
    });
  });

  it('holds every answer, accepted or refused, to the configured floor', async () => {
    app = testApp(m.deps, 150);
    const time = async (body: unknown) => {
      const started = performance.now();
      await postJson(body);
      return performance.now() - started;
    };
    expect(await time({ ...valid, email: 'timing@example.com' })).toBeGreaterThanOrEqual(145);
    expect(await time({ ...valid, email: 'timing@example.com' })).toBeGreaterThanOrEqual(145);
    expect(await time({ ...valid, email: 'nope' })).toBeGreaterThanOrEqual(145);
  });
});

describe('the browser rules of the signup API', () => {
  it('allows the site itself by CORS and nobody else', async () => {
    const preflight = (origin: string) =>
      app.request('/api/subscribe', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    expect((await preflight('http://localhost:3000')).headers.get('access-control-allow-origin')).toBe(
      'http://localhost:3000',
    );
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends the strict security headers on every answer, pages and API alike', async () => {
    for (const response of [await app.request('/'), await postJson(valid), await app.request('/nowhere')]) {
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('same-origin');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});
