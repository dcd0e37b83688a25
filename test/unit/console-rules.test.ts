/** The console's pure rules: deadlines, saved-reply fields and markers, figures, the email a question replied to. */
import { describe, expect, it } from 'vitest';
import {
  durationText,
  fillInMarkers,
  fillReplyFields,
  promiseFigures,
  repliedTo,
  timeLeftText,
  urgency,
} from '../../functions/domain/console';
import type { Question } from '../../functions/domain/questions';

const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const HOUR = 3600_000;
const at = (hours: number) => new Date(T0 + hours * HOUR);

function answered(responseHours: number, answeredBy: string): Question {
  return {
    id: `s-${responseHours}`,
    subscriberId: 's',
    receivedAt: at(0).toISOString(),
    status: 'answered',
    day: 1,
    subject: '',
    text: '',
    truncated: false,
    attachments: [],
    references: [],
    responseMs: responseHours * HOUR,
    answeredBy,
  };
}

describe('the deadline of a question', () => {
  it('is at risk from 4 hours before the 24-hour deadline, and overdue after it', () => {
    const q = { receivedAt: at(0).toISOString() };
    expect([19.9, 20, 23.9, 24, 24.1].map((h) => urgency(q, at(h)))).toEqual([
      'ok',
      'at-risk',
      'at-risk',
      'at-risk',
      'overdue',
    ]);
    expect(timeLeftText(q, at(20.5))).toBe('3 h 30 min left');
    expect(timeLeftText(q, at(75))).toBe('2 d 3 h overdue');
    expect(durationText(59_999)).toBe('0 min');
  });
});

describe('saved replies', () => {
  it('fills known fields and leaves unknown ones as written', () => {
    const fields = { firstName: 'Ann', day: '3', expertName: 'sam' };
    expect(fillReplyFields('Hi {{ firstName }}, day {{day}}. {{expertName}} {{company}}', fields)).toBe(
      'Hi Ann, day 3. sam {{company}}',
    );
  });

  it('finds every [[fill in]] marker still in a text, and none in a finished one', () => {
    expect(fillInMarkers('Hi [[name]], about [[the role]].')).toEqual(['[[name]]', '[[the role]]']);
    expect(fillInMarkers('Hi Ann, a week is fine. [link](x)')).toEqual([]);
  });
});

describe('figures of the promise', () => {
  it('gives median and 90th percentile (nearest rank), share within 24 hours, per expert and for all', () => {
    const done = [1, 2, 3, 4, 5, 6, 7, 8, 9, 30].map((h) => answered(h, h % 2 ? 'a@x' : 'b@x'));
    const open = [{ ...answered(0, ''), status: 'open' as const, assignee: 'a@x' }];
    const all = promiseFigures(done, open, at(25));
    expect(all).toEqual({
      answered: 10,
      medianMs: 5 * HOUR,
      p90Ms: 9 * HOUR,
      within24h: 0.9,
      openNow: 1,
      overdueNow: 1,
    });
    expect(promiseFigures(done, open, at(25), 'b@x')).toMatchObject({
      answered: 5,
      medianMs: 6 * HOUR,
      openNow: 0,
    });
    expect(promiseFigures([], [], at(0))).toEqual({
      answered: 0,
      medianMs: undefined,
      p90Ms: undefined,
      within24h: undefined,
      openNow: 0,
      overdueNow: 0,
    });
  });
});

describe('the email a question replied to', () => {
  const sends = [
    { step: 0, key: 'welcome', messageId: 'ses-1', sentAt: at(0).toISOString() },
    { step: 1, key: 'lesson-1', messageId: 'ses-2', sentAt: at(24).toISOString() },
  ];
  it('is the send its references name, or else, marked as a guess, the last one before it', () => {
    expect(
      repliedTo({ references: ['<ses-1@email.amazonses.com>'], receivedAt: at(30).toISOString() }, sends),
    ).toEqual({
      send: sends[0],
      certain: true,
    });
    expect(repliedTo({ references: [], receivedAt: at(30).toISOString() }, sends)).toEqual({
      send: sends[1],
      certain: false,
    });
    expect(repliedTo({ references: [], receivedAt: at(-1).toISOString() }, sends)).toBeUndefined();
  });
});
