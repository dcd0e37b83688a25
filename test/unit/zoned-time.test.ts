import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { describeLocalTime, instantOf, wallTimeAt } from '../../functions/domain/zoned-time';

const zones = Intl.supportedValuesOf('timeZone');
const instants = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) })
  .map((ms) => ms - (ms % 60_000));

describe('wall-clock arithmetic in time zones', () => {
  it('reads the wall clock as luxon does', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instants, (zone, ms) => {
        const ours = wallTimeAt(zone, ms);
        const theirs = DateTime.fromMillis(ms, { zone });
        expect([ours.year, ours.month, ours.day, ours.hour, ours.minute]).toEqual([
          theirs.year,
          theirs.month,
          theirs.day,
          theirs.hour,
          theirs.minute,
        ]);
      }),
      { numRuns: 500 },
    );
  });

  it('turns any wall time it read back into the same instant, or its first occurrence when ambiguous', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instants, (zone, ms) => {
        const back = instantOf(zone, wallTimeAt(zone, ms));
        expect(back).toBeLessThanOrEqual(ms);
        expect(wallTimeAt(zone, back)).toEqual(wallTimeAt(zone, ms));
        // Only a repeated hour (fall back) can give an earlier instant, and never by more than 3 hours.
        expect(ms - back).toBeLessThanOrEqual(3 * 3600_000);
      }),
      { numRuns: 1000 },
    );
  });

  it('moves a wall time that does not exist forward by the gap', () => {
    // New York skips 02:00–03:00 on 8 March 2026; Lord Howe skips 02:00–02:30 on 4 October 2026.
    expect(
      new Date(
        instantOf('America/New_York', { year: 2026, month: 3, day: 8, hour: 2, minute: 30 }),
      ).toISOString(),
    ).toBe('2026-03-08T07:30:00.000Z');
    const lordHowe = instantOf('Australia/Lord_Howe', { year: 2026, month: 10, day: 4, hour: 2, minute: 15 });
    expect(wallTimeAt('Australia/Lord_Howe', lordHowe)).toMatchObject({ hour: 2, minute: 45 });
  });

  it('takes a repeated wall time at its first occurrence', () => {
    // New York repeats 01:00–02:00 on 1 November 2026: 01:30 EDT comes first.
    expect(
      new Date(
        instantOf('America/New_York', { year: 2026, month: 11, day: 1, hour: 1, minute: 30 }),
      ).toISOString(),
    ).toBe('2026-11-01T05:30:00.000Z');
  });

  it('describes an instant as a person in the zone reads it', () => {
    const at = Date.parse('2026-11-27T02:30:00Z');
    expect(describeLocalTime('Asia/Kolkata', at)).toBe('Friday 27 November at 08:00');
    expect(describeLocalTime('America/Los_Angeles', at)).toBe('Thursday 26 November at 18:30');
  });
});
