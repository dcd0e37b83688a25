import { describe, expect, it } from 'vitest';
import { threadReferences } from '../../functions/domain/mail-bounds';
import {
  automatedReason,
  courseDay,
  dmarcAligned,
  type InboundMail,
  nextSlaMoment,
  PASSING_VERDICTS,
  parseInboundAddress,
  type Question,
  questionIdFor,
  replySubject,
  slaAction,
  splitQuestionId,
  verdictAction,
} from '../../functions/domain/questions';
import type { Subscriber } from '../../functions/domain/subscriber';

function mail(headers: Record<string, string>, from = 'jo@example.com'): InboundMail {
  return {
    references: [],
    subject: '',
    from,
    recipients: [],
    headers,
    text: 'hi',
    attachments: [],
    damaged: false,
  };
}

function question(overrides: Partial<Question> = {}): Question {
  return {
    id: 'abc-0123456789abcdef',
    subscriberId: 'abc',
    receivedAt: '2026-03-01T10:00:00.000Z',
    status: 'open',
    day: 2,
    subject: 'Re: Day 2',
    text: 'hi',
    truncated: false,
    attachments: [],
    references: [],
    ...overrides,
  };
}

const hours = (n: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + n * 3600_000);

describe('inbound addresses', () => {
  it('reads reply and answer addresses, case-blind, only on our inbound domain', () => {
    expect(parseInboundAddress('Reply+ABC123.0123456789ab@Reply.Localhost', 'reply.localhost')).toEqual({
      kind: 'reply',
      id: 'abc123',
      mac: '0123456789ab',
    });
    expect(
      parseInboundAddress('answer+abc-0123456789abcdef.0123456789ab@reply.localhost', 'reply.localhost'),
    ).toMatchObject({
      kind: 'answer',
      id: 'abc-0123456789abcdef',
    });
    expect(
      parseInboundAddress('reply+abc.0123456789ab@elsewhere.example', 'reply.localhost'),
    ).toBeUndefined();
    expect(parseInboundAddress('reply+abc@reply.localhost', 'reply.localhost')).toBeUndefined();
    expect(parseInboundAddress('postmaster@reply.localhost', 'reply.localhost')).toBeUndefined();
  });

  it('gives the same question id to the same message twice, and splits it back into its subscriber', () => {
    const id = questionIdFor('sub1', '<m@x>');
    expect(questionIdFor('sub1', '<m@x>')).toBe(id);
    expect(questionIdFor('sub1', '<n@x>')).not.toBe(id);
    expect(splitQuestionId(id)).toEqual({ subscriberId: 'sub1', key: id.slice(5) });
    expect(splitQuestionId('sub1-nothex')).toBeUndefined();
  });
});

describe('recognising machine mail (no loops)', () => {
  it.each([
    [{ 'auto-submitted': 'auto-replied' }, 'auto-reply'],
    [{ 'auto-submitted': 'auto-generated' }, 'auto-reply'],
    [{ 'x-autoreply': 'yes' }, 'auto-reply'],
    [{ 'x-autorespond': 'vacation' }, 'auto-reply'],
    [{ precedence: 'bulk' }, 'auto-reply'],
    [{ precedence: 'auto_reply' }, 'auto-reply'],
    [{ precedence: 'list' }, 'auto-reply'],
    [{ 'content-type': 'multipart/report; report-type=delivery-status' }, 'delivery-report'],
    [{ 'return-path': '<>' }, 'delivery-report'],
  ])('treats %o as %s', (headers, reason) => {
    expect(automatedReason(mail(headers))).toBe(reason);
  });

  it('treats mail from a mailer daemon as a delivery report, and a person with Auto-Submitted: no as a person', () => {
    expect(automatedReason(mail({}, 'mailer-daemon@mx.example.net'))).toBe('delivery-report');
    expect(automatedReason(mail({ 'auto-submitted': 'no' }))).toBeUndefined();
    expect(automatedReason(mail({ precedence: 'normal' }))).toBeUndefined();
  });
});

describe('SES verdicts', () => {
  it('drops spam and viruses, holds mail failing both SPF and DKIM, accepts the rest', () => {
    expect(verdictAction({ spam: 'FAIL', virus: 'PASS', spf: 'PASS', dkim: 'PASS' })).toBe('drop');
    expect(verdictAction({ spam: 'PASS', virus: 'FAIL', spf: 'PASS', dkim: 'PASS' })).toBe('drop');
    expect(verdictAction({ spam: 'PASS', virus: 'PASS', spf: 'FAIL', dkim: 'FAIL' })).toBe('hold');
    expect(verdictAction({ spam: 'PASS', virus: 'PASS', spf: 'FAIL', dkim: 'PASS' })).toBe('accept');
    expect(verdictAction(PASSING_VERDICTS)).toBe('accept');
  });

  it('calls a message DMARC-aligned only on a DMARC pass, whatever SPF and DKIM say', () => {
    expect(dmarcAligned(PASSING_VERDICTS)).toBe(true);
    expect(dmarcAligned({ ...PASSING_VERDICTS, dmarc: 'FAIL' })).toBe(false);
    expect(dmarcAligned({ ...PASSING_VERDICTS, dmarc: 'GRAY' })).toBe(false);
    expect(dmarcAligned({ spf: 'PASS', dkim: 'PASS' })).toBe(false);
  });
});

describe('the 24-hour promise', () => {
  it('asks for nothing before 20 hours, one reminder at 20, one escalation at 24', () => {
    expect(slaAction(question(), hours(19.9))).toBeUndefined();
    expect(slaAction(question(), hours(20))).toBe('remind');
    expect(slaAction(question({ remindedAt: hours(20).toISOString() }), hours(23))).toBeUndefined();
    expect(slaAction(question({ remindedAt: hours(20).toISOString() }), hours(24))).toBe('escalate');
    expect(slaAction(question({ escalatedAt: hours(24).toISOString() }), hours(30))).toBeUndefined();
    expect(slaAction(question({ status: 'answered' }), hours(30))).toBeUndefined();
  });

  it('escalates straight away when the sweep first sees a question after 24 hours', () => {
    expect(slaAction(question(), hours(25))).toBe('escalate');
  });

  it('names the next moment the sweep must act', () => {
    expect(nextSlaMoment(question())).toBe(hours(20).toISOString());
    expect(nextSlaMoment(question({ remindedAt: 'x' }))).toBe(hours(24).toISOString());
    expect(nextSlaMoment(question({ escalatedAt: 'x' }))).toBeUndefined();
  });
});

describe('threading and course day', () => {
  it('references the thread then the message itself, and does not stack Re:', () => {
    expect(threadReferences({ messageId: '<q@x>', references: ['<a@x>', '<b@x>'] })).toEqual([
      '<a@x>',
      '<b@x>',
      '<q@x>',
    ]);
    expect(replySubject('RE: Day 3')).toBe('RE: Day 3');
    expect(replySubject('Day 3')).toBe('Re: Day 3');
  });

  it('counts the day of confirmation as day 1', () => {
    const subscriber = { confirmedAt: '2026-03-01T10:00:00.000Z' } as Subscriber;
    expect(courseDay(subscriber, hours(1))).toBe(1);
    expect(courseDay(subscriber, hours(24))).toBe(2);
    expect(courseDay(subscriber, hours(24 * 6 + 1))).toBe(7);
  });
});
