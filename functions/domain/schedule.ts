import type { CourseStep } from './course';
import { addLocalDays, instantOf, wallTimeAt } from './zoned-time';

const HOUR_MS = 3600 * 1000;

/** Two lessons (and the welcome and lesson 1) never reach one subscriber closer together than this. */
export const LESSON_GAP_MS = 12 * HOUR_MS;

/** A check-in or follow-up never comes closer than this to any other email of the course. */
export const CHECKIN_GAP_MS = 6 * HOUR_MS;

/**
 * The local daytime in which an email whose hour the subscriber did not choose may fall due: from 08:00
 * to 20:00. The last due time is an hour before 21:00 so that a send picked up by a later tick of the
 * dispatcher still arrives before night.
 */
export const DAYTIME = { firstHour: 8, lastHour: 20 } as const;

/** Where a subscriber is in time: their zone, their chosen hour, and when they confirmed. */
export interface ScheduleAnchor {
  timeZone: string;
  sendHour: number;
  confirmedAt: string;
}

/** What the schedule needs to know about a step. */
export type StepTiming = Pick<CourseStep, 'kind' | 'day' | 'hourOffset'>;

/**
 * True for emails whose hour the subscriber did not choose (check-ins and follow-ups): they keep to the
 * local daytime. Lessons come at the chosen hour, whatever it is; the welcome comes at the confirming click.
 */
export function keepsToDaytime(step: Pick<CourseStep, 'kind'>): boolean {
  return step.kind === 'checkin' || step.kind === 'followup';
}

/**
 * The step's nominal time in epoch milliseconds: the subscriber's send hour (plus the step's offset) in
 * their zone, `day` calendar days after the local date of confirmation. Day 0 without an offset is the
 * moment of confirmation (the welcome goes out at once). A local time that does not exist (a
 * spring-forward gap) moves forward by the gap; an ambiguous one (fall back) is taken at its first
 * occurrence.
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

function minuteOfDay(zone: string, ms: number): number {
  const wall = wallTimeAt(zone, ms);
  return wall.hour * 60 + wall.minute + wall.second / 60;
}

function isDaytime(zone: string, ms: number): boolean {
  const minute = minuteOfDay(zone, ms);
  return minute >= DAYTIME.firstHour * 60 && minute <= DAYTIME.lastHour * 60;
}

/** The instant at `hour`:00 local, `days` calendar days after the local date of `ms`. */
function localHour(zone: string, ms: number, days: number, hour: number): number {
  return instantOf(zone, { ...addLocalDays(zone, ms, days), hour, minute: 0 });
}

/** The first daytime moment at or after `ms`: itself, 08:00 the same morning, or 08:00 the next one. */
function nextDaytime(zone: string, ms: number): number {
  if (isDaytime(zone, ms)) return ms;
  const early = minuteOfDay(zone, ms) < DAYTIME.firstHour * 60;
  return localHour(zone, ms, early ? 0 : 1, DAYTIME.firstHour);
}

/**
 * When a step is planned, before any delay: lessons and the welcome at their nominal time. A check-in or
 * follow-up whose nominal time falls at night moves to the daytime edge of the same local date (08:00 for
 * the small hours, 20:00 for the late evening); when that would bring it within 6 hours of a lesson, it
 * takes the other side of the night instead (20:00 the evening before, or 08:00 the morning after).
 */
export function plannedSendMillis(
  steps: readonly StepTiming[],
  index: number,
  anchor: ScheduleAnchor,
): number {
  const step = steps[index];
  if (!step) throw new RangeError(`no course step ${index}`);
  const nominal = nominalSendMillis(step, anchor);
  const zone = anchor.timeZone;
  if (!keepsToDaytime(step) || isDaytime(zone, nominal)) return nominal;
  const early = minuteOfDay(zone, nominal) < DAYTIME.firstHour * 60;
  const sameDate = localHour(zone, nominal, 0, early ? DAYTIME.firstHour : DAYTIME.lastHour);
  const otherSide = early
    ? localHour(zone, nominal, -1, DAYTIME.lastHour)
    : localHour(zone, nominal, 1, DAYTIME.firstHour);
  const lessons = steps.filter((s) => s.kind === 'lesson').map((s) => nominalSendMillis(s, anchor));
  const clearOfLessons = (at: number) => lessons.every((lesson) => Math.abs(at - lesson) >= CHECKIN_GAP_MS);
  return clearOfLessons(sameDate) || !clearOfLessons(otherSide) ? sameDate : otherSide;
}

