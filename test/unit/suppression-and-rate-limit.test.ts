import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pseudonym, storableUserAgent } from '../../functions/domain/privacy';
import { fixedWindow } from '../../functions/domain/rate-limit';
import { parseSesEvent } from '../../functions/domain/ses-events';
import { emailHash } from '../../functions/domain/suppression';

describe('suppression keys', () => {
  it('hash the normalised address, so case and spaces do not escape the list', () => {
    expect(emailHash(' Jo@Example.COM ')).toBe(emailHash('jo@example.com'));
    expect(emailHash('jo@example.com')).toMatch(/^[0-9a-f]{64}$/);
    expect(emailHash('jo@example.com')).not.toBe(emailHash('jo@example.org'));
  });
});

describe('keyed hashes of IPs and addresses', () => {
  it('depend on the signing key, so a leaked table does not reveal who signed up', () => {
    const a = pseudonym({ current: 'a'.repeat(32) }, 'ip', '192.0.2.1');
    const b = pseudonym({ current: 'b'.repeat(32) }, 'ip', '192.0.2.1');
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
    expect(pseudonym({ current: 'a'.repeat(32) }, 'email', '192.0.2.1')).not.toBe(a);
  });
});

describe('user agents in consent records', () => {
  it('keep at most 200 printable characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 1000 }), (raw) => {
        const stored = storableUserAgent(raw);
        if (stored === undefined) return;
        expect(stored.length).toBeLessThanOrEqual(200);
        expect(stored).toMatch(/^[\x20-\x7e]+$/);
      }),
    );
    expect(storableUserAgent(undefined)).toBeUndefined();
    expect(storableUserAgent('\r\n')).toBeUndefined();
  });
});

describe('fixed windows', () => {
  it('start on a multiple of the window and tell how long until the next one', () => {
    const window = fixedWindow(new Date('2026-11-26T10:07:30Z'), 10 * 60_000);
    expect(window.start.toISOString()).toBe('2026-11-26T10:00:00.000Z');
    expect(window.retryAfterSeconds).toBe(150);
  });

  it('always contain the moment they were computed for, and never ask to wait less than a second', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 1000, max: 86_400_000 }),
        (ms, windowMs) => {
          const { start, retryAfterSeconds } = fixedWindow(new Date(ms), windowMs);
          expect(start.getTime()).toBeLessThanOrEqual(ms);
          expect(ms - start.getTime()).toBeLessThan(windowMs);
          expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
          expect(retryAfterSeconds).toBeLessThanOrEqual(Math.ceil(windowMs / 1000));
        },
      ),
    );
  });
});

describe('reading SES events', () => {
  it('never throws, whatever the input, and reads only ids of the expected shape', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const event = parseSesEvent(raw);
        expect(event).toBeDefined();
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string(), fc.string(), (subscriber, email) => {
        const event = parseSesEvent({
          detail: {
            eventType: 'Delivery',
            mail: {
              messageId: 'm-1',
              timestamp: '2026-11-26T10:00:00Z',
              tags: { subscriber: [subscriber], email: [email] },
            },
          },
        });
        if (!('kind' in event)) throw new Error('expected an event');
        if (event.subscriberId !== undefined) expect(event.subscriberId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
        if (event.key !== undefined) expect(event.key).toMatch(/^[a-z0-9-]+$/);
      }),
    );
  });

  it('treats undetermined bounces as transient and falls back on the destination for recipients', () => {
    const event = parseSesEvent({
      detail: {
        eventType: 'Bounce',
        bounce: { bounceType: 'Undetermined', timestamp: '2026-11-26T10:00:05Z' },
        mail: { messageId: 'm-2', timestamp: '2026-11-26T10:00:00Z', destination: ['a@example.com'] },
      },
    });
    expect(event).toMatchObject({
      kind: 'bounce',
      bounceType: 'transient',
      recipients: ['a@example.com'],
      at: '2026-11-26T10:00:05.000Z',
      feedbackId: 'm-2@2026-11-26T10:00:05.000Z',
    });
  });

  it('reads only the EventBridge envelope: a bare record or an SNS batch is malformed, naming the field', () => {
    const record = {
      eventType: 'Complaint',
      complaint: {},
      mail: { messageId: 'm', timestamp: '2026-11-26T10:00:00Z' },
    };
    expect(parseSesEvent(record)).toEqual({ malformed: 'no valid detail' });
    expect(parseSesEvent({ Records: [{ Sns: { Message: JSON.stringify(record) } }] })).toEqual({
      malformed: 'no valid detail',
    });
    expect(parseSesEvent({ detail: { ...record, mail: { messageId: 'm' } } })).toEqual({
      malformed: 'no valid mail.timestamp in detail',
    });
  });

  it('names event types it does not act on as ignored, not malformed', () => {
    expect(parseSesEvent({ detail: { eventType: 'Open', mail: {} } })).toEqual({ ignored: 'Open' });
    expect(parseSesEvent({ detail: { eventType: 'DeliveryDelay', mail: {} } })).toEqual({
      ignored: 'DeliveryDelay',
    });
  });
});
