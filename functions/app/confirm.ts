import { InvalidTokenError } from '../domain/errors';
import { describeCheckins, plannedSendMillis } from '../domain/schedule';
import {
  confirmSubscriber,
  isStopped,
  type Subscriber,
  scheduleAnchor,
  withChange,
} from '../domain/subscriber';
import { readConfirmSubject, verifyToken } from '../domain/tokens';
import { describeLocalTime } from '../domain/zoned-time';
import { countConfirmed } from './count';
import { deliverDueStep } from './deliver';
import type { Deps } from './deps';

/** What a confirm link did; every kind shows a page, none is an error. */
export type ConfirmOutcome =
  | {
      kind: 'confirmed' | 'already-confirmed';
      subscriber: Subscriber;
      firstLessonAt: string | undefined;
      /** When check-ins and follow-ups come for the subscriber's hour, as one sentence. */
      checkinTimes: string;
    }
  | { kind: 'stopped' };

/**
 * Confirms a double opt-in and sends the welcome email through the same claim-send-record path as the
 * dispatcher, so it goes out once however often the link is clicked. A second click shows the same page.
 * A link that carries a pending change (new details from a later signup) confirms with those details;
 * any other link confirms the details stored at signup, whatever was asked since.
 * Throws InvalidTokenError for a tampered, expired or unknown link.
 */
export async function confirm(deps: Deps, token: string): Promise<ConfirmOutcome> {
  const now = deps.clock.now();
  const { subscriberId: id, changeId } = readConfirmSubject(
    verifyToken(deps.keys, 'confirm', token, now.getTime()),
  );
  const [subscriber, change] = await Promise.all([
    deps.store.get(id),
    changeId ? deps.store.getPendingChange(id, changeId) : undefined,
  ]);
  if (!subscriber) throw new InvalidTokenError('signature');
  if (isStopped(subscriber)) return { kind: 'stopped' };
  if (subscriber.status === 'pending') {
    if (changeId && !change) throw new InvalidTokenError('expired');
    const confirmed = confirmSubscriber(withChange(subscriber, change), deps.steps, now);
    if (await deps.store.activate(confirmed)) {
      deps.log.info('subscriber confirmed', { subscriberId: id });
      await countConfirmed(deps, confirmed);
      await deliverDueStep(deps, id, now).catch((error: Error) => {
        // The welcome stays due; the dispatcher sends it on its next run.
        deps.log.warn('welcome not sent at confirmation', { subscriberId: id, error: error.name });
      });
      return { kind: 'confirmed', subscriber: confirmed, ...scheduleText(deps, confirmed) };
    }
  }
  // A second click (or a race with another click) shows the same news without doing anything again.
  const current = (await deps.store.get(id)) ?? subscriber;
  // Counted again (a no-op) in case the first click stopped between confirming and counting.
  await countConfirmed(deps, current);
  return { kind: 'already-confirmed', subscriber: current, ...scheduleText(deps, current) };
}

/** "Friday 27 November at 08:00" for the first lesson, and the check-in times for the subscriber's hour. */
function scheduleText(deps: Deps, subscriber: Subscriber) {
  const lesson = deps.steps.findIndex((step) => step.kind === 'lesson');
  const anchor = scheduleAnchor(subscriber);
  const at = lesson >= 0 && anchor ? plannedSendMillis(deps.steps, lesson, anchor) : undefined;
  return {
    firstLessonAt: at === undefined ? undefined : describeLocalTime(subscriber.timeZone, at),
    checkinTimes: describeCheckins(deps.steps, subscriber.sendHour),
  };
}
