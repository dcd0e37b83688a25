import { MailRejectedError, MailThrottledError } from '../domain/errors';
import { advanceAfterSend } from '../domain/subscriber';
import { emailHash } from '../domain/suppression';
import { composeCourseEmail } from './compose-email';
import type { Deps } from './deps';
import { sendWithRetry } from './send-with-retry';

/** What one delivery attempt did. */
export type DeliveryOutcome = 'sent' | 'not-due' | 'stopped' | 'throttled' | 'rejected' | 'duplicate';

/**
 * Sends a subscriber's current course step, if it is due (README, "The course and how it is sent"): claim
 * the step with a lease, re-read the subscriber just before sending (an unsubscribe that committed first wins),
 * send, then record the step with a condition. A crash between the send and the record lets the lease
 * expire and the step go out once more: one duplicate at worst, never a loss.
 */
export async function deliverDueStep(
  deps: Deps,
  subscriberId: string,
  now: Date,
  beforeSend: () => Promise<void> = async () => {},
): Promise<DeliveryOutcome> {
  const nowIso = now.toISOString();
  const leaseUntil = new Date(now.getTime() + deps.settings.leaseMs).toISOString();
  const claimed = await deps.store.claimDue(subscriberId, nowIso, leaseUntil);
  if (!claimed) return 'not-due';
  const step = deps.steps[claimed.step];
  const current = await deps.store.get(subscriberId);
  if (current?.status !== 'active' || current.step !== claimed.step || !step) return 'stopped';
  if (!current.nextSendAt || current.nextSendAt > nowIso) {
    // The subscriber moved this email (a pause, a new hour) after the due index listed it: not now.
    await deps.store.releaseStep(subscriberId, current.step);
    return 'not-due';
  }
  let messageId: string;
  await beforeSend();
  try {
    ({ messageId } = await sendWithRetry(deps, composeCourseEmail(deps, current, step.key, now)));
  } catch (error) {
    if (error instanceof MailThrottledError) {
      await deps.store.releaseStep(subscriberId, current.step);
      return 'throttled';
    }
    if (error instanceof MailRejectedError) {
      // Suppressed first, as an SES bounce would be: a crash in between leaves the address suppressed.
      await deps.safeguards.suppressions.suppress(emailHash(current.email), 'bounce', nowIso);
      await deps.store.stop(subscriberId, 'bounced', nowIso);
      deps.log.warn('send rejected; subscriber stopped', { subscriberId, email: step.key });
      return 'rejected';
    }
    throw error;
  }
  const sentAt = deps.clock.now().toISOString();
  const next = advanceAfterSend(current, deps.steps, sentAt);
  const outcome = await deps.store.recordSend(
    subscriberId,
    { step: current.step, key: step.key, messageId, sentAt, run: current.restarts || undefined },
    'completed' in next ? { completed: true } : { nextSendAt: next.nextSendAt },
  );
  if (outcome === 'duplicate') return 'duplicate';
  deps.log.info('course email sent', { subscriberId, email: step.key, step: current.step });
  return 'sent';
}
