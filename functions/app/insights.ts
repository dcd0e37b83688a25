/**
 * The operator's figures for a range of days: one query per day of facts, one paged query of the open
 * questions index for what is open and overdue now. Never a scan.
 */
import { ValidationError } from '../domain/errors';
import { type Figures, tally } from '../domain/figures';
import type { Clock, QuestionStore, StatsStore } from '../domain/ports';
import { ESCALATE_AFTER_MS } from '../domain/questions';
import { daysBetween, type StatFact } from '../domain/stat-facts';
import type { Deps } from './deps';

/** What reading the figures needs: no mailer, no signing key. */
export type InsightsDeps = {
  stats: StatsStore;
  questions: QuestionStore;
  clock: Clock;
  steps: Deps['steps'];
};

/** A range of UTC days; either end may be left open (all time). */
export interface DayRange {
  since?: string | undefined;
  until?: string | undefined;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The longest range read at once (ten years of days). */
export const MAX_RANGE_DAYS = 3660;

/** True for a real calendar day written `yyyy-mm-dd` (not 2026-02-30). */
function isDay(value: string): boolean {
  const ms = Date.parse(`${value}T00:00:00Z`);
  return DAY.test(value) && Number.isFinite(ms) && new Date(ms).toISOString().startsWith(value);
}

/** Checks a range as an operator typed it; throws ValidationError naming the bad end. */
export function checkRange(range: DayRange): DayRange {
  const fields: Record<string, string> = {};
  for (const end of ['since', 'until'] as const) {
    const value = range[end];
    if (value !== undefined && !isDay(value))
      fields[end] = `"${value.slice(0, 20)}" is not a day like 2026-11-30.`;
  }
  if (!fields.since && !fields.until && range.since && range.until && range.since > range.until)
    fields.until = 'must be on or after --since.';
  if (Object.keys(fields).length > 0) throw new ValidationError(fields, 'The date range is not valid.');
  return range;
}

/**
 * The days to read: from the range's start (else the first signup) to its end (else today, or the day the
 * latest signup's course ends, whichever is later: a clock moved forward locally is still all of time).
 */
async function daysOf(deps: InsightsDeps, range: DayRange): Promise<string[]> {
  const today = deps.clock.now().toISOString().slice(0, 10);
  const signups = await deps.stats.signupDays();
  const courseDays = Math.max(0, ...deps.steps.map((step) => step.day)) + 2;
  const courseEnd = signups
    ? new Date(Date.parse(`${signups.last}T00:00:00Z`) + courseDays * 86_400_000).toISOString().slice(0, 10)
    : today;
  const since = range.since ?? signups?.first ?? today;
  const until = range.until ?? [courseEnd, today].sort().at(-1) ?? today;
  return daysBetween(since, until, MAX_RANGE_DAYS);
}

/** How many open questions were received at or before `receivedBy`. */
async function countOpen(questions: QuestionStore, receivedBy: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await questions.listOpen(receivedBy, cursor);
    count += page.ids.length;
    cursor = page.cursor;
  } while (cursor);
  return count;
}

/** Reads and tallies the figures of a range (checked with `checkRange`). */
export async function readFigures(deps: InsightsDeps, range: DayRange = {}): Promise<Figures> {
  const days = await daysOf(deps, checkRange(range));
  const facts: StatFact[] = [];
  // A few days at a time: quick over a long range, gentle on the table.
  for (let i = 0; i < days.length; i += 8) {
    const batch = await Promise.all(days.slice(i, i + 8).map((day) => deps.stats.factsOn(day)));
    facts.push(...batch.flat());
  }
  const now = deps.clock.now();
  return tally({
    facts,
    keys: deps.steps.map((step) => step.key),
    days,
    open: await countOpen(deps.questions, now.toISOString()),
    overdue: await countOpen(deps.questions, new Date(now.getTime() - ESCALATE_AFTER_MS).toISOString()),
  });
}
