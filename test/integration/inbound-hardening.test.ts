/**
 * The question loop against a hostile sender (issue "Hardening", items 1, 2, 3 and 6): concurrent
 * replies, crafted header values, oversized messages and forged answers, on the real stand-ins.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostalMimeParser } from '../../functions/adapters/mime';
import { replyAddress } from '../../functions/app/compose-email';
import { answerAddress } from '../../functions/app/inbound/emails';
import { receiveMail } from '../../functions/app/inbound/receive-mail';
import { type MailVerdicts, PASSING_VERDICTS, type Question } from '../../functions/domain/questions';
import type { Subscriber } from '../../functions/domain/subscriber';
import {
  DYNAMO_ITEM_LIMIT,
  dynamoItemBytes,
  encodedWord,
  rawMessage,
  validHeaderValue,
} from '../support/inbound-mail';
import { activeSubscriber, emailsTo, type SentEmail, startTestStack, type TestStack } from '../support/stack';

const EXPERT = 'expert@example.com';
const parser = new PostalMimeParser();

describe('the question loop against a hostile sender (real stand-ins)', () => {
  let stack: TestStack;
  let smtp: Transporter;
  let count = 0;

  beforeAll(async () => {
    // One expert, so every forwarded question goes to expert@example.com (round-robin is tested with the console).
    stack = await startTestStack({ config: { QUESTIONS_PER_DAY: 5, EXPERT_ADDRESSES: undefined } });
    stack.deps.sleep = async () => {};
    const port = Number(new URL(stack.urls.smtp).port);
    smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
      pool: false,
    });
  });
  afterAll(async () => {
    smtp.close();
    await stack.stop();
  });

  const subscriber = (): Promise<Subscriber> =>
    activeSubscriber(stack, { email: `hostile${++count}@example.com`, firstName: `Fay${count}` });
  const deliver = (raw: Uint8Array, to: string, verdicts: MailVerdicts = PASSING_VERDICTS) =>
    receiveMail(stack.deps, parser, { raw, recipients: [to], verdicts });
  const questionsOf = (id: string): Promise<Question[]> => stack.deps.questions.listForSubscriber(id);
  const expertEmailsAbout = async (sub: Subscriber) =>
    (await emailsTo(stack, EXPERT)).filter((e) => e.body.text?.includes(`${sub.firstName} (day`));

  function expectValidHeaders(emails: SentEmail[]) {
    for (const email of emails) {
      for (const h of email.headers ?? [])
        expect(validHeaderValue(h.value), `${h.name}: ${h.value}`).toBe(true);
    }
  }

  it('forwards exactly the daily limit when twenty replies arrive at once, and keeps the rest marked', async () => {
    const sub = await subscriber();
    const to = replyAddress(stack.deps, sub.id);
    const replies = Array.from({ length: 20 }, (_, i) =>
      rawMessage({ From: sub.email, To: to, 'Message-ID': `<burst${i}-${sub.id}@x>` }, `Question ${i}?`),
    );
    const reports = await Promise.all(replies.map((raw) => deliver(raw, to)));
    const outcomes = reports.map((r) => `${r.outcome}:${r.reason ?? ''}`);
    expect(outcomes.filter((o) => o === 'forwarded:')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'held:over-limit')).toHaveLength(15);
    const stored = await questionsOf(sub.id);
    expect(stored).toHaveLength(20);
    expect(stored.filter((q) => q.status === 'open')).toHaveLength(5);
    expect(await expertEmailsAbout(sub)).toHaveLength(5);
  });

  it('forwards exactly the daily limit when twenty replies arrive at once over SMTP', async () => {
    const sub = await subscriber();
    const to = replyAddress(stack.deps, sub.id);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        smtp.sendMail({
          from: sub.email,
          to,
          subject: `Q${i}`,
          messageId: `<smtp${i}-${sub.id}@x>`,
          text: `Q ${i}?`,
        }),
      ),
    );
    const stored = await questionsOf(sub.id);
    expect(stored).toHaveLength(20);
    expect(stored.filter((q) => q.status === 'open')).toHaveLength(5);
    expect(stored.filter((q) => q.holdReason === 'over-limit')).toHaveLength(15);
    expect(await expertEmailsAbout(sub)).toHaveLength(5);
  });

  it.each([
    ['a CR/LF header injection in an encoded Message-ID', encodedWord('<a@x>\r\nBcc: victim@example.org')],
    ['non-ASCII in the Message-ID', '<ünïcödé@exämple.org>'],
    ['a Message-ID of 600 characters', `<${'a'.repeat(600)}@x>`],
    ['a Message-ID without angle brackets', 'plain@example.org'],
    ['a Message-ID with spaces inside', '<a b@x>'],
  ])('threads no malformed id into our replies: %s', async (_name, messageId) => {
    const sub = await subscriber();
    const to = replyAddress(stack.deps, sub.id);
    const references = `${encodedWord('<r@x>\r\nX-Evil: 1')} ${'<ok@x> '.repeat(3)}<${'r'.repeat(900)}@x> <ünï@x>`;
    const raw = rawMessage(
      { From: sub.email, To: to, 'Message-ID': messageId, References: references },
      'Hi?',
    );
    expect(await deliver(raw, to)).toMatchObject({ outcome: 'forwarded' });
    const [question] = await questionsOf(sub.id);
    expect(question?.messageId).toBeUndefined();
    expect(question?.references).toContain('<ok@x>');
    for (const ref of question?.references ?? []) expect(ref).toMatch(/^<[!-;=?-~]{1,240}@[!-;=?-~]+>$/);
    const [ack] = await emailsTo(stack, sub.email);
    expect(ack).toBeDefined();
    expectValidHeaders([ack!]);
    expect(ack!.headers?.some((h) => /bcc|x-evil/i.test(h.name) || /\r|\n/.test(h.value))).toBe(false);
  });

  it('threads the answer under at most what one header value holds, however many references came', async () => {
    const sub = await subscriber();
    const to = replyAddress(stack.deps, sub.id);
    const refs = Array.from({ length: 500 }, (_, i) => `<ref${i}-${'x'.repeat(100)}@example.org>`).join(' ');
    const raw = rawMessage(
      { From: sub.email, To: to, 'Message-ID': `<many-${sub.id}@x>`, References: refs },
      'Q?',
    );
    await deliver(raw, to);
    const [question] = await questionsOf(sub.id);
    expect(question?.references.length).toBeLessThanOrEqual(20);
    const answer = rawMessage({ From: EXPERT, To: answerAddress(stack.deps, question!.id) }, 'The answer.');
    expect(await deliver(answer, answerAddress(stack.deps, question!.id))).toMatchObject({
      outcome: 'answered',
    });
    const emails = await emailsTo(stack, sub.email);
    expect(emails).toHaveLength(2);
    expectValidHeaders(emails);
    expect(emails.at(-1)?.headers?.find((h) => h.name === 'References')?.value).toMatch(/<many-.*@x>$/);
  });

  it.each([
    ['a 100 KB Message-ID', { 'Message-ID': `<${'m'.repeat(100_000)}@x>` }, 0, 0],
    ['60 attachments with 10,000-character names', {}, 60, 10_000],
    ['1,000 attachments', {}, 1000, 100],
    ['a 300 KB subject and 60 attachments', { Subject: 's'.repeat(300_000) }, 60, 5000],
  ])(
    'stores and forwards a crafted message that would not fit in an item: %s',
    async (_n, headers, many, long) => {
      const sub = await subscriber();
      const to = replyAddress(stack.deps, sub.id);
      const raw = rawMessage({ From: sub.email, To: to, ...headers }, 'Still a question?', { many, long });
      expect(await deliver(raw, to)).toMatchObject({ outcome: 'forwarded' });
      const [question] = await questionsOf(sub.id);
      expect(dynamoItemBytes(question)).toBeLessThan(DYNAMO_ITEM_LIMIT);
      expect(question?.attachments.length).toBeLessThanOrEqual(50);
      expect(await expertEmailsAbout(sub)).toHaveLength(1);
    },
  );

  it('answers 451 over SMTP when a question cannot be stored, so the sending server keeps it, and logs an error', async () => {
    const sub = await subscriber();
    const to = replyAddress(stack.deps, sub.id);
    const add = stack.deps.questions.add;
    stack.deps.questions.add = async () => {
      throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
        name: 'ValidationException',
      });
    };
    try {
      await expect(smtp.sendMail({ from: sub.email, to, subject: 'Q', text: 'Q?' })).rejects.toMatchObject({
        responseCode: 451,
      });
    } finally {
      stack.deps.questions.add = add;
    }
    expect(
      stack.log.lines.some(
        (l) => l.startsWith('error inbound mail failed') && l.includes('ValidationException'),
      ),
    ).toBe(true);
  });

  async function askedQuestion(): Promise<{ sub: Subscriber; question: Question; to: string }> {
    const sub = await subscriber();
    await deliver(
      rawMessage({ From: sub.email, To: replyAddress(stack.deps, sub.id) }, 'Q?'),
      replyAddress(stack.deps, sub.id),
    );
    const [question] = await questionsOf(sub.id);
    return { sub, question: question!, to: answerAddress(stack.deps, question!.id) };
  }

  it.each([
    ['DMARC fails (SPF and DKIM passed for another domain)', { From: EXPERT }, { dmarc: 'FAIL' }],
    ['DMARC is gray (no policy found)', { From: EXPERT }, { dmarc: 'GRAY' }],
    ['From holds the expert and a second address', { From: `${EXPERT}, attacker@example.org` }, {}],
    ['From holds a second address first', { From: `attacker@example.org, ${EXPERT}` }, {}],
    ['From is a group holding the expert', { From: `Team: ${EXPERT};` }, {}],
  ])('refuses an answer when %s', async (_name, headers, verdicts) => {
    const { sub, question, to } = await askedQuestion();
    const raw = rawMessage({ To: to, ...headers }, 'A forged answer.');
    const report = await deliver(raw, to, { ...PASSING_VERDICTS, ...verdicts });
    expect(report.outcome).toBe('dropped');
    expect((await stack.deps.questions.get(question.id))?.status).toBe('open');
    expect(await emailsTo(stack, sub.email)).toHaveLength(1);
  });

  it('refuses an answer with two From headers, and one the local server was told fails DMARC', async () => {
    const { sub, question, to } = await askedQuestion();
    const twoFroms = Buffer.from(
      `From: ${EXPERT}\r\nFrom: attacker@example.org\r\nTo: ${to}\r\n\r\nForged.\r\n`,
    );
    expect(await deliver(twoFroms, to)).toMatchObject({ outcome: 'dropped' });
    await smtp.sendMail({ from: EXPERT, to, text: 'Forged.', headers: { 'X-Local-Verdicts': 'dmarc=FAIL' } });
    expect((await stack.deps.questions.get(question.id))?.status).toBe('open');
    await smtp.sendMail({ from: EXPERT, to, text: 'The real answer.' });
    expect((await stack.deps.questions.get(question.id))?.status).toBe('answered');
    expect((await emailsTo(stack, sub.email)).at(-1)?.body.text).toContain('The real answer.');
  });
});
