/**
 * Signing in to the console: a one-use link by email to staff addresses only, then a session that lasts
 * at most 12 hours and ends at sign-out. Who is staff is read from the settings on every request.
 */

import { pseudonym } from '../../domain/privacy';
import { RateLimitedError } from '../../domain/rate-limit';
import { escapeHtml } from '../../domain/render';
import { rolesOf, type Staff, staffKey } from '../../domain/staff';
import { normaliseEmail } from '../../domain/subscriber';
import { signToken, TOKEN_LIFETIME_SECONDS, verifiedId } from '../../domain/tokens';
import type { Deps } from '../deps';
import { sendWithRetry } from '../send-with-retry';
import { overLimit } from '../subscribe';

const LINK_MS = (TOKEN_LIFETIME_SECONDS['console-link'] ?? 0) * 1000;
/** How long a session lasts. */
export const SESSION_MS = (TOKEN_LIFETIME_SECONDS['console-session'] ?? 0) * 1000;

/** The signup limits, counted separately for sign-ins: a script gets as far with one as with the other. */
function signInLimits(deps: Deps) {
  const rename = <T extends { name: string }>(limit: T) => ({ ...limit, name: `console-${limit.name}` });
  return {
    perClient: deps.safeguards.limits.perClient.map(rename),
    perAddress: deps.safeguards.limits.perAddress.map(rename),
  };
}

async function enforceSignInLimits(deps: Deps, emailKey: string, clientIp: string | undefined, now: Date) {
  const limits = signInLimits(deps);
  const checks = [
    ...(clientIp ? [{ limits: limits.perClient, subject: pseudonym(deps.keys, 'ip', clientIp) }] : []),
    { limits: limits.perAddress, subject: pseudonym(deps.keys, 'email', emailKey) },
  ];
  for (const check of checks) {
    const retryAfter = await overLimit(deps.safeguards, check.limits, check.subject, now);
    if (retryAfter !== undefined) {
      deps.log.warn('console sign-in refused: over its limit');
      throw new RateLimitedError(retryAfter);
    }
  }
}

/**
 * Sends a sign-in link if `email` belongs to an expert or operator (returning to the console path `next`
 * once used, when given); does nothing otherwise. The caller
 * answers the same way in both cases, so nobody learns who has access. Over the limits: RateLimitedError.
 */
export async function requestSignIn(
  deps: Deps,
  request: { email: string; clientIp?: string | undefined; next?: string | undefined },
): Promise<'sent' | 'not-staff'> {
  const now = deps.clock.now();
  const email = normaliseEmail(request.email);
  await enforceSignInLimits(deps, email, request.clientIp, now);
  if (rolesOf(deps.settings, email).length === 0) return 'not-staff';
  const linkId = deps.newId();
  await deps.console.saveSignInLink(linkId, email, new Date(now.getTime() + LINK_MS).toISOString());
  const token = signToken(deps.keys, 'console-link', linkId, now.getTime());
  const query = new URLSearchParams({ token, ...(request.next ? { next: request.next } : {}) });
  const link = `${deps.settings.siteUrl}/console/sign-in?${query}`;
  const text = [
    'Someone (we hope you) asked to sign in to the expert console.',
    `Open this link within 15 minutes to sign in. It works once:\n${link}`,
    'If it was not you, ignore this email: nothing happens without the link.',
  ].join('\n\n');
  await sendWithRetry(deps, {
    to: email,
    subject: 'Your sign-in link for the expert console',
    text: `${text}\n`,
    html: `<!doctype html><html><body><p>Someone (we hope you) asked to sign in to the expert console.</p><p><a href="${escapeHtml(link)}">Sign in</a> within 15 minutes. The link works once.</p><p>If it was not you, ignore this email: nothing happens without the link.</p></body></html>`,
    headers: [{ name: 'Auto-Submitted', value: 'auto-generated' }],
    tags: { email: 'console-sign-in' },
  });
  deps.log.info('console sign-in link sent', { staff: staffKey(email) });
  return 'sent';
}

/** The id a console token of `purpose` was signed for, or undefined when it is tampered or expired. */
function tokenId(deps: Deps, purpose: 'console-link' | 'console-session', token: string): string | undefined {
  return verifiedId(deps.keys, purpose, token, deps.clock.now().getTime());
}

/** True when a sign-in link's token is genuine and unexpired (it is not used up here: GET never signs in). */
export function signInLinkValid(deps: Deps, token: string): boolean {
  return tokenId(deps, 'console-link', token) !== undefined;
}

/**
 * Uses a sign-in link (once: a conditional write) and starts a session for a person who is still
 * staff. Returns the session cookie's value and lifetime, or undefined for a link that is tampered,
 * expired, used already, or for someone no longer on the lists.
 */
export async function startSession(
  deps: Deps,
  token: string,
): Promise<{ cookie: string; maxAgeSeconds: number } | undefined> {
  const now = deps.clock.now();
  const linkId = tokenId(deps, 'console-link', token);
  if (!linkId) return undefined;
  const email = await deps.console.useSignInLink(linkId, now.toISOString());
  if (!email || rolesOf(deps.settings, email).length === 0) return undefined;
  const sessionId = deps.newId();
  await deps.console.saveSession({
    id: sessionId,
    email,
    expiresAt: new Date(now.getTime() + SESSION_MS).toISOString(),
  });
  deps.log.info('console session started', { staff: staffKey(email) });
  return {
    cookie: signToken(deps.keys, 'console-session', sessionId, now.getTime()),
    maxAgeSeconds: SESSION_MS / 1000,
  };
}

/** The signed-in person a session cookie stands for, if it is genuine, unexpired, not ended, and still staff. */
export async function staffFromSession(deps: Deps, cookie: string | undefined): Promise<Staff | undefined> {
  const sessionId = cookie ? tokenId(deps, 'console-session', cookie) : undefined;
  if (!sessionId) return undefined;
  const session = await deps.console.getSession(sessionId, deps.clock.now().toISOString());
  if (!session) return undefined;
  const roles = rolesOf(deps.settings, session.email);
  return roles.length > 0 ? { email: session.email, roles, sessionId } : undefined;
}
