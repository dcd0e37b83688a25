import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailsTo, header, linkIn, postJson, startTestStack, type TestStack } from '../support/stack';

describe('sign up, confirm and unsubscribe through the real stand-ins', () => {
  let stack: TestStack;
  const address = 'journey@example.com';

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.stop();
    expect(stack.log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  it('takes a person from signup to unsubscribed, and then sends them nothing more', async () => {
    const signup = await postJson(stack, '/api/subscribe', {
      email: address,
      firstName: 'Jo',
      timeZone: 'Europe/Berlin',
    });
    expect(signup.status).toBe(202);
    expect(await signup.json()).toMatchObject({ status: 'pending' });

    const [confirmation, ...others] = await emailsTo(stack, address);
    expect(others).toHaveLength(0);
    expect(confirmation?.subject).toMatch(/confirm/i);
    expect(header(confirmation!, 'List-Unsubscribe')).toBeUndefined();
    expect(confirmation?.body.html).toContain('Jo');
    const confirmLink = linkIn(confirmation?.body.text, `${stack.urls.app}/confirm?token=`);

    const confirmed = await fetch(confirmLink);
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toMatch(/You(&#39;|'|’)re in, Jo/);

    const afterConfirm = await emailsTo(stack, address);
    expect(afterConfirm).toHaveLength(2);
    const welcome = afterConfirm[1]!;
    expect(welcome.subject).toMatch(/welcome/i);
    expect(welcome.body.text?.length).toBeGreaterThan(200);
    expect(welcome.replyTo[0]).toMatch(/^reply\+[0-9a-f]{32}\.[0-9a-f]{12}@reply\.localhost$/);
    expect(header(welcome, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const oneClick = header(welcome, 'List-Unsubscribe')?.match(/^<(.+)>$/)?.[1];
    expect(oneClick).toMatch(new RegExp(`^${stack.urls.app}/unsubscribe\\?token=`));

    // A second click on the confirmation link shows the same page and sends nothing new.
    const again = await fetch(confirmLink);
    expect(again.status).toBe(200);
    expect(await again.text()).toMatch(/You(&#39;|'|’)re already in, Jo/);
    expect(await emailsTo(stack, address)).toHaveLength(2);

    // Link scanners prefetch with GET: that must not unsubscribe.
    const page = await fetch(oneClick!);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<button[^>]*type="submit"/);
    const subscriber = await stack.deps.store.findByEmail(address);
    expect(subscriber?.status).toBe('active');

    // RFC 8058 one-click: a POST with the List-Unsubscribe=One-Click body.
    const unsubscribed = await fetch(oneClick!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribed.status).toBe(200);
    const stopped = await stack.deps.store.findByEmail(address);
    expect(stopped?.status).toBe('unsubscribed');
    expect(stopped?.nextSendAt).toBeUndefined();

    // A month later, nothing more has gone out.
    const travel = await postJson(stack, '/_dev/clock', { advanceHours: 24 * 31 });
    expect(travel.status).toBe(200);
    expect(await emailsTo(stack, address)).toHaveLength(2);
  });

  it('shows a page offering a fresh signup for a tampered confirmation link', async () => {
    await postJson(stack, '/api/subscribe', {
      email: 'tamper@example.com',
      firstName: 'Tam',
      timeZone: 'UTC',
    });
    const [confirmation] = await emailsTo(stack, 'tamper@example.com');
    const link = linkIn(confirmation?.body.text, `${stack.urls.app}/confirm?token=`);
    const tampered = `${link.slice(0, -2)}${link.endsWith('A') ? 'B' : 'A'}x`;
    const response = await fetch(tampered);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('expired or is not valid');
    expect(html).toContain('href="/"');
    expect((await stack.deps.store.findByEmail('tamper@example.com'))?.status).toBe('pending');
  });

  it('treats an expired confirmation link (older than 7 days) as invalid', async () => {
    await postJson(stack, '/api/subscribe', { email: 'late@example.com', firstName: 'Lee', timeZone: 'UTC' });
    const [confirmation] = await emailsTo(stack, 'late@example.com');
    const link = linkIn(confirmation?.body.text, `${stack.urls.app}/confirm?token=`);
    stack.clock.moveTo(new Date(stack.clock.now().getTime() + 7 * 24 * 3600_000 + 60_000));
    const response = await fetch(link);
    expect(response.status).toBe(400);
    expect((await stack.deps.store.findByEmail('late@example.com'))?.status).toBe('pending');
  });

  it('answers a tampered unsubscribe token with the same neutral page and changes nothing', async () => {
    const response = await fetch(`${stack.urls.app}/unsubscribe?token=abc.def.ghi`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('unsubscribed');
  });
});
