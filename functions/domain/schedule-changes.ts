/**
 * What the subscriber may change from the manage page (hour and zone, a pause, a resume, a restart) and
 * how each change re-plans the rest of their course. Pure: the store writes the result conditionally.
 * Every change re-anchors the plan (day 0 moves) so that the next email lands at a send hour, never
 * closer to the last send than the spacing rules allow, and a lesson never on the same local date as the
 * email before it; everything after it follows from the new anchor as usual.
 */
import type { CourseStep } from './course';
import { DomainError } from './errors';
import { dueAt, gapBetween, plannedSendMillis } from './schedule';
import { isStopped, type Subscriber, scheduleAnchor } from './subscriber';
import { addLocalDays, instantOf, wallTimeAt } from './zoned-time';

/** A subscriber may start the course again this many times. */
export const MAX_RESTARTS = 3;

/** The longest pause, in days. */
export const MAX_PAUSE_DAYS = 14;

const DAY_MS = 24 * 3600 * 1000;

/** A change a subscriber asks for. */
export type ScheduleChange =
  | { action: 'update'; sendHour: number; timeZone: string }
  | { action: 'pause'; days: number }
  | { action: 'resume' }
  | { action: 'restart' };

/** Why a change cannot be made in the subscriber's present state. */
export type RefusalReason = 'stopped' | 'not-active' | 'not-paused' | 'restarts-used';

/** A change that the subscriber's state does not allow; nothing is changed. */
export class ChangeRefusedError extends DomainError {
  constructor(readonly reason: RefusalReason) {
    super(`The change is not possible now (${reason}).`);
    this.name = 'ChangeRefusedError';
  }
}

/** The profile fields a change writes (an absent `pausedUntil` ends any pause). */
export interface Replan {
  status: 'active';
  step: number;
  sendHour: number;
  timeZone: string;
  anchorAt: string;
  nextSendAt: string;
  pausedUntil?: string | undefined;
  restarts: number;
}

/** The least time between the send of step `index - 1` and step `index`. */
export function gapBefore(steps: readonly Pick<CourseStep, 'kind'>[], index: number): number {
  const previous = steps[index - 1];
  const step = steps[index];
  return previous && step ? gapBetween(previous, step) : 0;
}

const dateKey = (zone: string, ms: number) => {
  const { year, month, day } = wallTimeAt(zone, ms);
  return year * 10_000 + month * 100 + day;
};

/**
 * Where step `index` goes when the plan restarts from `notBefore` with `timeZone` and `sendHour`: the
 * first of its planned times over candidate day-0 dates (check-ins and follow-ups kept to the daytime) at
 * or after `notBefore` and the spacing after `lastSentAt`, and on a later local date than `lastSentAt`
 * when its day is later than the previous step's.
 */
export function planStep(
  steps: readonly CourseStep[],
  index: number,
  place: { timeZone: string; sendHour: number },
  notBefore: number,
  lastSentAt?: string,
): { anchorAt: string; nextSendAt: string } {
  const step = steps[index];
  if (!step) throw new RangeError(`no course step ${index}`);
  const zone = place.timeZone;
  const last = lastSentAt ? Date.parse(lastSentAt) : undefined;
  const earliest = Math.max(notBefore, last === undefined ? notBefore : last + gapBefore(steps, index));
  const previous = steps[index - 1];
  const laterDate = last !== undefined && previous !== undefined && step.day > previous.day;
  if (step.day === 0 && step.hourOffset === 0) {
    // The welcome goes out at once: day 0 is its own moment.
    const at = new Date(earliest).toISOString();
    return { anchorAt: at, nextSendAt: at };
  }
  for (let shift = -1; shift <= 3; shift++) {
    const dayZero = addLocalDays(zone, earliest, shift - step.day);
    const anchorAt = new Date(instantOf(zone, { ...dayZero, hour: 12, minute: 0 })).toISOString();
    const anchor = { ...place, confirmedAt: anchorAt };
    const at = plannedSendMillis(steps, index, anchor);
    if (at >= earliest && (!laterDate || dateKey(zone, at) > dateKey(zone, last))) {
      return { anchorAt, nextSendAt: dueAt(steps, index, anchor, lastSentAt) };
    }
  }
  throw new Error(`no time found for step ${index}`);
}

/** The index of lesson 1, where a restart begins. */
export function restartStep(steps: readonly CourseStep[]): number {
  return Math.max(
    0,
    steps.findIndex((step) => step.kind === 'lesson'),
  );
}

/** True while a pause the subscriber asked for holds at `now`. */
export function isPaused(subscriber: Subscriber, now: Date): boolean {
  return subscriber.pausedUntil !== undefined && Date.parse(subscriber.pausedUntil) > now.getTime();
}

/**
 * The subscriber's plan after `change` at `now`, or ChangeRefusedError naming why it cannot be made.
 * A stopped subscriber changes nothing; a completed one may only restart.
 */
export function replan(
  subscriber: Subscriber,
  steps: readonly CourseStep[],
  change: ScheduleChange,
  now: Date,
): Replan {
  if (isStopped(subscriber) || subscriber.status === 'pending') throw new ChangeRefusedError('stopped');
  const restarts = subscriber.restarts ?? 0;
  const base = { timeZone: subscriber.timeZone, sendHour: subscriber.sendHour };
  const plan = (step: number, place: typeof base, notBefore: number, pausedUntil?: string): Replan => ({
    status: 'active',
    step,
    ...place,
    ...planStep(steps, step, place, notBefore, subscriber.lastSentAt),
    pausedUntil,
    restarts,
  });
  if (change.action === 'restart') {
    if (restarts >= MAX_RESTARTS) throw new ChangeRefusedError('restarts-used');
    return { ...plan(restartStep(steps), base, now.getTime()), restarts: restarts + 1 };
  }
  if (subscriber.status !== 'active' || !scheduleAnchor(subscriber))
    throw new ChangeRefusedError('not-active');
  const paused = isPaused(subscriber, now) ? subscriber.pausedUntil : undefined;
  switch (change.action) {
    case 'update': {
      const place = { timeZone: change.timeZone, sendHour: change.sendHour };
      return plan(subscriber.step, place, paused ? Date.parse(paused) : now.getTime(), paused);
    }
    case 'pause': {
      const until = new Date(now.getTime() + change.days * DAY_MS).toISOString();
      return plan(subscriber.step, base, Date.parse(until), until);
    }
    case 'resume':
      if (!paused) throw new ChangeRefusedError('not-paused');
      return plan(subscriber.step, base, now.getTime());
  }
}
