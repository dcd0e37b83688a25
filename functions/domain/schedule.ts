import type { CourseStep } from './course';
import { addLocalDays, instantOf } from './zoned-time';

/** No two course emails reach one subscriber closer together than this. */
export const MIN_GAP_MS = 12 * 3600 * 1000;

/** Where a subscriber is in time: their zone, their morning hour, and when they confirmed. */
export interface ScheduleAnchor {
  timeZone: string;
  sendHour: number;
  confirmedAt: string;
}

/**
 * When a step is meant to go out, ignoring the gap rule, in epoch milliseconds: the subscriber's send
 * hour (plus the step's offset) in their zone, `day` calendar days after the local date of confirmation.
 * Day 0 without an offset is the moment of confirmation (the welcome goes out at once). A local time that
 * does not exist (a spring-forward gap) moves forward by the gap; an ambiguous one (fall back) is taken
 * at its first occurrence.
 */
export function nominalSendMillis(
  step: Pick<CourseStep, 'day' | 'hourOffset'>,
  anchor: ScheduleAnchor,
): number {
  const confirmed = Date.parse(anchor.confirmedAt);
  if (step.day === 0 && step.hourOffset === 0) return confirmed;
  const wallHour = anchor.sendHour + step.hourOffset;
  const date = addLocalDays(anchor.timeZone, confirmed, step.day + Math.floor(wallHour / 24));
  return instantOf(anchor.timeZone, { ...date, hour: ((wallHour % 24) + 24) % 24, minute: 0 });
}

/**
 * When a step is due: its nominal time, but never less than 12 hours after the previous send. A late
 * send therefore shifts the later ones instead of bunching them, and nothing is skipped.
 */
export function dueAt(
  step: Pick<CourseStep, 'day' | 'hourOffset'>,
  anchor: ScheduleAnchor,
  lastSentAt?: string,
): string {
  const nominal = nominalSendMillis(step, anchor);
  const earliest = lastSentAt ? Date.parse(lastSentAt) + MIN_GAP_MS : Number.NEGATIVE_INFINITY;
  return new Date(Math.max(nominal, earliest)).toISOString();
}
