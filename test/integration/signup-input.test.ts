import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentEmails, startTestStack, type TestStack, tableItems } from '../support/stack';

const valid = { email: 'valid@example.com', firstName: 'Val', timeZone: 'America/New_York' };

describe('bad signup input gets a 4xx naming the problem, and nothing is stored or sent', () => {
  let stack: TestStack;
  let itemsBefore: unknown[];

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.stop();
    expect(stack.log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  async function post(body: string | undefined, contentType = 'application/json'): Promise<Response> {
    itemsBefore = await tableItems(stack);
    return fetch(`${stack.urls.app}/api/subscribe`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
  }

  async function expectUnchanged(): Promise<void> {
    expect(await tableItems(stack)).toEqual(itemsBefore);
    expect(await sentEmails(stack)).toHaveLength(0);
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
    ['an unknown time zone', { ...valid, timeZone: 'Mars/Olympus_Mons' }, 'timeZone', /time zone/],
    ['a missing time zone', { ...valid, timeZone: undefined }, 'timeZone', /time zone/],
    ['an hour above 23', { ...valid, sendHour: 24 }, 'sendHour', /0 to 23/],
    ['a negative hour', { ...valid, sendHour: -1 }, 'sendHour', /0 to 23/],
    ['a fractional hour', { ...valid, sendHour: 7.5 }, 'sendHour', /0 to 23/],
    ['an hour that is not a number', { ...valid, sendHour: 'eight' }, 'sendHour', /0 to 23/],
  ];

  for (const [label, body, field, message] of fieldCases) {
    it(`rejects ${label} with 400 naming "${field}"`, async () => {
      const response = await post(JSON.stringify(body));
      expect(response.status).toBe(400);
      const error = (await response.json()) as { error: string; fields: Record<string, string> };
      expect(error.error).toBe('validation_failed');
      expect(error.fields[field]).toMatch(message);
      await expectUnchanged();
    });
  }

  it('names every bad field at once', async () => {
    const response = await post(
      JSON.stringify({ email: 'x', firstName: '', timeZone: 'Nowhere', sendHour: 99 }),
    );
    expect(response.status).toBe(400);
    const error = (await response.json()) as { fields: Record<string, string> };
    expect(Object.keys(error.fields).sort()).toEqual(['email', 'firstName', 'sendHour', 'timeZone']);
    await expectUnchanged();
  });

  it('rejects malformed JSON with 400 malformed_json', async () => {
    const response = await post('{"email": "a@example.com",');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'malformed_json' });
    await expectUnchanged();
  });

  it('rejects a JSON body that is not an object with 400 naming the body', async () => {
    const response = await post('["a@example.com"]');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'validation_failed',
      fields: { body: expect.any(String) },
    });
    await expectUnchanged();
  });

  it('rejects a wrong content type with 415', async () => {
    const response = await post(JSON.stringify(valid), 'text/plain');
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: 'unsupported_media_type' });
    await expectUnchanged();
  });

  it('rejects a body over 16 KB with 413', async () => {
    const response = await post(JSON.stringify({ ...valid, padding: 'x'.repeat(17 * 1024) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'body_too_large' });
    await expectUnchanged();
  });

  it('answers a form post with invalid fields with a 400 page listing the problems', async () => {
    const response = await post('email=nope&firstName=&timeZone=UTC', 'application/x-www-form-urlencoded');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('like name@example.com');
    expect(html).toContain('Enter your first name.');
    await expectUnchanged();
  });

  it('answers an unknown API path with a JSON 404, never a stack trace', async () => {
    const response = await fetch(`${stack.urls.app}/api/nothing`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });
});
