/** Console sign-in, sessions and access rules, in process (`app.request()` on in-memory ports). */
import type { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { questionRef } from '../../functions/app/console/questions';
import { fromClient, testApp } from '../support/app';
import { EXPERT, EXPERT2, OPERATOR, signedInHeaders } from '../support/console';
import { type MemoryDeps, memoryDeps } from '../support/memory/deps';

let m: MemoryDeps;
let app: Hono;
beforeEach(() => {
  m = memoryDeps();
  app = testApp(m.deps);
});

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});

async function askForLink(email: string, ip = '192.0.2.7') {
  return app.request('/console', form({ email }), fromClient(ip));
}

function linkFor(email: string): string {
  const mail = m.mailer.sent.filter((e) => e.to === email).at(-1);
  const match = mail?.text.match(/http:\/\/localhost:3000(\/console\/sign-in\?token=[^\s]+)/);
  if (!match?.[1]) throw new Error(`no sign-in link to ${email}`);
  return match[1];
}

function cookieFrom(response: Response): string {
  const header = response.headers.get('set-cookie') ?? '';
  return header.split(';')[0] ?? '';
}

async function signIn(email: string): Promise<string> {
  await askForLink(email);
  const response = await app.request(linkFor(email), { method: 'POST' });
  expect(response.status).toBe(303);
  return cookieFrom(response);
}