/** The least time between two course emails sent one after the other: 12 hours between lessons, 6 next to a check-in or follow-up. */
export function gapBetween(previous: Pick<CourseStep, 'kind'>, next: Pick<CourseStep, 'kind'>): number {
  return keepsToDaytime(next) || keepsToDaytime(previous) ? CHECKIN_GAP_MS : LESSON_GAP_MS;
}

/**
 * When step `index` is due, given when the one before it went out: its planned time, but never closer to
 * the previous send than the spacing rules allow (12 hours between lessons, 6 hours next to a check-in or
 * follow-up). A late send therefore shifts the later ones instead of bunching them, and nothing is
 * skipped; a check-in or follow-up shifted into the night waits for 08:00.
 */
export function dueAt(
  steps: readonly StepTiming[],
  index: number,
  anchor: ScheduleAnchor,
  lastSentAt?: string,
): string {
  const step = steps[index];
  if (!step) throw new RangeError(`no course step ${index}`);
  const planned = plannedSendMillis(steps, index, anchor);
  if (!lastSentAt) return new Date(planned).toISOString();
  const earliest = Date.parse(lastSentAt) + gapBetween(steps[index - 1] ?? step, step);
  if (planned >= earliest) return new Date(planned).toISOString();
  const shifted = keepsToDaytime(step) ? nextDaytime(anchor.timeZone, earliest) : earliest;
  return new Date(shifted).toISOString();
}

/** The local day of the course and the wall-clock time at which a step goes out, for one send hour. */
export interface PlannedTime {
  key: string;
  kind: CourseStep['kind'];
  day: number;
  /** "08:00". */
  time: string;
}

const DAY_MS = 24 * HOUR_MS;

/**
 * The plan for a send hour, as the subscriber's own clock shows it on days without a clock change (a
 * change only moves a time forward past its gap, or holds an email until the spacing rules are met).
 */
export function planForHour(
  steps: readonly (StepTiming & { key: string })[],
  sendHour: number,
): PlannedTime[] {
  const confirmedAt = '2026-01-05T00:00:00.000Z';
  const anchor = { timeZone: 'UTC', sendHour, confirmedAt };
  const start = Date.parse(confirmedAt);
  return steps.map((step, index) => {
    const at = plannedSendMillis(steps, index, anchor);
    return {
      key: step.key,
      kind: step.kind,
      day: Math.floor((at - start) / DAY_MS),
      time: new Date(at).toISOString().slice(11, 16),
    };
  });
}

function listOf(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * One sentence on when check-ins and follow-ups arrive for a send hour, e.g. "Check-ins and follow-ups
 * come in your daytime: day 3 at 20:00; days 8, 14 and 30 at 08:00."
 */
export function describeCheckins(steps: readonly (StepTiming & { key: string })[], sendHour: number): string {
  const groups: { time: string; days: number[] }[] = [];
  for (const planned of planForHour(steps, sendHour).filter((p) => keepsToDaytime(p))) {
    const last = groups.at(-1);
    if (last?.time === planned.time) last.days.push(planned.day);
    else groups.push({ time: planned.time, days: [planned.day] });
  }
  const parts = groups.map(
    ({ time, days }) => `${days.length > 1 ? 'days' : 'day'} ${listOf(days.map(String))} at ${time}`,
  );
  return `Check-ins and follow-ups come in your daytime: ${parts.join('; ')}.`;
}
