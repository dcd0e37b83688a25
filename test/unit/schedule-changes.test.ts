/** The pure re-planning behind the manage page: every change keeps the schedule's promises. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { templates } from '../../functions/compose';
import { courseSteps } from '../../functions/domain/course';
import { DAYTIME, keepsToDaytime } from '../../functions/domain/schedule';
import {
  ChangeRefusedError,
  gapBefore,
  MAX_RESTARTS,
  replan,
  restartStep,
  type ScheduleChange,
} from '../../functions/domain/schedule-changes';
import { advanceAfterSend, type Subscriber } from '../../functions/domain/subscriber';
import { wallTimeAt } from '../../functions/domain/zoned-time';

const steps = courseSteps(templates.manifest);
const HOUR = 3600_000;
const ZONES = ['Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns', 'Europe/Berlin'];

function active(overrides: Partial<Subscriber> = {}): Subscriber {
  return {
    id: 'ann',
    email: 'ann@example.com',
    emailKey: 'ann@example.com',
    firstName: 'Ann',
    timeZone: 'Europe/Berlin',
    sendHour: 20,
    status: 'active',
    createdAt: '2026-03-20T10:00:00.000Z',
    confirmedAt: '2026-03-20T10:00:00.000Z',
    step: 3,
    lastSentAt: '2026-03-22T19:00:00.000Z',
    nextSendAt: '2026-03-23T19:00:00.000Z',
    ...overrides,
  };
}

const local = (zone: string, iso: string) => wallTimeAt(zone, Date.parse(iso));

describe('re-planning a change', () => {
  it('moves the hour earlier mid-course without two lessons in one day or within 12 hours', () => {
    const now = new Date('2026-03-22T19:30:00.000Z');
    const earlier = { action: 'update', sendHour: 6, timeZone: 'Europe/Berlin' } as const;
    // Lesson 3 went out at 20:00 Berlin: 06:00 the next morning would be only 10 hours later.
    expect(replan(active(), steps, earlier, now).nextSendAt).toBe('2026-03-24T05:00:00.000Z');
    // Sent at 08:00 instead: 06:00 the next morning is 22 hours later, and a new day.
    const morning = active({ lastSentAt: '2026-03-22T07:00:00.000Z' });
    expect(replan(morning, steps, earlier, now).nextSendAt).toBe('2026-03-23T05:00:00.000Z');
    // The hour moved later the same evening: still not a second lesson that day.
    const evening = { action: 'update', sendHour: 23, timeZone: 'Europe/Berlin' } as const;
    expect(replan(morning, steps, evening, now).nextSendAt).toBe('2026-03-23T22:00:00.000Z');
  });

  it('keeps a pause through an update, and a resume ends it at the next send hour', () => {
    const now = new Date('2026-03-23T08:00:00.000Z');
    const paused = replan(active(), steps, { action: 'pause', days: 3 }, now);
    expect(paused.pausedUntil).toBe('2026-03-26T08:00:00.000Z');
    expect(paused.nextSendAt).toBe('2026-03-26T19:00:00.000Z');
    const moved = replan(
      { ...active(), ...paused },
      steps,
      { action: 'update', sendHour: 7, timeZone: 'Asia/Kathmandu' },
      now,
    );
    expect(moved).toMatchObject({ pausedUntil: paused.pausedUntil, nextSendAt: '2026-03-27T01:15:00.000Z' });
    const resumed = replan({ ...active(), ...moved }, steps, { action: 'resume' }, now);
    expect(resumed.pausedUntil).toBeUndefined();
    expect(resumed.nextSendAt).toBe('2026-03-24T01:15:00.000Z');
  });

  it('restarts from lesson 1 at most a few times, and refuses what the state does not allow', () => {
    const now = new Date('2026-04-30T08:00:00.000Z');
    const done = active({ status: 'completed', step: steps.length, nextSendAt: undefined });
    expect(replan(done, steps, { action: 'restart' }, now)).toMatchObject({
      step: restartStep(steps),
      restarts: 1,
    });
    const refusals: [Subscriber, ScheduleChange, string][] = [
      [active({ restarts: MAX_RESTARTS }), { action: 'restart' }, 'restarts-used'],
      [active({ status: 'unsubscribed' }), { action: 'restart' }, 'stopped'],
      [done, { action: 'pause', days: 2 }, 'not-active'],
      [active(), { action: 'resume' }, 'not-paused'],
    ];
    for (const [subscriber, change, reason] of refusals) {
      expect(() => replan(subscriber, steps, change, now)).toThrow(
        expect.objectContaining({ name: ChangeRefusedError.name, reason }),
      );
    }
  });
});

const changeArb: fc.Arbitrary<ScheduleChange> = fc.oneof(
  fc.record({
    action: fc.constant('update' as const),
    sendHour: fc.integer({ min: 0, max: 23 }),
    timeZone: fc.constantFrom(...ZONES),
  }),
  fc.record({ action: fc.constant('pause' as const), days: fc.integer({ min: 1, max: 14 }) }),
  fc.constant({ action: 'restart' as const }),
);

describe('every change, for any state and moment (property)', () => {
  it('puts the next email at a send hour, after now and any pause, spaced from the last send, on a new day for a new lesson', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: steps.length - 1 }),
        fc.integer({ min: 0, max: 400 * 24 }),
        fc.integer({ min: 0, max: 30 * 60 }),
        changeArb,
        (zone, hour, step, hoursIn, minutesSince, change) => {
          const lastSentAt = new Date(Date.UTC(2026, 0, 1) + hoursIn * HOUR).toISOString();
          const now = new Date(Date.parse(lastSentAt) + minutesSince * 60_000);
          const subscriber = active({
            timeZone: zone,
            sendHour: hour,
            step,
            lastSentAt,
            confirmedAt: lastSentAt,
          });
          const plan = replan(subscriber, steps, change, now);
          const at = Date.parse(plan.nextSendAt);
          expect(at).toBeGreaterThanOrEqual(Math.max(now.getTime(), Date.parse(plan.pausedUntil ?? '1970')));
          expect(at - Date.parse(lastSentAt)).toBeGreaterThanOrEqual(gapBefore(steps, plan.step));
          const wall = local(plan.timeZone, plan.nextSendAt);
          const next = steps[plan.step];
          if (next && keepsToDaytime(next)) {
            expect(wall.hour).toBeGreaterThanOrEqual(DAYTIME.firstHour);
            expect(wall.hour * 60 + wall.minute).toBeLessThanOrEqual(DAYTIME.lastHour * 60);
          } else expect([plan.sendHour, (plan.sendHour + 1) % 24]).toContain(wall.hour);
          const last = local(plan.timeZone, lastSentAt);
          if (steps[plan.step]?.kind === 'lesson')
            expect([wall.year, wall.month, wall.day]).not.toEqual([last.year, last.month, last.day]);
          const after = advanceAfterSend({ ...subscriber, ...plan }, steps, plan.nextSendAt);
          if ('nextSendAt' in after) expect(Date.parse(after.nextSendAt)).toBeGreaterThan(at);
        },
      ),
      { numRuns: 400 },
    );
  });
});
