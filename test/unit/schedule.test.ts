import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type CourseManifest, courseSteps } from '../../functions/domain/course';
import {
  CHECKIN_GAP_MS,
  DAYTIME,
  describeCheckins,
  dueAt,
  keepsToDaytime,
  LESSON_GAP_MS,
  nominalSendMillis,
  planForHour,
  type ScheduleAnchor,
} from '../../functions/domain/schedule';
import manifest from '../../templates/course.json' with { type: 'json' };

const steps = courseSteps(manifest as CourseManifest);

/** The nominal send time as a luxon date-time in the subscriber's zone (luxon is the test's oracle only). */
function nominalSendTime(step: { day: number; hourOffset: number }, anchor: ScheduleAnchor): DateTime {
  return DateTime.fromMillis(nominalSendMillis(step, anchor), { zone: anchor.timeZone });
}
const HOUR = 3600_000;

/** When the day-3 check-in and lesson 4 are due after lesson 3 went out at `lesson3SentAt`, each sent on time. */
function checkinThenLesson4(anchor: ScheduleAnchor, lesson3SentAt: string): [string, string] {
  const checkin = steps.findIndex((step) => step.key === 'checkin-3');
  const checkinAt = dueAt(steps, checkin, anchor, lesson3SentAt);
  return [checkinAt, dueAt(steps, checkin + 1, anchor, checkinAt)];
}

