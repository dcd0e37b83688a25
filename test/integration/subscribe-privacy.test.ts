import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailsTo, linkIn, postJson, startTestStack, type TestStack, tableItems } from '../support/stack';

describe('POST /api/subscribe reveals nothing about who is subscribed', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.stop();
    expect(stack.log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  async function signUp(email: string, firstName = 'Pat') {
    const response = await postJson(stack, '/api/subscribe', {
      email,
      firstName,
      timeZone: 'Asia/Tokyo',
      sendHour: 7,
    });
    return { status: response.status, body: await response.json() };
  }

  it('gives the same answer for a new, pending, confirmed and unsubscribed address', async () => {
    const fresh = await signUp('same@example.com');
    const pending = await signUp('same@example.com');

    await signUp('active@example.com');
    const [confirmation] = await emailsTo(stack, 'active@example.com');
    await fetch(linkIn(confirmation?.body.text, `${stack.urls.app}/confirm?token=`));
    const confirmed = await signUp('active@example.com');

    const subscriber = await stack.deps.store.findByEmail('active@example.com');
    await stack.deps.store.stop(subscriber!.id, 'unsubscribed', new Date().toISOString());
    const unsubscribed = await signUp('active@example.com');

    expect(fresh).toEqual({ status: 202, body: expect.objectContaining({ status: 'pending' }) });
    for (const answer of [pending, confirmed, unsubscribed]) expect(answer).toEqual(fresh);
  });

  it('sends a pending address at most one confirmation per 15 minutes, and lets it correct its details', async () => {
    await signUp('resend@example.com', 'Pat');
    await signUp('resend@example.com', 'Pat');
    expect(await emailsTo(stack, 'resend@example.com')).toHaveLength(1);

    stack.clock.moveTo(new Date(stack.clock.now().getTime() + 15 * 60_000 + 1000));
    await signUp('resend@example.com', 'Patricia');
    const emails = await emailsTo(stack, 'resend@example.com');
    expect(emails).toHaveLength(2);
    expect(emails[1]?.body.text).toContain('Patricia');
    expect((await stack.deps.store.findByEmail('resend@example.com'))?.firstName).toBe('Patricia');
  });

  it('treats an address that differs only in case as the same person', async () => {
    await signUp('Case@Example.com');
    await signUp('case@example.com');
    expect(await emailsTo(stack, 'Case@Example.com')).toHaveLength(1);
    expect(await emailsTo(stack, 'case@example.com')).toHaveLength(0);
  });

  it('stores and sends nothing when the honeypot field is filled, but answers normally', async () => {
    const before = await tableItems(stack);
    const response = await postJson(stack, '/api/subscribe', {
      email: 'bot@example.com',
      firstName: 'Bot',
      timeZone: 'UTC',
      website: 'https://spam.example',
    });
    expect(response.status).toBe(202);
    expect(await tableItems(stack)).toEqual(before);
    expect(await emailsTo(stack, 'bot@example.com')).toHaveLength(0);
  });

  it('redirects a form post to the check-your-inbox page', async () => {
    const response = await fetch(`${stack.urls.app}/api/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        email: 'form@example.com',
        firstName: 'Fran',
        timeZone: 'Europe/Lisbon',
        sendHour: '9',
      }),
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/check-inbox');
    expect(await stack.deps.store.findByEmail('form@example.com')).toMatchObject({
      timeZone: 'Europe/Lisbon',
      sendHour: 9,
    });
  });
});

describe('signup answers take the same time whatever the address', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ config: { SIGNUP_FLOOR_MS: 150 } });
  });
  afterAll(async () => {
    await stack.stop();
    expect(stack.log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  it('holds every answer to the configured floor, so a known address is not faster than a new one', async () => {
    const time = async (email: string) => {
      const started = performance.now();
      await postJson(stack, '/api/subscribe', { email, firstName: 'Tim', timeZone: 'UTC' });
      return performance.now() - started;
    };
    const fresh = await time('timing@example.com');
    const known = await time('timing@example.com');
    expect(fresh).toBeGreaterThanOrEqual(145);
    expect(known).toBeGreaterThanOrEqual(145);
  });
});
