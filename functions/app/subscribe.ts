import type { ConfirmationRequest } from '../domain/ports';
import { consentTextVersion, pseudonym, storableUserAgent } from '../domain/privacy';
import { fixedWindow, type RateLimit, RateLimitedError } from '../domain/rate-limit';
import type { Safeguards } from '../domain/safeguards';
import {
  changeOfDetails,
  mayResendConfirmation,
  newSubscriber,
  normaliseEmail,
  type SignupInput,
  type Subscriber,
} from '../domain/subscriber';
import { emailHash } from '../domain/suppression';
import { countSignup } from './count';
import type { Deps } from './deps';

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
 * Starts a double opt-in. A new address is stored as pending and its confirmation email is queued; a
 * pending one gets a new one at most once per resend window, and new details it brings are kept aside
 * until the link carrying them is clicked; anyone else gets nothing. The email itself is sent from the
 * queue (see sendConfirmation), so the mail service's throttling or failure never reaches the answer,
 * which is the same whatever the outcome: nobody learns who is subscribed.
 * A client or an address over its signup limits gets RateLimitedError; a suppressed address (bounced,
 * complained, erased) gets the normal answer and no email; a consent record is kept of each signup that
 * stores a person or asks for new details.
 *
 * DynamoDB round trips of a new address, one after the other: (1) the client's counters, with the reads
 * (suppression, the address, the day's confirmations); (2) the address's counter; (3) the profile, the
 * address pointer and the consent record together. The client goes first: a script cycling through
 * addresses is stopped before it touches their counters.
 */
export async function subscribe(deps: Deps, request: SubscribeRequest): Promise<SubscribeOutcome> {
  if (request.honeypot) return 'honeypot';
  const now = deps.clock.now();
  const emailKey = normaliseEmail(request.email);
  const address = pseudonym(deps.keys, 'email', emailKey);
  const reads = Promise.all([
    deps.safeguards.suppressions.isSuppressed(emailHash(emailKey)),
    deps.store.findByEmail(emailKey),
    confirmationsLeft(deps.safeguards, address, now),
  ]);
  // Awaited below; a refusal first must not leave it unhandled.
  reads.catch(() => undefined);
  await enforceSignupLimits(deps, deps.safeguards, request, address, now);
  const [suppressed, existing, mayMail] = await reads;
  if (suppressed) {
    deps.log.info('signup of a suppressed address: nothing sent');
    return 'suppressed';
  }
  if (!mayMail) {
    deps.log.info('confirmation cap reached: nothing sent', { subscriberId: existing?.id });
    return 'ignored';
  }
  return existing ? resend(deps, existing, request, now) : create(deps, request, now);
}

/** A new address: the profile (with its resend window taken), its pointer and consent, then the queue. */
async function create(deps: Deps, request: SubscribeRequest, now: Date): Promise<SubscribeOutcome> {
  const subscriber: Subscriber = {
    ...newSubscriber(deps.newId(), request, now),
    confirmationRequestedAt: now.toISOString(),
  };
  const [created] = await Promise.all([
    deps.store.create(subscriber),
    recordConsent(deps, subscriber.id, request, now),
  ]);
  if (!created) {
    // Another request created the same address a moment ago: this one stored nobody.
    await deps.safeguards.consents.forget(subscriber.id, now.toISOString());
    return 'ignored';
  }
  await countSignup(deps, subscriber);
  await queueConfirmation(deps, { subscriberId: subscriber.id, requestedAt: now.toISOString() });
  deps.log.info('subscriber created', { subscriberId: subscriber.id });
  return 'created';
}

/** A pending address past its resend window: a new email, carrying any new details as a pending change. */
async function resend(
  deps: Deps,
  existing: Subscriber,
  request: SubscribeRequest,
  now: Date,
): Promise<SubscribeOutcome> {
  if (!mayResendConfirmation(existing, now, deps.settings.confirmResendMs)) return 'ignored';
  const requestedBefore = new Date(now.getTime() - deps.settings.confirmResendMs).toISOString();
  const change = changeOfDetails(existing, request, deps.newId(), now);
  const [requested] = await Promise.all([
    deps.store.requestConfirmation(existing.id, now.toISOString(), requestedBefore),
    // Kept aside whether or not this request wins the window: unreferenced, it expires unused.
    change ? deps.store.addPendingChange(existing.id, change) : undefined,
    recordConsent(deps, existing.id, request, now),
  ]);
  if (!requested) return 'ignored';
  // Counted again (a no-op) in case the first request stopped between storing and counting.
  await countSignup(deps, existing);
  await queueConfirmation(deps, {
    subscriberId: existing.id,
    requestedAt: now.toISOString(),
    changeId: change?.id,
  });
  deps.log.info('confirmation asked again', { subscriberId: existing.id, changed: Boolean(change) });
  return 'resent';
}

/**
 * Hands the email to the queue. If the queue cannot take it, the answer stays the same (it must not
 * differ for new addresses); the person may sign up again once the resend window has passed.
 */
async function queueConfirmation(deps: Deps, request: ConfirmationRequest) {
  await deps.confirmations.enqueue(request).catch((error: Error) => {
    deps.log.error('confirmation could not be queued', {
      subscriberId: request.subscriberId,
      error: error.name,
    });
  });
}

/** Counts the signup against every limit of the client, then of the address; throws when one is exceeded. */
async function enforceSignupLimits(
  deps: Deps,
  guards: Safeguards,
  request: SubscribeRequest,
  address: string,
  now: Date,
): Promise<void> {
  if (request.clientIp) {
    const client = pseudonym(deps.keys, 'ip', request.clientIp);
    const retryAfter = await overLimit(guards, guards.limits.perClient, client, now);
    if (retryAfter !== undefined) {
      deps.log.warn('signup refused: client over its limit', { client: client.slice(0, 12) });
      throw new RateLimitedError(retryAfter);
    }
  }
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

/**
 * True while the address has confirmation emails left today. Only a confirmation the mail service
 * accepted uses one (sendConfirmation counts it), so a throttled or failed send costs nothing.
 */
export async function confirmationsLeft(guards: Safeguards, address: string, now: Date): Promise<boolean> {
  const limit = guards.limits.confirmationsPerAddress;
  return (await guards.limiter.count(limit, address, fixedWindow(now, limit.windowMs).start)) < limit.limit;
}

async function recordConsent(deps: Deps, subscriberId: string, request: SubscribeRequest, now: Date) {
  await deps.safeguards.consents.record(subscriberId, {
    at: now.toISOString(),
    ipHash: request.clientIp ? pseudonym(deps.keys, 'ip', request.clientIp) : undefined,
    userAgent: storableUserAgent(request.userAgent),
    textVersion: consentTextVersion(deps.templates.pages.landing),
  });
}
