import {
  mayResendConfirmation,
  newSubscriber,
  normaliseEmail,
  type SignupInput,
  type Subscriber,
} from '../domain/subscriber';
import { composeConfirmation } from './compose-email';
import type { Deps } from './deps';
import { sendWithRetry } from './send-with-retry';

/** A signup as the HTTP layer hands it over: validated fields, plus the honeypot a bot may fill. */
export interface SubscribeRequest extends SignupInput {
  honeypot?: string | undefined;
}

/** What happened, for logs and tests only: the HTTP answer is the same in every case. */
export type SubscribeOutcome = 'created' | 'resent' | 'ignored' | 'honeypot';

/**
 * Starts a double opt-in. A new address is stored as pending and sent a confirmation link; a pending one
 * gets a new link at most once per resend window (and may correct its details); anyone else gets
 * nothing. The caller answers the same way whatever the outcome, so nobody learns who is subscribed.
 */
export async function subscribe(deps: Deps, request: SubscribeRequest): Promise<SubscribeOutcome> {
  if (request.honeypot) return 'honeypot';
  const now = deps.clock.now();
  const existing = await deps.store.findByEmail(normaliseEmail(request.email));
  if (!existing) {
    const subscriber = {
      ...newSubscriber(deps.newId(), request, now),
      confirmationSentAt: now.toISOString(),
    };
    if (await deps.store.create(subscriber)) {
      await sendConfirmation(deps, subscriber, now);
      deps.log.info('subscriber created', { subscriberId: subscriber.id });
      return 'created';
    }
    // Another request created the same address a moment ago: treat this one as a repeat.
    return 'ignored';
  }
  if (!mayResendConfirmation(existing, now, deps.settings.confirmResendMs)) return 'ignored';
  const sentBefore = new Date(now.getTime() - deps.settings.confirmResendMs).toISOString();
  const details = { firstName: request.firstName, timeZone: request.timeZone, sendHour: request.sendHour };
  if (!(await deps.store.stampConfirmationSent(existing.id, now.toISOString(), sentBefore, details)))
    return 'ignored';
  await sendConfirmation(deps, { ...existing, ...details }, now);
  deps.log.info('confirmation resent', { subscriberId: existing.id });
  return 'resent';
}

async function sendConfirmation(deps: Deps, subscriber: Subscriber, now: Date): Promise<void> {
  await sendWithRetry(deps, composeConfirmation(deps, subscriber, now));
}
