/**
 * Wall-clock arithmetic in IANA zones with nothing but cached `Intl.DateTimeFormat`s: a few microseconds
 * per conversion where a general date library takes tens (the dispatcher converts once per email).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per locale, zone and purpose, built once: constructing them is the expensive part. */
function formatterFor(purpose: string, zone: string, locale: string, options: Intl.DateTimeFormatOptions) {
  const key = `${purpose}|${zone}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    formatters.set(key, format);
  }
  return format;
}

const DAY_MS = 86_400_000;

const WALL_CLOCK: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
};

function formatter(zone: string): Intl.DateTimeFormat {
  return formatterFor('wall', zone, 'en-US', WALL_CLOCK);
}

/** A local calendar date and time, as a wall clock in the zone shows it. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** What the wall clock in `zone` shows at the instant `ms`. */
export function wallTimeAt(zone: string, ms: number): WallTime & { second: number } {
  const wall = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(zone).formatToParts(ms)) {
    if (part.type in wall) wall[part.type as keyof typeof wall] = Number(part.value);
  }
  return wall;
}

const QUARTER_HOUR_MS = 900_000;
const offsets = new Map<string, number>();

/**
 * The zone's offset from UTC at the instant `ms`, in milliseconds. Present-day rules change offsets only
 * on quarter-hour boundaries (the course schedules future dates only), so offsets are cached per zone and
 * quarter hour.
 */
function offsetAt(zone: string, ms: number): number {
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  const key = `${zone}|${quarter}`;
  const cached = offsets.get(key);
  if (cached !== undefined) return cached;
  const start = quarter * QUARTER_HOUR_MS;
  const wall = wallTimeAt(zone, start);
  const offset = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - start;
  if (offsets.size > 50_000) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

/**
 * The instant at which the wall clock in `zone` shows `wall`. A wall time that does not exist (skipped
 * by a spring-forward change) moves forward by the gap; one that happens twice (fall back) is taken at
 * its first occurrence.
 */
export function instantOf(zone: string, wall: WallTime): number {
  const local = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const before = offsetAt(zone, local - DAY_MS);
  const after = offsetAt(zone, local + DAY_MS);
  if (before === after && offsetAt(zone, local - before) === before) return local - before;
  const candidates = [local - before, local - after].filter(
    (t, i) => offsetAt(zone, t) === (i === 0 ? before : after),
  );
  if (candidates.length > 0) return Math.min(...candidates);
  // In the gap: keep the offset from before the change, which lands after the gap by as much as it skipped.
  return local - before;
}

/** The local calendar date `days` after the local date of `ms` in `zone` (calendar days, not 24-hour steps). */
export function addLocalDays(
  zone: string,
  ms: number,
  days: number,
): { year: number; month: number; day: number } {
  const wall = wallTimeAt(zone, ms);
  const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** "Friday 27 November at 08:00": an instant as a person in `zone` reads it. */
export function describeLocalTime(zone: string, ms: number): string {
  const format = formatterFor('describe', zone, 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    format.formatToParts(ms).find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} at ${part('hour')}:${part('minute')}`;
}
