/**
 * Signing in to the console in tests, without the email round trip: a session stored for a staff
 * address and its signed cookie, for `app.request()` (a `cookie` header) or a browser (`addCookies`).
 */

import { SESSION_MS } from '../../functions/app/console/sign-in';
import type { Deps } from '../../functions/app/deps';
import { signToken } from '../../functions/domain/tokens';
import { SESSION_COOKIE } from '../../functions/http/console-auth';

/** The local and test staff: two experts and an operator (as `localConfig` lists them). */
export const EXPERT = 'expert@example.com';
export const EXPERT2 = 'expert2@example.com';
export const OPERATOR = 'owner@example.com';

/** A session cookie for `email` (which must be on the staff lists to be let in). */
export async function sessionCookie(deps: Deps, email: string): Promise<{ name: string; value: string }> {
  const now = deps.clock.now();
  const id = deps.newId();
  await deps.console.saveSession({
    id,
    email,
    expiresAt: new Date(now.getTime() + SESSION_MS).toISOString(),
  });
  return { name: SESSION_COOKIE, value: signToken(deps.keys, 'console-session', id, now.getTime()) };
}

/** Request headers of a signed-in `email`, for `app.request()`. */
export async function signedInHeaders(deps: Deps, email: string): Promise<Record<string, string>> {
  const cookie = await sessionCookie(deps, email);
  return { cookie: `${cookie.name}=${cookie.value}` };
}

/** The cookie of a signed-in `email` for a browser context on `appUrl` (`context.addCookies([...])`). */
export async function browserSessionCookie(deps: Deps, email: string, appUrl: string) {
  const cookie = await sessionCookie(deps, email);
  const url = new URL(appUrl);
  return { ...cookie, domain: url.hostname, path: '/console', httpOnly: true, sameSite: 'Strict' as const };
}
