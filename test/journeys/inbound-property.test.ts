/**
 * A property over arbitrary inbound messages, headers and sizes included: receiving never throws past
 * its boundary, never stores a question over DynamoDB's item limit, and every header it sends is one
 * SES accepts. On the in-memory ports (the contract suite proves them equal to DynamoDB's), so that
 * hundreds of messages run in seconds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PostalMimeParser } from '../../functions/adapters/mime';
import { replyAddress } from '../../functions/app/compose-email';
import { answerAddress } from '../../functions/app/inbound/emails';
import { receiveMail } from '../../functions/app/inbound/receive-mail';
import { PASSING_VERDICTS } from '../../functions/domain/questions';
import { confirmSubscriber, newSubscriber } from '../../functions/domain/subscriber';
import { DYNAMO_ITEM_LIMIT, dynamoItemBytes, encodedWord, validHeaderValue } from '../support/inbound-mail';
import { memoryDeps } from '../support/memory/deps';

const parser = new PostalMimeParser();

/** A header value as a hostile sender writes it: anything, raw or as an encoded word, up to 20 KB. */
const headerValue = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 300 }).map(encodedWord),
  fc
    .tuple(fc.constantFrom('a', 'ü', '\r\n', '<', '>', '@', ' '), fc.integer({ min: 1, max: 5000 }))
    .map(([piece, times]) => `<${piece.repeat(times)}@x>`),
);

const message = fc.record({
  messageId: headerValue,
  references: fc.array(headerValue, { maxLength: 30 }),
  subject: headerValue,
  // Mostly one From address; sometimes a forger's second address or a group beside it.
  extraFrom: fc.constantFrom(
    undefined,
    undefined,
    undefined,
    undefined,
    'other@example.org',
    'Group: a@x, b@y;',
  ),
  attachments: fc.integer({ min: 0, max: 60 }),
  nameLength: fc.integer({ min: 0, max: 7000 }),
  body: fc.string({ unit: 'binary', maxLength: 2000 }),
  toAnswer: fc.boolean(),
});

type Message = typeof message extends fc.Arbitrary<infer T> ? T : never;

function raw(m: Message, from: string, to: string) {
  const headers = [
    `From: ${m.extraFrom ? `${from}, ${m.extraFrom}` : from}`,
    `To: ${to}`,
    `Message-ID: ${m.messageId}`,
    `References: ${m.references.join(' ')}`,
    `Subject: ${m.subject}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b0"',
  ];
  const parts = [`--b0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${m.body}\r\n`];
  for (let i = 0; i < m.attachments; i++) {
    parts.push(
      `--b0\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename="${'n'.repeat(m.nameLength)}${i}"\r\n\r\nx\r\n`,
    );
  }
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${parts.join('')}--b0--\r\n`);
}

describe('receiving arbitrary inbound mail', () => {
  it('never throws, never stores an item over 400 KB, and sends only valid header values', async () => {
    const m = memoryDeps({ EXPERT_ADDRESS: 'expert@example.com', QUESTIONS_PER_DAY: 1000 });
    const now = m.clock.now();
    const pending = newSubscriber(
      'prop1',
      { email: 'p@example.com', firstName: 'Pia', timeZone: 'UTC', sendHour: 8 },
      now,
    );
    await m.store.create(pending);
    await m.store.activate(confirmSubscriber(pending, m.deps.steps, now));
    let answered = 0;
    let checkedEmails = 0;
    await fc.assert(
      fc.asyncProperty(message, async (msg) => {
        const open = [...m.questions.questions.values()].find((q) => q.status === 'open');
        const answering = msg.toAnswer && open !== undefined;
        const to = answering ? answerAddress(m.deps, open.id) : replyAddress(m.deps, pending.id);
        const from = answering ? 'expert@example.com' : 'p@example.com';
        const report = await receiveMail(m.deps, parser, {
          raw: raw(msg, from, to),
          recipients: [to],
          verdicts: PASSING_VERDICTS,
        });
        if (report.outcome === 'answered') answered += 1;
        expect(report.outcome).not.toBe('failed');
        for (const question of m.questions.questions.values()) {
          expect(dynamoItemBytes(question)).toBeLessThan(DYNAMO_ITEM_LIMIT);
        }
        // Each email sent once checked: the ones this message caused.
        for (const email of m.mailer.sent.slice(checkedEmails)) {
          for (const h of email.headers) expect(validHeaderValue(h.value), h.name).toBe(true);
          expect(email.subject).not.toMatch(/[\r\n]/);
        }
        checkedEmails = m.mailer.sent.length;
      }),
      { numRuns: 80 },
    );
    // The property reached storage and the expert's side, not just the parser's refusals.
    expect(m.questions.questions.size).toBeGreaterThan(20);
    expect(m.mailer.sent.length).toBeGreaterThan(20);
    expect(answered).toBeGreaterThan(0);
  }, 180_000);
});
