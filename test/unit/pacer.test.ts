import { describe, expect, it } from 'vitest';
import { Pacer } from '../../functions/app/pacer';

/** A virtual clock: sleeping moves time, and a "late timer" can add delay to some wake-ups. */
function virtualTime(lateEvery = 0, lateMs = 0) {
  let now = 0;
  let wakes = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      wakes++;
      now += ms + (lateEvery && wakes % lateEvery === 0 ? lateMs : 0);
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function busiestSecond(times: number[]): number {
  let worst = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    worst = Math.max(worst, i - j + 1);
  }
  return worst;
}

describe('the pacer', () => {
  it('spaces sends evenly at the configured rate', async () => {
    const time = virtualTime();
    const pacer = new Pacer(14, time.now, time.sleep);
    const starts: number[] = [];
    for (let i = 0; i < 140; i++) {
      await pacer.take();
      starts.push(time.now());
    }
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(139 * (1000 / 14) - 1);
    expect(busiestSecond(starts)).toBeLessThanOrEqual(14);
  });

  it('never lets a one-second window exceed the limit, even when timers fire late and sends bunch', async () => {
    const time = virtualTime(3, 250);
    const pacer = new Pacer(50, time.now, time.sleep);
    const starts: number[] = [];
    for (let i = 0; i < 1000; i++) {
      await pacer.take();
      starts.push(time.now());
      if (i % 7 === 0) time.advance(5); // work between sends
    }
    expect(busiestSecond(starts)).toBeLessThanOrEqual(50);
  });

  it('lets a caller go at once when nothing was sent lately', async () => {
    const time = virtualTime();
    const pacer = new Pacer(10, time.now, time.sleep);
    time.advance(10_000);
    await pacer.take();
    expect(time.now()).toBe(10_000);
  });
});
