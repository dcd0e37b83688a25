import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostalMimeParser } from '../../functions/adapters/mime';
import { replyAddress } from '../../functions/app/compose-email';
import { answerAddress } from '../../functions/app/inbound/emails';
import { receiveMail } from '../../functions/app/inbound/receive-mail';
import { sweepOpenQuestions } from '../../functions/app/inbound/sweep-open-questions';
import { MailRejectedError } from '../../functions/domain/errors';
import type { Mailer } from '../../functions/domain/ports';
import { type MailVerdicts, PASSING_VERDICTS, type Question } from '../../functions/domain/questions';
import type { Subscriber } from '../../functions/domain/subscriber';
import { activeSubscriber, emailsTo, header, startTestStack, type TestStack } from '../support/stack';

const EXPERT = 'expert@example.com';
const parser = new PostalMimeParser();
const fixture = (name: string) => readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url));

/** A message as a person would type it, with the headers we choose. */
function message(headers: Record<string, string>, body: string): Buffer {
  const lines = Object.entries({
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  });
  return Buffer.from(`${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}\r\n`);
}

/** The raw attachment fixture with its PDF swapped for `bytes` bytes of base64: a ~2 MB message. */
function largeMessage(bytes: number): Buffer {
  const base64 = Buffer.alloc(bytes, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
  const text = fixture('attachment.eml').toString('utf8');
  const start = text.indexOf('JVBERi0');
  const end = text.indexOf('\n--mixed-boundary-42--');
  return Buffer.from(
    `${text.slice(0, start)}${base64}${text.slice(end)}`.replace('<attachment-1@', '<large-1@'),
  );
}

describe('inbound mail: every real-world shape reaches the right outcome (real stand-ins)', () => {
  let stack: TestStack;
  let count = 0;

  beforeAll(async () => {
    // One expert, so every question goes to expert@example.com (round-robin over several is tested with the console).
    stack = await startTestStack({
      config: { BACKUP_ADDRESS: 'backup@example.com', EXPERT_ADDRESSES: undefined },
    });
    stack.deps.sleep = async () => {};
  });
  afterAll(async () => {
    await stack.stop();
    // Ids only: no address, name or message text ever reaches the logs.
    const logged = stack.log.lines.join('\n');
    expect(logged).not.toMatch(/@/);
    expect(logged).not.toContain('interview');
    expect(logged).not.toContain('Fay');
  });

  async function subscriber(status: 'active' | 'unsubscribed' = 'active'): Promise<Subscriber> {
    const active = await activeSubscriber(stack, {
      email: `reader${++count}@example.com`,
      timeZone: 'Europe/Paris',
    });
    if (status === 'unsubscribed') {
      await stack.deps.store.stop(active.id, 'unsubscribed', stack.clock.now().toISOString());
    }
    return (await stack.deps.store.get(active.id))!;
  }

  async function deliver(raw: Uint8Array, to: string, verdicts: MailVerdicts = PASSING_VERDICTS) {
    return receiveMail(stack.deps, parser, { raw, recipients: [to], verdicts });
  }

  async function questionsOf(id: string): Promise<Question[]> {
    return stack.deps.questions.listForSubscriber(id);
  }

  async function expertEmailsAbout(sub: Subscriber) {
    return (await emailsTo(stack, EXPERT)).filter((e) => e.replyTo[0]?.startsWith(`answer+${sub.id}-`));
  }

  const forwarded: [string, string, number?][] = [
    ['gmail.eml', 'Is it OK to follow up a second time, or does that look desperate?\n\nThanks,\nJo'],
    ['outlook.eml', 'How do I stop replaying those calls in my head – is there an exercise for that?'],
    ['apple-mail.eml', 'I can’t learn anything from “we went with another candidate”.\n\nJo'],
    [
      'iphone.eml',
      'should I tell friends about every application or keep it private until there is an offer?',
    ],
    ['html-only.eml', 'keine Lust mehr habe? & wie fange ich wieder an\nJörg'],
    ['latin1-qp.eml', 'Dois-je demander un retour détaillé à la recruteuse ?\n\nRenée'],
    ['attachment.eml', 'Could you look at my CV? I attached it. Does the summary sound too apologetic?', 1],
    ['broken-mime.eml', 'Does this course work if I am changing careers, not just looking for a new job?'],
  ];

  it.each(forwarded)(
    'stores %s as an open question, forwards it to the expert and acknowledges it in the thread',
    async (name, expected, attachments = 0) => {
      const sub = await subscriber();
      const raw = fixture(name);
      const report = await deliver(raw, replyAddress(stack.deps, sub.id));
      expect(report).toMatchObject({ outcome: 'forwarded', subscriberId: sub.id });

      const [question, ...more] = await questionsOf(sub.id);
      expect(more).toHaveLength(0);
      expect(question?.status).toBe('open');
      expect(question?.text).toContain(expected);
      expect(question?.text).not.toMatch(/^>|wrote:|Original Message|Sent from my/m);
      expect(question?.attachments).toHaveLength(attachments);
      expect(question?.day).toBe(1);

      const [toExpert] = await expertEmailsAbout(sub);
      expect(toExpert?.body.text).toContain(expected);
      expect(toExpert?.from).toContain('<course@example.com>');
      expect(toExpert?.replyTo).toEqual([answerAddress(stack.deps, question!.id)]);

      const [ack, ...moreAcks] = await emailsTo(stack, sub.email);
      expect(moreAcks).toHaveLength(0);
      expect(header(ack!, 'In-Reply-To')).toBe(question?.messageId);
      expect(header(ack!, 'References')?.split(' ').at(-1)).toBe(question?.messageId);
      expect(header(ack!, 'Auto-Submitted')).toBe('auto-replied');
      expect(ack?.subject).toMatch(/^re:/i);
      expect(ack?.body.text).toContain('within 24 hours');
    },
  );

  it('notes the name and size of a 2 MB attachment for the expert and forwards only the text', async () => {
    const sub = await subscriber();
    const raw = largeMessage(2 * 1024 * 1024);
    expect(raw.byteLength).toBeGreaterThan(2_800_000);
    const report = await deliver(raw, replyAddress(stack.deps, sub.id));
    expect(report.outcome).toBe('forwarded');
    const [question] = await questionsOf(sub.id);
    expect(question?.text).toBe(
      'Could you look at my CV? I attached it. Does the summary sound too apologetic?',
    );
    expect(question?.attachments).toEqual([
      { name: 'Jo Reader CV.pdf', size: 2 * 1024 * 1024, type: 'application/pdf' },
    ]);
    const [toExpert] = await expertEmailsAbout(sub);
    expect(toExpert?.body.text).toContain('Jo Reader CV.pdf (application/pdf, 2048 KB)');
    expect(toExpert!.body.text!.length).toBeLessThan(5000);
  });

  it.each([
    ['out-of-office.eml', 'auto-reply'],
    ['precedence-bulk.eml', 'auto-reply'],
    ['dsn.eml', 'delivery-report'],
  ])('drops %s (%s): no question, no acknowledgement, nothing to the expert', async (name, reason) => {
    const sub = await subscriber();
    const before = (await emailsTo(stack, EXPERT)).length;
    const report = await deliver(fixture(name), replyAddress(stack.deps, sub.id));
    expect(report).toEqual({ outcome: 'dropped', reason });
    expect(await questionsOf(sub.id)).toEqual([]);
    expect(await emailsTo(stack, sub.email)).toEqual([]);
    expect(await emailsTo(stack, EXPERT)).toHaveLength(before);
  });

  it('never reaches the expert with a tampered, unknown or foreign reply address', async () => {
    const sub = await subscriber();
    const good = replyAddress(stack.deps, sub.id);
    const before = (await emailsTo(stack, EXPERT)).length;
    const tampered = good.replace(/\.([0-9a-f])/, (_, c: string) => `.${c === 'a' ? 'b' : 'a'}`);
    expect(await deliver(fixture('gmail.eml'), tampered)).toMatchObject({
      outcome: 'dropped',
      reason: 'bad-mac',
    });
    const stranger = replyAddress(stack.deps, 'f'.repeat(32));
    expect(await deliver(fixture('gmail.eml'), stranger)).toMatchObject({ reason: 'unknown-subscriber' });
    const elsewhere = message(
      { From: 'a@example.org', To: 'someone@example.org', 'Message-ID': '<e@x>' },
      'Hi',
    );
    expect(await deliver(elsewhere, 'someone@example.org')).toMatchObject({ reason: 'unknown-address' });
    expect(await questionsOf(sub.id)).toEqual([]);
    expect(await emailsTo(stack, EXPERT)).toHaveLength(before);
  });

  it('never turns mail from our own addresses into a question', async () => {
    const sub = await subscriber();
    const to = replyAddress(stack.deps, sub.id);
    const own = message({ From: 'course@example.com', To: to, 'Message-ID': '<own@x>' }, 'A question?');
    expect(await deliver(own, to)).toMatchObject({ outcome: 'dropped', reason: 'own-address' });
    const loop = message({ From: `${to}`, To: to, 'Message-ID': '<loop@x>' }, 'A question?');
    expect(await deliver(loop, to)).toMatchObject({ outcome: 'dropped', reason: 'own-address' });
    expect(await questionsOf(sub.id)).toEqual([]);
  });

  it('drops spam and viruses, and keeps mail failing SPF and DKIM for review without forwarding it', async () => {
    const sub = await subscriber();
    const to = replyAddress(stack.deps, sub.id);
    const spam = await deliver(fixture('gmail.eml'), to, {
      spam: 'FAIL',
      virus: 'PASS',
      spf: 'PASS',
      dkim: 'PASS',
    });
    expect(spam).toMatchObject({ outcome: 'dropped', reason: 'spam-or-virus' });
    expect(await questionsOf(sub.id)).toEqual([]);
    const spoofed = await deliver(fixture('iphone.eml'), to, {
      spam: 'PASS',
      virus: 'PASS',
      spf: 'FAIL',
      dkim: 'FAIL',
    });
    expect(spoofed).toMatchObject({ outcome: 'held', reason: 'unauthenticated' });
    const [kept] = await questionsOf(sub.id);
    expect(kept).toMatchObject({ status: 'held', holdReason: 'unauthenticated' });
    expect(kept?.text).toContain('should I tell friends');
    expect(await expertEmailsAbout(sub)).toEqual([]);
    expect(await emailsTo(stack, sub.email)).toEqual([]);
  });

  it('keeps unparseable bytes and empty replies out of the expert inbox without crashing', async () => {
    const sub = await subscriber();
    const to = replyAddress(stack.deps, sub.id);
    const garbage = Buffer.from([0, 255, 13, 10, 13, 10, 1, 2, 3, 0xc3, 0x28]);
    const report = await deliver(garbage, to);
    expect(['dropped', 'held']).toContain(report.outcome);
    const empty = message({ From: 'r@example.org', To: to, 'Message-ID': '<empty@x>' }, '> only a quote');
    expect(await deliver(empty, to)).toMatchObject({ outcome: 'held', reason: 'empty' });
    expect(await expertEmailsAbout(sub)).toEqual([]);
  });

  it('stores and forwards a message delivered twice only once', async () => {
    const sub = await subscriber();
    const to = replyAddress(stack.deps, sub.id);
    expect((await deliver(fixture('gmail.eml'), to)).outcome).toBe('forwarded');
    expect((await deliver(fixture('gmail.eml'), to)).outcome).toBe('duplicate');
    expect(await questionsOf(sub.id)).toHaveLength(1);
    expect(await expertEmailsAbout(sub)).toHaveLength(1);
  });

  it('acknowledges at most once an hour, forwards up to the daily limit and keeps the rest marked', async () => {
    const sub = await subscriber();
    const to = replyAddress(stack.deps, sub.id);
    const outcomes: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const raw = message(
        { From: sub.email, To: to, Subject: `Q${i}`, 'Message-ID': `<q${i}-${sub.id}@x>` },
        `Question number ${i}?`,
      );
      outcomes.push((await deliver(raw, to)).outcome);
    }
    expect(outcomes).toEqual(['forwarded', 'forwarded', 'forwarded', 'forwarded', 'forwarded', 'held']);
    const questions = await questionsOf(sub.id);
    expect(questions.at(-1)).toMatchObject({
      status: 'held',
      holdReason: 'over-limit',
      text: 'Question number 6?',
    });
    expect(await expertEmailsAbout(sub)).toHaveLength(5);
    expect(await emailsTo(stack, sub.email)).toHaveLength(1);

    // The expert sees the earlier questions as context.
    const last = (await expertEmailsAbout(sub)).at(-1);
    expect(last?.body.text).toContain('Question number 1?');
    expect(last?.body.text).toContain('Question number 4?');

    // An hour later the next acknowledgement may go; a day later the limit starts again.
    stack.clock.moveTo(new Date(stack.clock.now().getTime() + 24 * 3600_000 + 1000));
    const raw = message(
      { From: sub.email, To: to, Subject: 'Q7', 'Message-ID': `<q7-${sub.id}@x>` },
      'Question 7?',
    );
    expect((await deliver(raw, to)).outcome).toBe('forwarded');
    expect(await emailsTo(stack, sub.email)).toHaveLength(2);
  });

  it('sends someone who unsubscribed one polite note a day, and nothing to the expert', async () => {
    const sub = await subscriber('unsubscribed');
    const to = replyAddress(stack.deps, sub.id);
    const before = (await emailsTo(stack, EXPERT)).length;
    expect(await deliver(fixture('gmail.eml'), to)).toMatchObject({ outcome: 'noted' });
    expect(await deliver(fixture('iphone.eml'), to)).toMatchObject({
      outcome: 'dropped',
      reason: 'unsubscribed',
    });
    const [note, ...more] = await emailsTo(stack, sub.email);
    expect(more).toHaveLength(0);
    expect(note?.body.text).toContain('for current subscribers');
    expect(header(note!, 'In-Reply-To')).toBe('<CAH7x9qQ2m-gmail-reply-1@mail.gmail.com>');
    expect(await questionsOf(sub.id)).toEqual([]);
    expect(await emailsTo(stack, EXPERT)).toHaveLength(before);
  });

  it('accepts an answer only from the expert or backup, at a valid answer address, once', async () => {
    const sub = await subscriber();
    await deliver(fixture('iphone.eml'), replyAddress(stack.deps, sub.id));
    const [question] = await questionsOf(sub.id);
    const to = answerAddress(stack.deps, question!.id);
    const answer = (from: string, id: string) =>
      message(
        { From: from, To: to, Subject: 'Re: Question', 'Message-ID': `<${id}@x>` },
        'Keep it private.\n\nOn Sat, someone wrote:\n> the question',
      );

    expect(await deliver(answer('intruder@example.org', 'a1'), to)).toMatchObject({
      outcome: 'dropped',
      reason: 'not-expert',
    });
    const forged = to.replace(/\.[0-9a-f]{12}@/, '.000000000000@');
    expect(await deliver(answer(EXPERT, 'a2'), forged)).toMatchObject({
      outcome: 'dropped',
      reason: 'bad-mac',
    });
    expect(await emailsTo(stack, sub.email)).toHaveLength(1);

    expect(await deliver(answer('Backup@Example.com', 'a3'), to)).toMatchObject({ outcome: 'answered' });
    expect(await deliver(answer(EXPERT, 'a4'), to)).toMatchObject({ outcome: 'already-answered' });
    const answered = await stack.deps.questions.get(question!.id);
    expect(answered).toMatchObject({ status: 'answered', answer: 'Keep it private.' });
    const sent = await emailsTo(stack, sub.email);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.body.text).toMatch(/^Keep it private\./);
  });

  it("ignores the expert's out-of-office reply to a question: the question stays open", async () => {
    const sub = await subscriber();
    await deliver(fixture('iphone.eml'), replyAddress(stack.deps, sub.id));
    const [question] = await questionsOf(sub.id);
    const to = answerAddress(stack.deps, question!.id);
    const ooo = message(
      {
        From: EXPERT,
        To: to,
        Subject: 'Out of office',
        'Auto-Submitted': 'auto-replied',
        'Message-ID': '<eo@x>',
      },
      'I am away until Monday.',
    );
    expect(await deliver(ooo, to)).toMatchObject({ outcome: 'dropped', reason: 'auto-reply' });
    expect((await stack.deps.questions.get(question!.id))?.status).toBe('open');
    expect(await emailsTo(stack, sub.email)).toHaveLength(1);
  });

  it('escapes what the subscriber wrote in the HTML the expert reads', async () => {
    const sub = await subscriber();
    const to = replyAddress(stack.deps, sub.id);
    const raw = message(
      { From: sub.email, To: to, Subject: '<i>hi</i>', 'Message-ID': `<html-${sub.id}@x>` },
      'Is <script>alert(1)</script> & "this" a problem?',
    );
    expect((await deliver(raw, to)).outcome).toBe('forwarded');
    const [toExpert] = await expertEmailsAbout(sub);
    expect(toExpert?.body.html).toContain(
      'Is &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;this&quot; a problem?',
    );
    expect(toExpert?.body.html).not.toContain('<script>');
    expect(toExpert?.body.html).not.toContain('<i>hi</i>');
  });

  it('loses nothing when the expert email cannot be sent: the question stays open and the sweep reminds', async () => {
    const sub = await subscriber();
    const real = stack.deps.mailer;
    const refusing: Mailer = {
      send: async () => {
        throw new MailRejectedError('test: SES refused');
      },
    };
    stack.deps.mailer = refusing;
    const report = await deliver(fixture('latin1-qp.eml'), replyAddress(stack.deps, sub.id));
    stack.deps.mailer = real;
    expect(report).toMatchObject({ outcome: 'failed', reason: 'MailRejectedError' });
    const [question] = await questionsOf(sub.id);
    expect(question?.status).toBe('open');
    expect(stack.log.lines.some((l) => l.startsWith('error inbound mail failed'))).toBe(true);

    stack.clock.moveTo(new Date(Date.parse(question!.receivedAt) + 20 * 3600_000));
    expect((await sweepOpenQuestions(stack.deps)).reminded).toBeGreaterThanOrEqual(1);
    const reminders = (await emailsTo(stack, EXPERT)).filter(
      (e) => e.subject.startsWith('Reminder') && e.replyTo[0] === answerAddress(stack.deps, question!.id),
    );
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.body.text).toContain('Dois-je demander un retour détaillé');
  });

  it('keeps the answer and opens the question again when the answer cannot be sent', async () => {
    const sub = await subscriber();
    await deliver(fixture('gmail.eml'), replyAddress(stack.deps, sub.id));
    const [question] = await questionsOf(sub.id);
    const to = answerAddress(stack.deps, question!.id);
    const answer = (id: string) =>
      message(
        { From: EXPERT, To: to, Subject: 'Re', 'Message-ID': `<${id}-${sub.id}@x>` },
        'Yes, once more.',
      );
    const real = stack.deps.mailer;
    stack.deps.mailer = {
      send: async () => {
        throw new MailRejectedError('test: SES refused');
      },
    };
    const failed = await deliver(answer('first'), to);
    stack.deps.mailer = real;
    expect(failed.outcome).toBe('failed');
    const reopened = await stack.deps.questions.get(question!.id);
    expect(reopened).toMatchObject({ status: 'open', answer: 'Yes, once more.' });
    expect(reopened?.answeredAt).toBeUndefined();

    expect(await deliver(answer('second'), to)).toMatchObject({ outcome: 'answered' });
    expect((await stack.deps.questions.get(question!.id))?.status).toBe('answered');
  });

  it('never fails or throws on arbitrary bytes, alone or after plausible headers', async () => {
    const sub = await subscriber();
    const to = replyAddress(stack.deps, sub.id);
    const headers = Buffer.from(
      `From: someone@example.org\r\nTo: ${to}\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n`,
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.boolean(), async (bytes, withHeaders) => {
        const raw = withHeaders ? Buffer.concat([headers, bytes]) : bytes;
        const report = await deliver(raw, to);
        expect(report.outcome).not.toBe('failed');
      }),
      { numRuns: 60 },
    );
  });
});
