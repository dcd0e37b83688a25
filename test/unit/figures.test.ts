import { describe, expect, it } from 'vitest';
import { quantile, tally } from '../../functions/domain/figures';
import { isoWeek, type StatFact, sourceProblem } from '../../functions/domain/stat-facts';
import { timelineOf } from '../../functions/domain/timeline';

const KEYS = ['welcome', 'lesson-1', 'lesson-7', 'followup-30'];
const days = ['2026-03-02', '2026-03-03'];
const f = (kind: StatFact['kind'], id: string, extra: Partial<StatFact> = {}): StatFact => ({
  day: '2026-03-02',
  id,
  kind,
  ...extra,
});

describe('tallying facts into figures', () => {
  it('counts an email as sent once per person, whether SES reported a delivery, a bounce or both', () => {
    const figures = tally({
      facts: [
        f('delivered', 'd1', { key: 'welcome', person: 'a' }),
        f('bounced', 'b1', { key: 'welcome', person: 'a' }),
        f('bounced', 'b2', { key: 'welcome', person: 'b' }),
        f('complained', 'c1', { key: 'welcome', person: 'c' }),
      ],
      keys: KEYS,
      days,
      open: 0,
      overdue: 0,
    });
    expect(figures.emails[0]).toMatchObject({
      key: 'welcome',
      sent: 2,
      delivered: 1,
      bounced: 2,
      complained: 1,
    });
    expect(figures.emails[0]?.rates.bounced).toBe(1);
    expect(figures.daily[0]?.sends).toBe(2);
  });

  it('puts each unsubscribe against the last email received, and leaves the other exits out of the daily unsubscribes', () => {
    const figures = tally({
      facts: [
        f('exit', 'e1', { status: 'unsubscribed', key: 'lesson-1' }),
        f('exit', 'e2', { status: 'bounced', key: 'lesson-1' }),
        f('exit', 'e3', { status: 'unsubscribed', key: 'lesson-1', day: '2026-03-03' }),
      ],
      keys: KEYS,
      days,
      open: 0,
      overdue: 0,
    });
    expect(figures.emails[1]?.unsubscribed).toBe(2);
    expect(figures.funnel).toMatchObject({ unsubscribed: 2, bounced: 1, complained: 0 });
    expect(figures.daily.map((d) => d.unsubscribes)).toEqual([1, 1]);
  });

  it('measures the 24-hour promise: within, median (two middles averaged) and 90th percentile', () => {
    const minutes = [30, 60, 24 * 60, 24 * 60 + 1];
    const figures = tally({
      facts: minutes.map((m, i) => f('answered', `a${i}`, { minutes: m })),
      keys: KEYS,
      days,
      open: 2,
      overdue: 1,
    });
    expect(figures.questions).toEqual({
      asked: 0,
      answered: 4,
      answeredWithin24h: 3,
      open: 2,
      overdue: 1,
      medianMinutesToAnswer: 750,
      p90MinutesToAnswer: 1441,
    });
    expect(quantile([], 0.5)).toBeNull();
    expect(
      quantile(
        [5, 1, 9].sort((a, b) => a - b),
        0.5,
      ),
    ).toBe(5);
  });
});

describe('fact keys and inputs', () => {
  it('names ISO weeks, including the ones that belong to the year before or after', () => {
    expect(isoWeek('2026-03-02T10:00:00Z')).toBe('2026-W10');
    expect(isoWeek('2027-01-01T10:00:00Z')).toBe('2026-W53');
    expect(isoWeek('2024-12-30T10:00:00Z')).toBe('2025-W01');
  });

  it('accepts a cleaned signup source and names what is wrong with any other', () => {
    expect(sourceProblem('newsletter-2026_dec.a')).toBeUndefined();
    expect(sourceProblem('')).toBeUndefined();
    expect(sourceProblem('News Letter')).toBe(
      'Use lower-case letters, digits, dots, dashes and underscores only.',
    );
    expect(sourceProblem('x'.repeat(41))).toBe('Use at most 40 characters.');
  });
});

describe('a person’s timeline', () => {
  it('shows items of kinds it does not know by their type and time, in time order with the SES outcomes', () => {
    const entries = timelineOf(
      [
        { type: 'send', key: 'welcome', sentAt: '2026-03-02T08:00:00.000Z', step: 0 },
        { type: 'history', kind: 'paused', at: '2026-03-03T09:00:00.000Z' },
        {
          type: 'subscriber',
          createdAt: '2026-03-02T07:59:00.000Z',
          status: 'unsubscribed',
          endedAt: '2026-03-04T10:00:00.000Z',
          source: 'podcast',
        },
      ],
      [f('delivered', 'mail#p#welcome#delivered', { key: 'welcome', at: '2026-03-02T08:00:02.000Z' })],
    );
    expect(entries.map((e) => e.what)).toEqual([
      'Signed up (source: podcast)',
      'Sent welcome',
      'Delivered: welcome',
      'history: paused',
      'Left: unsubscribed',
    ]);
  });
});