describe('signing in by emailed link', () => {
  it('shows a sign-in page with one email field', async () => {
    const response = await app.request('/console');
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toMatch(/<input id="email" name="email" type="email"/);
    expect(page.match(/<input /g)).toHaveLength(1);
  });

  it('emails a one-use link containing /console/ to staff, and the same page to anyone else', async () => {
    const staff = await askForLink(EXPERT);
    const stranger = await askForLink('stranger@example.com');
    expect(staff.status).toBe(200);
    expect(stranger.status).toBe(200);
    const strip = (page: string, email: string) => page.replace(email, 'ADDRESS');
    expect(strip(await stranger.text(), 'stranger@example.com')).toBe(strip(await staff.text(), EXPERT));
    expect(m.mailer.sent.map((e) => e.to)).toEqual([EXPERT]);
    expect(linkFor(EXPERT)).toContain('/console/');
  });

  it('opening the link shows a button; pressing it starts a 12-hour HttpOnly SameSite=Strict session and lands on the queue', async () => {
    await askForLink(EXPERT);
    const link = linkFor(EXPERT);
    const opened = await app.request(link);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('set-cookie')).toBeNull();
    const response = await app.request(link, { method: 'POST' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/console/queue');
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^console_session=[^;]+; Max-Age=43200; Path=\/console; HttpOnly; SameSite=Strict$/,
    );
    const queue = await app.request('/console/queue', { headers: { cookie: cookieFrom(response) } });
    expect(queue.status).toBe(200);
    expect(await queue.text()).toContain(EXPERT);
    const signInPage = await app.request('/console', { headers: { cookie: cookieFrom(response) } });
    expect([signInPage.status, signInPage.headers.get('location')]).toEqual([303, '/console/queue']);
  });

  it('marks the cookie Secure when the site is served over https', async () => {
    m = memoryDeps({ SITE_URL: 'https://course.example.com' });
    app = testApp(m.deps);
    await askForLink(EXPERT);
    const link =
      (m.mailer.sent[0]?.text.match(/https:\/\/course\.example\.com(\/console\/[^\s]+)/) ?? [])[1] ?? '';
    const response = await app.request(link, {
      method: 'POST',
      headers: { origin: 'https://course.example.com' },
    });
    expect(response.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('refuses a link used once already', async () => {
    await askForLink(EXPERT);
    const link = linkFor(EXPERT);
    expect((await app.request(link, { method: 'POST' })).status).toBe(303);
    const again = await app.request(link, { method: 'POST' });
    expect(again.status).toBe(400);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toContain('expired or was used already');
  });

  it('refuses a link after 15 minutes', async () => {
    await askForLink(EXPERT);
    m.clock.moveTo(new Date(Date.now() + 16 * 60_000));
    const response = await app.request(linkFor(EXPERT), { method: 'POST' });
    expect(response.status).toBe(400);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a tampered link', async () => {
    await askForLink(EXPERT);
    const link = linkFor(EXPERT);
    const tampered = `${link.slice(0, -2)}${link.endsWith('A') ? 'B' : 'A'}A`;
    expect((await app.request(tampered, { method: 'POST' })).status).toBe(400);
    expect((await app.request(tampered)).status).toBe(400);
  });

  it('returns to the console page first asked for (a question linked from an email), and never off the console', async () => {
    const path = `/console/q/${questionRef(m.deps, 'abc123-0123456789abcdef')}`;
    const asked = await app.request(path);
    const signInPage = asked.headers.get('location') ?? '';
    expect(await (await app.request(signInPage)).text()).toContain(
      `<input type="hidden" name="next" value="${path}">`,
    );
    await app.request('/console', form({ email: EXPERT, next: path }), fromClient('192.0.2.7'));
    const link = linkFor(EXPERT);
    expect(link).toContain(`&next=${encodeURIComponent(path)}`);
    expect(await (await app.request(link)).text()).toContain(`&amp;next=${encodeURIComponent(path)}`);
    const signedIn = await app.request(link, { method: 'POST' });
    expect(signedIn.headers.get('location')).toBe(path);
    for (const next of [
      'https://evil.example/console/',
      '//evil.example/console/',
      '/api/subscribe',
      '/console/../x',
      '/console/%2E%2E/x',
    ]) {
      await app.request('/console', form({ email: EXPERT2, next }), fromClient('192.0.2.8'));
      const elsewhere = await app.request(`${linkFor(EXPERT2)}&next=${encodeURIComponent(next)}`, {
        method: 'POST',
      });
      expect([next, elsewhere.headers.get('location')]).toEqual([next, '/console/queue']);
    }
  });

  it('names a bad address and sends nothing', async () => {
    const response = await askForLink('not an address');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('like name@example.com');
    expect(m.mailer.sent).toEqual([]);
  });

  it('rate-limits sign-in requests from one client like signups (429 with Retry-After)', async () => {
    const limit = m.deps.safeguards.limits.perClient[0]?.limit ?? 0;
    for (let i = 0; i < limit; i++) expect((await askForLink(`x${i}@example.com`)).status).toBe(200);
    const refused = await askForLink(EXPERT);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(m.mailer.sent).toEqual([]);
  });

  it('signing out ends the session: the old cookie no longer opens anything', async () => {
    const cookie = await signIn(EXPERT);
    const out = await app.request('/console/sign-out', { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/console_session=;.*Max-Age=0/);
    const after = await app.request('/console/queue', { headers: { cookie } });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/console?next=%2Fconsole%2Fqueue');
  });
});

/** Every console page and action, with a real question behind the ones that need one. */
async function consoleRoutes(): Promise<[string, string][]> {
  const ref = questionRef(m.deps, 'abc123-0123456789abcdef');
  return [
    ['GET', '/console/queue'],
    ['GET', '/console/queue?view=answered'],
    ['GET', '/console/figures'],
    ['GET', '/console/replies'],
    ['POST', '/console/replies'],
    ['POST', '/console/replies/from-answer'],
    ['POST', '/console/replies/some-id'],
    ['POST', '/console/replies/some-id/delete'],
    ['GET', '/console/team'],
    ['GET', `/console/q/${ref}`],
    ['GET', `/console/q/${ref}/raw`],
    ['POST', `/console/q/${ref}/answer`],
    ['POST', `/console/q/${ref}/take`],
    ['POST', `/console/q/${ref}/notes`],
    ['POST', '/console/sign-out'],
    ['GET', '/console/anything-else'],
  ];
}

describe('without a valid session, every console route redirects to sign-in (401 for JSON) and shows no data', () => {
  it.each([
    ['no cookie', async () => ({})],
    [
      'a tampered cookie',
      async () => {
        const { cookie } = await signedInHeaders(m.deps, EXPERT);
        return { cookie: `${cookie?.slice(0, -3)}AAA` };
      },
    ],
    [
      'an expired session (past 12 hours)',
      async () => {
        const headers = await signedInHeaders(m.deps, EXPERT);
        m.clock.moveTo(new Date(Date.now() + 12 * 3600_000 + 60_000));
        return headers;
      },
    ],
    [
      'the session of someone no longer on the staff lists',
      async () => {
        const headers = await signedInHeaders(m.deps, EXPERT);
        m.deps.settings.expertAddresses = [];
        return headers;
      },
    ],
  ])('with %s', async (_label, headersFor) => {
    const headers = await headersFor();
    for (const [method, path] of await consoleRoutes()) {
      const page = await app.request(path, {
        method,
        headers: {
          ...headers,
          ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
      });
      // A page asked for by GET is remembered for after sign-in; an action is not.
      const signIn = method === 'GET' ? `/console?${new URLSearchParams({ next: path })}` : '/console';
      expect([path, page.status, page.headers.get('location')]).toEqual([path, 303, signIn]);
      expect(await page.text()).toBe('');
      const json = await app.request(path, { method, headers: { ...headers, accept: 'application/json' } });
      expect([path, json.status]).toEqual([path, 401]);
      expect(await json.json()).toEqual({ error: 'unauthorized', message: 'Sign in to the console first.' });
    }
  });
});

describe('access rules for signed-in staff', () => {
  it('refuses every console post from another site with 403', async () => {
    const headers = await signedInHeaders(m.deps, EXPERT);
    for (const [, path] of (await consoleRoutes()).filter(([method]) => method === 'POST')) {
      const response = await app.request(
        path,
        form({ note: 'x' }, { ...headers, 'sec-fetch-site': 'cross-site' }),
      );
      expect([path, response.status]).toEqual([path, 403]);
    }
    const signInPost = await app.request(
      '/console',
      form({ email: EXPERT }, { origin: 'https://evil.example' }),
    );
    expect(signInPost.status).toBe(403);
    expect(m.mailer.sent).toEqual([]);
  });

  it('shows an expert no operator page, and an operator the team page', async () => {
    const expert = await app.request('/console/team', { headers: await signedInHeaders(m.deps, EXPERT) });
    expect(expert.status).toBe(403);
    expect(await expert.text()).not.toContain(OPERATOR);
    const queue = await (
      await app.request('/console/queue', { headers: await signedInHeaders(m.deps, EXPERT) })
    ).text();
    expect(queue).not.toContain('/console/team');
    const operator = await app.request('/console/team', { headers: await signedInHeaders(m.deps, OPERATOR) });
    expect(operator.status).toBe(200);
    expect(await operator.text()).toContain(OPERATOR);
  });

  it('finds no question by a guessed or altered id', async () => {
    const headers = await signedInHeaders(m.deps, EXPERT);
    const id = 'abc123-0123456789abcdef';
    const ref = questionRef(m.deps, id);
    for (const path of [
      `/console/q/${id}`,
      `/console/q/${id}.000000000000`,
      `/console/q/${ref.slice(0, -1)}0`,
    ]) {
      const response = await app.request(path, { headers });
      expect([path, response.status]).toEqual([path, 404]);
    }
  });
});
