import { parseSesEvent, type SesEvent } from '../domain/ses-events';
import { advanceAfterSend, normaliseEmail, type Subscriber } from '../domain/subscriber';
import { emailHash, type SuppressionReason, TRANSIENT_BOUNCE_LIMIT } from '../domain/suppression';
import { countExit, countMailEvent } from './count';
import type { Deps } from './deps';

/** What one SES event did (for logs and tests). */
export type SesEventOutcome =
  /** A complaint, a permanent bounce or one transient bounce too many: the address is suppressed. */
  | 'suppressed'
  /** A transient bounce, counted. */
  | 'counted'
  /** A delivery the dispatcher had not recorded (it stopped between the send and the record): recorded now. */
  | 'recorded'
  /** A delivery (or a reject or rendering failure) that needed nothing done; or a replay of an event. */
  | 'unchanged'
  /** An event type this product does not act on. */
  | 'ignored'
  /** Not an SES event we can read: logged (ids only) and skipped. */
  | 'malformed';

/**
 * Acts on one SES event from the configuration set. A complaint or a permanent bounce stops all mail to
 * the subscriber at once and suppresses the address; three transient bounces in a row do the same (a
 * delivery starts the count again); a delivery the send ledger lacks is recorded, so the step is not
 * sent twice. Every effect is a conditional write, so a replayed event changes nothing. A malformed
 * event is logged and skipped; only a failing store throws (the event is then retried).
 */
export async function handleSesEvent(deps: Deps, raw: unknown): Promise<SesEventOutcome> {
  const event = parseSesEvent(raw);
  if ('malformed' in event) {
    deps.log.warn('ses event skipped: malformed', { problem: event.malformed });
    return 'malformed';
  }
  if ('ignored' in event) return 'ignored';
  const subscriber = await subscriberOf(deps, event);
  const ids = {
    subscriberId: subscriber?.id,
    messageId: event.messageId,
    email: event.key,
    kind: event.kind,
  };
  await countMailEvent(deps, event, subscriber);

  switch (event.kind) {
    case 'complaint':
      return suppress(deps, event, subscriber, 'complaint', ids);
    case 'bounce': {
      if (event.bounceType === 'permanent') return suppress(deps, event, subscriber, 'bounce', ids);
      if (!subscriber) return 'unchanged';
      // Marked on the profile first, so a counted bounce is never without its mark (a retry marks again).
      await deps.store.markTransientBounce(subscriber.id, event.at);
      const count = await deps.safeguards.bounces.countTransient(
        subscriber.id,
        event.feedbackId ?? '',
        event.at,
      );
      if (count >= TRANSIENT_BOUNCE_LIMIT) return suppress(deps, event, subscriber, 'bounce', ids);
      deps.log.info('transient bounce counted', { ...ids, count });
      return 'counted';
    }
    case 'delivery':
      if (!subscriber) return 'unchanged';
      // Only someone with a transient bounce counted has a count to reset; for everyone else (nearly every
      // delivery) the profile already read says so, and nothing more is read.
      if (subscriber.transientBounceAt) await deps.safeguards.bounces.resetTransient(subscriber.id, event.at);
      return reconcileDelivery(deps, event, subscriber, ids);
    default:
      // Reject (SES found a virus) and rendering failure: nothing reached the person; the logs and the
      // alarms are where an operator sees it.
      deps.log.warn('ses could not deliver an email', ids);
      return 'unchanged';
  }
}

/** The subscriber an event is about: by the `subscriber` tag, else (mail sent before tags) by address. */
async function subscriberOf(deps: Deps, event: SesEvent): Promise<Subscriber | undefined> {
  if (event.subscriberId) return deps.store.get(event.subscriberId);
  for (const address of event.recipients) {
    const found = await deps.store.findByEmail(normaliseEmail(address));
    if (found) return found;
  }
  return undefined;
}

async function suppress(
  deps: Deps,
  event: SesEvent,
  subscriber: Subscriber | undefined,
  reason: SuppressionReason,
  ids: Record<string, unknown>,
): Promise<SesEventOutcome> {
  // The address is suppressed before the subscriber stops: a crash in between leaves it suppressed,
  // and the retried event stops the subscriber.
  const hashes = new Set(event.recipients.map(emailHash));
  if (subscriber) hashes.add(emailHash(subscriber.email));
  let changed = false;
  for (const hash of hashes)
    changed = (await deps.safeguards.suppressions.suppress(hash, reason, event.at)) || changed;
  if (subscriber) {
    const status = reason === 'complaint' ? 'complained' : 'bounced';
    changed = (await deps.store.stop(subscriber.id, status, event.at)) || changed;
    await countExit(deps, subscriber.id);
  }
  if (!changed) return 'unchanged';
  deps.log.warn('address suppressed', { ...ids, reason });
  return 'suppressed';
}

/**
 * Records a delivered course step that the ledger lacks. The dispatcher records every send itself; this
 * closes the one gap it has, a stop between SES accepting the email and the record, which would otherwise
 * let the step go out again when the claim's lease expires, and the one between the profile moving on
 * and its ledger row, which would leave the email out of the expert's context, the export and the
 * figures. Both writes are conditional, so a delivery that was recorded already changes nothing.
 */
async function reconcileDelivery(
  deps: Deps,
  event: SesEvent,
  subscriber: Subscriber,
  ids: Record<string, unknown>,
): Promise<SesEventOutcome> {
  const step = deps.steps.find((candidate) => candidate.key === event.key);
  if (!step || subscriber.step < step.index) return 'unchanged';
  const record = {
    step: step.index,
    key: step.key,
    messageId: event.messageId,
    sentAt: event.sentAt,
    run: subscriber.restarts || undefined,
  };
  if (subscriber.step > step.index) {
    // The profile moved on but the ledger row was never written: the crash came between the two writes.
    if (!(await deps.store.completeLedger(subscriber, record))) return 'unchanged';
    deps.log.warn('delivered email recorded in the ledger from its SES event', { ...ids, step: step.index });
    return 'recorded';
  }
  const next = advanceAfterSend(subscriber, deps.steps, event.sentAt);
  const outcome = await deps.store.recordSend(
    subscriber.id,
    record,
    'completed' in next ? { completed: true } : { nextSendAt: next.nextSendAt },
  );
  if (outcome === 'duplicate') return 'unchanged';
  deps.log.warn('delivered email recorded from its SES event', { ...ids, step: step.index });
  return 'recorded';
}
