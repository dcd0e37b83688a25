import { consentTextVersion, pseudonym, storableUserAgent } from '../domain/privacy';
import { fixedWindow, type RateLimit, RateLimitedError } from '../domain/rate-limit';
import type { Safeguards } from '../domain/safeguards';
import {
  mayResendConfirmation,
  newSubscriber,
  normaliseEmail,
  type SignupInput,
  type Subscriber,
} from '../domain/subscriber';
import { emailHash } from '../domain/suppression';
import { composeConfirmation } from './compose-email';
import { countSignup } from './count';
import type { Deps } from './deps';
import { sendWithRetry } from './send-with-retry';

/** A signup as the HTTP layer hands it over: validated fields, plus the honeypot a bot may fill. */
export interface SubscribeRequest extends SignupInput {
  honeypot?: string | undefined;
  /** The client's IP as the platform reports it: counted and recorded only as a keyed hash. */
  clientIp?: string | undefined;
  /** The client's User-Agent header, kept (truncated) in the consent record. */
  userAgent?: string | undefined;
}

/** What happened, for logs and tests only: the HTTP answer is the same in every case. */
export type SubscribeOutcome = 'created' | 'resent' | 'ignored' | 'honeypot' | 'suppressed';

/**
 * Starts a double opt-in. A new address is stored as pending and sent a confirmation link; a pending one
 * gets a new link at most once per resend window (and may correct its details); anyone else gets
 * nothing. The caller answers the same way whatever the outcome, so nobody learns who is subscribed.
 * A client or an address over its signup limits gets RateLimitedError; a suppressed address (bounced,
 * complained, erased) gets the normal answer and no email; a consent record is kept of each signup that
 * stores or changes a person's details.
 */
export async function subscribe(deps: Deps, request: SubscribeRequest): Promise<SubscribeOutcome> {
  if (request.honeypot) return 'honeypot';
  const now = deps.clock.now();
  const emailKey = normaliseEmail(request.email);
  await enforceSignupLimits(deps, deps.safeguards, request, emailKey, now);
  if (await deps.safeguards.suppressions.isSuppressed(emailHash(emailKey))) {
    deps.log.info('signup of a suppressed address: nothing sent');
    return 'suppressed';
  }
  const existing = await deps.store.findByEmail(emailKey);
  if (!existing) {
    if (!(await mayMailConfirmation(deps, emailKey, now))) return 'ignored';
    const subscriber = {
      ...newSubscriber(deps.newId(), request, now),
      confirmationSentAt: now.toISOString(),
    };
    if (await deps.store.create(subscriber)) {
      await recordConsent(deps, subscriber.id, request, now);
      await countSignup(deps, subscriber);
      await sendConfirmation(deps, subscriber, now);
      deps.log.info('subscriber created', { subscriberId: subscriber.id });
      return 'created';
    }
    // Another request created the same address a moment ago: treat this one as a repeat.
    return 'ignored';
  }
  if (!mayResendConfirmation(existing, now, deps.settings.confirmResendMs)) return 'ignored';
  if (!(await mayMailConfirmation(deps, emailKey, now))) {
    deps.log.info('confirmation cap reached: nothing sent', { subscriberId: existing.id });
    return 'ignored';
  }
  const sentBefore = new Date(now.getTime() - deps.settings.confirmResendMs).toISOString();
  const details = { firstName: request.firstName, timeZone: request.timeZone, sendHour: request.sendHour };
  if (!(await deps.store.stampConfirmationSent(existing.id, now.toISOString(), sentBefore, details)))
    return 'ignored';
  await recordConsent(deps, existing.id, request, now);
  // Counted again (a no-op) in case the first request stopped between storing and counting.
  await countSignup(deps, existing);
  await sendConfirmation(deps, { ...existing, ...details }, now);
  deps.log.info('confirmation resent', { subscriberId: existing.id });
  return 'resent';
}

async function sendConfirmation(deps: Deps, subscriber: Subscriber, now: Date): Promise<void> {
  await sendWithRetry(deps, composeConfirmation(deps, subscriber, now));
}

/** Counts the signup against every limit of the client and of the address; throws when one is exceeded. */
async function enforceSignupLimits(
  deps: Deps,
  guards: Safeguards,
  request: SubscribeRequest,
  emailKey: string,
  now: Date,
): Promise<void> {
  // The client first: a script cycling through addresses is stopped before it touches their counters.
  if (request.clientIp) {
    const client = pseudonym(deps.keys, 'ip', request.clientIp);
    const retryAfter = await overLimit(guards, guards.limits.perClient, client, now);
    if (retryAfter !== undefined) {
      deps.log.warn('signup refused: client over its limit', { client: client.slice(0, 12) });
      throw new RateLimitedError(retryAfter);
    }
  }
  const address = pseudonym(deps.keys, 'email', emailKey);
  const retryAfter = await overLimit(guards, guards.limits.perAddress, address, now);
  if (retryAfter !== undefined) {
    deps.log.warn('signup refused: address over its limit', { address: address.slice(0, 12) });
    throw new RateLimitedError(retryAfter);
  }
}

/** Counts one hit on each limit; the seconds until the last exceeded window ends, or undefined when none is. */
export async function overLimit(
  guards: Safeguards,
  limits: RateLimit[],
  subject: string,
  now: Date,
): Promise<number | undefined> {
  const results = await Promise.all(
    limits.map(async (limit) => {
      const window = fixedWindow(now, limit.windowMs);
      const hits = await guards.limiter.hit(limit, subject, window.start);
      return hits > limit.limit ? window.retryAfterSeconds : undefined;
    }),
  );
  const exceeded = results.filter((seconds): seconds is number => seconds !== undefined);
  return exceeded.length > 0 ? Math.max(...exceeded) : undefined;
}

/** Takes one of the address's confirmation emails for the day; false when they are used up. */
async function mayMailConfirmation(deps: Deps, emailKey: string, now: Date): Promise<boolean> {
  const limit = deps.safeguards.limits.confirmationsPerAddress;
  return (
    (await overLimit(deps.safeguards, [limit], pseudonym(deps.keys, 'email', emailKey), now)) === undefined
  );
}

async function recordConsent(deps: Deps, subscriberId: string, request: SubscribeRequest, now: Date) {
  await deps.safeguards.consents.record(subscriberId, {
    at: now.toISOString(),
    ipHash: request.clientIp ? pseudonym(deps.keys, 'ip', request.clientIp) : undefined,
    userAgent: storableUserAgent(request.userAgent),
    textVersion: consentTextVersion(deps.templates.pages.landing),
  });
}
