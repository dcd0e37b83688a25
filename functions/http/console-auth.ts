/**
 * Who may see the console: the session cookie, and the middleware every console page and action sits
 * behind. Without a valid session a page redirects to sign-in (a JSON request gets 401) and shows no data;
 * a page for a role the person lacks answers 403; a post from another site answers 403.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { staffFromSession } from '../app/console/sign-in';
import type { Deps } from '../app/deps';
import type { Staff, StaffRole } from '../domain/staff';
import { consolePage, h } from './console-layout';
import { RequestError } from './errors';
import { isCrossSite } from './middleware';

/** What console routes find in their context: `c.get('staff')`, the signed-in person. */
export type ConsoleEnv = { Variables: { staff: Staff } };

/** The session cookie's name. */
export const SESSION_COOKIE = 'console_session';
const COOKIE_PATH = '/console';

/** True when the client asked for JSON rather than a page. */
export function wantsJson(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  const type = c.req.header('content-type') ?? '';
  return (accept.includes('application/json') && !accept.includes('text/html')) || type.includes('json');
}

/** A console path to return to after sign-in, or undefined for anything else (no open redirects). */
export function returnPath(value: string | undefined): string | undefined {
  if (!value || value.length > 300) return undefined;
  // No way out of /console/: no second slash, no dot segments (also percent-encoded ones).
  const plain = !value.includes('//') && !value.includes('..') && !/%2e/i.test(value);
  return plain && /^\/console\/[A-Za-z0-9._~/?=&%-]*$/.test(value) ? value : undefined;
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, only for /console, Secure when the site is https. */
export function setSessionCookie(c: Context, deps: Deps, value: string, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, value, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'Strict',
    secure: deps.settings.siteUrl.startsWith('https:'),
    maxAge: maxAgeSeconds,
  });
}

/** Removes the session cookie from the browser. */
export function clearSessionCookie(c: Context, deps: Deps): void {
  deleteCookie(c, SESSION_COOKIE, {
    path: COOKIE_PATH,
    secure: deps.settings.siteUrl.startsWith('https:'),
  });
}

/**
 * Lets a request through only with a valid session (and `role`, when given), and puts the person in
 * `c.get('staff')`. Posts (any method but GET and HEAD) from another site are refused first.
 */
export function requireStaff(deps: Deps, options: { role?: StaffRole } = {}): MiddlewareHandler<ConsoleEnv> {
  const siteOrigin = new URL(deps.settings.siteUrl).origin;
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && isCrossSite(c, siteOrigin)) {
      throw new RequestError(403, 'cross_site', 'Use the console on its own site.');
    }
    // An operator page sits behind the console's own requireStaff: its session is read once per request.
    const staff = c.get('staff') ?? (await staffFromSession(deps, getCookie(c, SESSION_COOKIE)));
    if (!staff) {
      if (wantsJson(c)) {
        return c.json({ error: 'unauthorized', message: 'Sign in to the console first.' }, 401);
      }
      // A page asked for by GET is where sign-in returns to (a link to a question in an email).
      const url = new URL(c.req.url);
      const next = c.req.method === 'GET' ? returnPath(url.pathname + url.search) : undefined;
      return c.redirect(next ? `/console?${new URLSearchParams({ next })}` : '/console', 303);
    }
    if (options.role && !staff.roles.includes(options.role)) {
      if (wantsJson(c)) return c.json({ error: 'forbidden', message: `Only for ${options.role}s.` }, 403);
      return consolePage(c, {
        title: 'Not available',
        staff,
        status: 403,
        body: h`<h1>Not available</h1><p>This page is for ${options.role}s only.</p>`,
      });
    }
    c.set('staff', staff);
    c.header('Cache-Control', 'no-store');
    await next();
  };
}