/** Every send of the course for one subscriber when each goes out exactly when due. */
function simulate(timeZone: string, sendHour: number, confirmedAt: string): string[] {
  const anchor = { timeZone, sendHour, confirmedAt };
  const sends: string[] = [];
  steps.forEach((_, index) => {
    sends.push(dueAt(steps, index, anchor, sends.at(-1)));
  });
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

  it.each([
    {
      // The check-in keeps its 20:00 GMT; the clocks go forward that night, so 08:00 BST on 29 March is
      // only 11 hours later, and six hours after the check-in is enough for lesson 4 to keep its hour.
      case: 'keeps lesson 4 at its hour after a short DST night',
      anchor: { timeZone: 'Europe/London', sendHour: 8, confirmedAt: '2026-03-25T12:00:00Z' },
      lesson3SentAt: '2026-03-28T12:00:00.000Z',
      expected: ['2026-03-28T20:00:00.000Z', '2026-03-29T07:00:00.000Z'],
    },
    {
      // Six hours after a 21:00 lesson 3 is 03:00: the check-in waits for 08:00, lesson 4 for 14:00.
      case: 'holds a late check-in that would land at night until 08:00, and lesson 4 six hours after it',
      anchor: { timeZone: 'UTC', sendHour: 8, confirmedAt: '2026-05-01T07:00:00.000Z' },
      lesson3SentAt: '2026-05-04T21:00:00.000Z',
      expected: ['2026-05-05T08:00:00.000Z', '2026-05-05T14:00:00.000Z'],
    },
  ])('after a late lesson 3, $case', ({ anchor, lesson3SentAt, expected }) => {
    expect(checkinThenLesson4(anchor, lesson3SentAt)).toEqual(expected);
  });

  it('never bunches a late send: the next one waits 12 hours', () => {
    const anchor = { timeZone: 'UTC', sendHour: 8, confirmedAt: '2026-05-01T07:00:00.000Z' };
    // Lesson 1 went out 20 hours late (an outage), at 04:00 on day 2; lesson 2 (due 08:00) shifts to 16:00.
    expect(dueAt(steps, 2, anchor, '2026-05-03T04:00:00.000Z')).toBe('2026-05-03T16:00:00.000Z');
  });

  it('holds for any zone, hour and date: lessons at their hour, check-ins by day, spacing kept, in order', () => {
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
          const lessonTimes = sends.filter((_, i) => steps[i]!.kind === 'lesson').map((s) => Date.parse(s));
          for (let i = 1; i < sends.length; i++) {
            const step = steps[i]!;
            const at = Date.parse(sends[i]!);
            expect(at).toBeGreaterThan(Date.parse(sends[i - 1]!));
            const local = DateTime.fromMillis(at, { zone });
            if (keepsToDaytime(step)) {
              const minute = local.hour * 60 + local.minute;
              expect(minute).toBeGreaterThanOrEqual(DAYTIME.firstHour * 60);
              expect(minute).toBeLessThanOrEqual(DAYTIME.lastHour * 60);
              for (const lesson of lessonTimes)
                expect(Math.abs(at - lesson)).toBeGreaterThanOrEqual(CHECKIN_GAP_MS);
            } else if (step.kind === 'lesson') {
              const previousLesson = lessonTimes.filter((t) => t < at).at(-1) ?? Date.parse(sends[0]!);
              expect(at - previousLesson).toBeGreaterThanOrEqual(LESSON_GAP_MS);
              // The chosen hour, or later by at most a DST gap (never earlier), unless spacing held it back.
              const nominal = nominalSendTime(step, { timeZone: zone, sendHour: hour, confirmedAt });
              expect(at).toBeGreaterThanOrEqual(nominal.toMillis());
              const previous = Date.parse(sends[i - 1]!);
              const held = at - previous === (keepsToDaytime(steps[i - 1]!) ? CHECKIN_GAP_MS : LESSON_GAP_MS);
              if (!held) expect(at - nominal.toMillis()).toBeLessThanOrEqual(2 * HOUR);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('puts the day-3 check-in between lesson 3 and lesson 4 in daytime, for every send hour', () => {
    const expected: Record<number, string> = {};
    for (let hour = 0; hour < 24; hour++) {
      const plan = planForHour(steps, hour);
      const at = (key: string) => {
        const p = plan.find((planned) => planned.key === key)!;
        return p.day * 24 + Number(p.time.slice(0, 2));
      };
      expect(at('checkin-3')).toBeGreaterThanOrEqual(at('lesson-3') + 6);
      expect(at('checkin-3')).toBeLessThanOrEqual(at('lesson-4') - 6);
      expected[hour] = plan.find((p) => p.key === 'checkin-3')!.time;
    }
    // Half a day after lesson 3 where that is daytime; otherwise the nearer edge of the night that keeps
    // six hours from both lessons.
    expect(expected).toEqual({
      0: '12:00',
      1: '13:00',
      2: '14:00',
      3: '15:00',
      4: '16:00',
      5: '17:00',
      6: '18:00',
      7: '19:00',
      8: '20:00',
      9: '20:00',
      10: '20:00',
      11: '20:00',
      12: '20:00',
      13: '20:00',
      14: '08:00',
      15: '08:00',
      16: '08:00',
      17: '08:00',
      18: '08:00',
      19: '08:00',
      20: '08:00',
      21: '09:00',
      22: '10:00',
      23: '11:00',
    });
  });

  it('describes the check-in times for the hour chosen', () => {
    expect(describeCheckins(steps, 8)).toBe(
      'Check-ins and follow-ups come in your daytime: day 3 at 20:00; days 8, 14 and 30 at 08:00.',
    );
    expect(describeCheckins(steps, 23)).toBe(
      'Check-ins and follow-ups come in your daytime: day 4 at 11:00; days 8, 14 and 30 at 20:00.',
    );
    expect(describeCheckins(steps, 2)).toBe(
      'Check-ins and follow-ups come in your daytime: day 3 at 14:00; days 8, 14 and 30 at 08:00.',
    );
  });

  it('sends every course step on its own local day, in manifest order', () => {
    const sends = simulate('Australia/Sydney', 8, '2026-04-02T01:00:00Z');
    expect(sends).toEqual([...sends].sort());
    expect(sends).toHaveLength(steps.length);
    expect(Date.parse(sends.at(-1)!) - Date.parse(sends[0]!)).toBeGreaterThan(29 * 24 * HOUR);
  });
});
