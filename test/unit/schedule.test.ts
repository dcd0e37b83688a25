import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type CourseManifest, courseSteps } from '../../functions/domain/course';
import { dueAt, MIN_GAP_MS, nominalSendMillis, type ScheduleAnchor } from '../../functions/domain/schedule';
import manifest from '../../templates/course.json' with { type: 'json' };

const steps = courseSteps(manifest as CourseManifest);

/** The nominal send time as a luxon date-time in the subscriber's zone (luxon is the test's oracle only). */
function nominalSendTime(step: { day: number; hourOffset: number }, anchor: ScheduleAnchor): DateTime {
  return DateTime.fromMillis(nominalSendMillis(step, anchor), { zone: anchor.timeZone });
}
const HOUR = 3600_000;

/** Every send of the course for one subscriber when each goes out exactly when due. */
function simulate(timeZone: string, sendHour: number, confirmedAt: string): string[] {
  const anchor = { timeZone, sendHour, confirmedAt };
  const sends: string[] = [];
  for (const step of steps) sends.push(dueAt(step, anchor, sends.at(-1)));
  return sends;
}

describe('the schedule', () => {
  it('sends the welcome at confirmation and lesson 1 at the next local send hour', () => {
    const sends = simulate('Europe/Paris', 8, '2026-06-10T14:00:00.000Z');
    expect(sends[0]).toBe('2026-06-10T14:00:00.000Z');
    expect(sends[1]).toBe('2026-06-11T06:00:00.000Z'); // 08:00 CEST
  });

  it('handles half-hour and 45-minute zones', () => {
    const kolkata = nominalSendTime(
      { day: 1, hourOffset: 0 },
      { timeZone: 'Asia/Kolkata', sendHour: 8, confirmedAt: '2026-03-01T10:00:00Z' },
    );
    expect(kolkata.toUTC().toISO()).toBe('2026-03-02T02:30:00.000Z');
    const kathmandu = nominalSendTime(
      { day: 1, hourOffset: 0 },
      { timeZone: 'Asia/Kathmandu', sendHour: 8, confirmedAt: '2026-03-01T10:00:00Z' },
    );
    expect(kathmandu.toUTC().toISO()).toBe('2026-03-02T02:15:00.000Z');
  });

  it('moves a local time that does not exist (spring forward) forward by the gap', () => {
    // New York skips 02:00–03:00 on 8 March 2026.
    const at = nominalSendTime(
      { day: 1, hourOffset: 0 },
      { timeZone: 'America/New_York', sendHour: 2, confirmedAt: '2026-03-07T15:00:00Z' },
    );
    expect(at.toISO()).toBe('2026-03-08T03:00:00.000-04:00');
  });

  it('takes an ambiguous local time (fall back) once', () => {
    const sends = simulate('America/New_York', 1, '2026-10-30T15:00:00Z');
    const onFallBackDay = sends.filter((s) => s.startsWith('2026-11-01'));
    expect(onFallBackDay).toHaveLength(1);
  });

  it('keeps the local hour across a DST change during the course', () => {
    const sends = simulate('Europe/London', 8, '2026-03-18T12:00:00Z');
    steps.forEach((step, i) => {
      if (step.kind !== 'lesson') return;
      expect(DateTime.fromISO(sends[i]!, { zone: 'Europe/London' }).hour).toBe(8);
    });
    expect(sends.some((s) => s.endsWith('T08:00:00.000Z'))).toBe(true); // GMT before 29 March
    expect(sends.some((s) => s.endsWith('T07:00:00.000Z'))).toBe(true); // BST after
  });

  it('lets the 12-hour rule win over the local hour when a DST night is short', () => {
    // The day-3 check-in goes out at 20:00 GMT on 28 March; the clocks go forward that night, so
    // 08:00 BST is only 11 hours later and lesson 4 waits until 09:00 BST.
    const sends = simulate('Europe/London', 8, '2026-03-25T12:00:00Z');
    const lesson4 = steps.findIndex((step) => step.key === 'lesson-4');
    expect(sends[lesson4 - 1]).toBe('2026-03-28T20:00:00.000Z');
    expect(sends[lesson4]).toBe('2026-03-29T08:00:00.000Z');
  });

  it('never bunches a late send: the next one waits 12 hours', () => {
    const anchor = { timeZone: 'UTC', sendHour: 8, confirmedAt: '2026-05-01T07:00:00.000Z' };
    // Lesson 1 went out 20 hours late (an outage), at 04:00 on day 2; lesson 2 (due 08:00) shifts to 16:00.
    expect(dueAt(steps[2]!, anchor, '2026-05-03T04:00:00.000Z')).toBe('2026-05-03T16:00:00.000Z');
  });

  it('holds for any zone, hour and date: local hour or later past a gap, in order, 12 hours apart', () => {
    const zones = Intl.supportedValuesOf('timeZone');
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 23 }),
        fc.date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2035-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        (zone, hour, confirmed) => {
          const confirmedAt = confirmed.toISOString();
          const sends = simulate(zone, hour, confirmedAt);
          expect(sends[0]).toBe(confirmedAt);
          for (let i = 1; i < sends.length; i++) {
            const gap = Date.parse(sends[i]!) - Date.parse(sends[i - 1]!);
            expect(gap).toBeGreaterThanOrEqual(MIN_GAP_MS);
            const step = steps[i]!;
            const nominal = nominalSendTime(step, { timeZone: zone, sendHour: hour, confirmedAt });
            const wantedHour = (hour + step.hourOffset) % 24;
            const local = DateTime.fromISO(sends[i]!, { zone });
            if (gap > MIN_GAP_MS) {
              // Not shifted by the gap rule: exactly the nominal time.
              expect(sends[i]).toBe(nominal.toUTC().toISO());
            }
            // The nominal time is the wanted local hour, or later by at most a DST gap (never earlier).
            const wall = nominal.hour * 60 + nominal.minute;
            const wanted = wantedHour * 60;
            const later = (wall - wanted + 24 * 60) % (24 * 60);
            expect(later).toBeLessThanOrEqual(2 * 60);
            expect(local.isValid).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sends every course step on its own local day, in manifest order', () => {
    const sends = simulate('Australia/Sydney', 8, '2026-04-02T01:00:00Z');
    expect(sends).toEqual([...sends].sort());
    expect(sends).toHaveLength(steps.length);
    expect(Date.parse(sends.at(-1)!) - Date.parse(sends[0]!)).toBeGreaterThan(29 * 24 * HOUR);
  });
});
