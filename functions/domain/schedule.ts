import { DateTime } from 'luxon';
import type { CourseStep } from './course';

/** No two course emails reach one subscriber closer together than this. */
export const MIN_GAP_MS = 12 * 3600 * 1000;

/** Where a subscriber is in time: their zone, their morning hour, and when they confirmed. */
export interface ScheduleAnchor {
  timeZone: string;
  sendHour: number;
  confirmedAt: string;
}

/**
 * When a step is meant to go out, ignoring the gap rule: the subscriber's send hour (plus the step's
 * offset) in their zone, `day` calendar days after the local date of confirmation. Day 0 without an
 * offset is the moment of confirmation (the welcome goes out at once). A local time that does not exist
 * (a spring-forward gap) moves forward by the gap; an ambiguous one (fall back) resolves to one instant.
 */
export function nominalSendTime(
  step: Pick<CourseStep, 'day' | 'hourOffset'>,
  anchor: ScheduleAnchor,
): DateTime {
  const confirmed = DateTime.fromMillis(Date.parse(anchor.confirmedAt), { zone: anchor.timeZone });
  if (step.day === 0 && step.hourOffset === 0) return confirmed;
  const wallHour = anchor.sendHour + step.hourOffset;
  // Calendar arithmetic on the local date alone (no zone lookups): the dispatcher runs this per email.
  const date = new Date(
    Date.UTC(confirmed.year, confirmed.month - 1, confirmed.day + step.day + Math.floor(wallHour / 24)),
  );
  return DateTime.fromObject(
    {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: ((wallHour % 24) + 24) % 24,
    },
    { zone: anchor.timeZone },
  );
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
  const nominal = nominalSendTime(step, anchor).toMillis();
  const earliest = lastSentAt ? Date.parse(lastSentAt) + MIN_GAP_MS : Number.NEGATIVE_INFINITY;
  return new Date(Math.max(nominal, earliest)).toISOString();
}
