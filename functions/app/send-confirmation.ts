import { MailRejectedError } from '../domain/errors';
import type { ConfirmationRequest } from '../domain/ports';
import { pseudonym } from '../domain/privacy';
import { fixedWindow } from '../domain/rate-limit';
import { withChange } from '../domain/subscriber';
import { composeConfirmation } from './compose-email';
import type { Deps } from './deps';
import { sendWithRetry } from './send-with-retry';
import { confirmationsLeft } from './subscribe';

/** What became of a queued confirmation; throttling is not among them: it throws, and the queue retries. */
export type ConfirmationOutcome = 'sent' | 'already-sent' | 'not-pending' | 'cap-reached' | 'rejected';

/**
 * Sends the confirmation email a signup queued, once: nothing for a subscriber who is no longer pending,
 * or who was sent a confirmation since the request (a redelivered message, or a newer request that went
 * first), or whose address has used the day's confirmations. Only when the mail service accepts the
 * email are `confirmationSentAt` stamped and one of the day's confirmations used. MailThrottledError
 * (after the short retries) propagates, so the queue delivers the request again later.
 */
export async function sendConfirmation(
  deps: Deps,
  request: ConfirmationRequest,
): Promise<ConfirmationOutcome> {
  const { subscriberId, changeId } = request;
  const [subscriber, change] = await Promise.all([
    deps.store.get(subscriberId),
    changeId ? deps.store.getPendingChange(subscriberId, changeId) : undefined,
  ]);
  if (subscriber?.status !== 'pending') return 'not-pending';
  if (subscriber.confirmationSentAt && subscriber.confirmationSentAt >= request.requestedAt)
    return 'already-sent';
  const now = deps.clock.now();
  const address = pseudonym(deps.keys, 'email', subscriber.emailKey);
  if (!(await confirmationsLeft(deps.safeguards, address, now))) {
    deps.log.info('confirmation cap reached: nothing sent', { subscriberId });
    return 'cap-reached';
  }
  const email = composeConfirmation(deps, withChange(subscriber, change), now, change?.id);
  try {
    await sendWithRetry(deps, email);
  } catch (error) {
    if (!(error instanceof MailRejectedError)) throw error;
    deps.log.warn('confirmation rejected by the mail service', { subscriberId });
    return 'rejected';
  }
  const sentAt = deps.clock.now();
  const limit = deps.safeguards.limits.confirmationsPerAddress;
  await Promise.all([
    deps.store.stampConfirmationSent(subscriberId, sentAt.toISOString()),
    deps.safeguards.limiter.hit(limit, address, fixedWindow(sentAt, limit.windowMs).start),
  ]);
  deps.log.info('confirmation sent', { subscriberId, changed: Boolean(change) });
  return 'sent';
}
