import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  emailsTo,
  header,
  linkIn,
  postJson,
  type SentEmail,
  startTestStack,
  type TestStack,
} from '../support/stack';

const EXPERT = 'expert@example.com';
const BACKUP = 'backup@example.com';

describe('ask the expert: the whole loop over SMTP through the real stand-ins', () => {
  let stack: TestStack;
  let smtp: Transporter;

  beforeAll(async () => {
    // One expert: these tests are about the email loop of a single expert (the console's tests cover several).
    stack = await startTestStack({ config: { BACKUP_ADDRESS: BACKUP, EXPERT_ADDRESSES: undefined } });
    const port = Number(new URL(stack.urls.smtp).port);
    smtp = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  });
  afterAll(async () => {
    smtp.close();
    await stack.stop();
    expect(stack.log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
    expect(stack.log.lines.join('\n')).not.toMatch(/@|Kim|follow up/);
  });

  /** Signs a person up and confirms them; returns their welcome email (the first with a reply address). */
  async function confirmedReader(email: string): Promise<SentEmail> {
    await postJson(stack, '/api/subscribe', { email, firstName: 'Kim', timeZone: 'Europe/Berlin' });
    const [confirmation] = await emailsTo(stack, email);
    await fetch(linkIn(confirmation?.body.text, `${stack.urls.app}/confirm?token=`));
    const welcome = (await emailsTo(stack, email))[1];
    expect(welcome?.replyTo[0]).toMatch(/^reply\+/);
    return welcome!;
  }

  /** The newest email to `address` that is not in `before`. */
  async function newEmailsTo(address: string, before: SentEmail[]): Promise<SentEmail[]> {
    const seen = new Set(before.map((e) => e.messageId));
    return (await emailsTo(stack, address)).filter((e) => !seen.has(e.messageId));
  }

  it('subscriber asks by replying, the expert answers by replying, the answer arrives in the same thread', async () => {
    const reader = 'kim@example.com';
    const welcome = await confirmedReader(reader);
    const expertBefore = await emailsTo(stack, EXPERT);
    const readerBefore = await emailsTo(stack, reader);

    const question = await smtp.sendMail({
      from: `Kim <${reader}>`,
      to: welcome.replyTo[0],
      subject: `Re: ${welcome.subject}`,
      messageId: '<kim-question-1@mail.example.com>',
      inReplyTo: '<welcome@ses>',
      references: ['<welcome@ses>'],
      text: `Should I follow up after a week of silence?\n\nOn Mon, Sam wrote:\n> ${welcome.body.text?.split('\n')[0]}`,
    });
    expect(question.accepted).toEqual([welcome.replyTo[0]]);

    const [ack, ...moreToReader] = await newEmailsTo(reader, readerBefore);
    expect(moreToReader).toHaveLength(0);
    expect(header(ack!, 'In-Reply-To')).toBe('<kim-question-1@mail.example.com>');
    expect(header(ack!, 'References')).toBe('<welcome@ses> <kim-question-1@mail.example.com>');

    const [toExpert, ...moreToExpert] = await newEmailsTo(EXPERT, expertBefore);
    expect(moreToExpert).toHaveLength(0);
    expect(toExpert?.from).toContain('<course@example.com>');
    expect(toExpert?.subject).toBe(`Question from Kim (day 1): Re: ${welcome.subject}`);
    expect(toExpert?.body.text).toContain('Should I follow up after a week of silence?');
    expect(toExpert?.body.text).not.toContain('Sam wrote');
    expect(toExpert?.body.text).toContain('Emails they have had:');
    expect(toExpert?.replyTo[0]).toMatch(
      /^answer\+[0-9a-f]{32}-[0-9a-f]{16}\.[0-9a-f]{12}@reply\.localhost$/,
    );

    // The expert answers from their mail client: top-posted, our email quoted below.
    const answered = await smtp.sendMail({
      from: `The Expert <${EXPERT}>`,
      to: toExpert!.replyTo[0],
      subject: `Re: ${toExpert!.subject}`,
      text: `Yes: one short, friendly follow-up after a week is normal.\n\nOn Tue, course@example.com wrote:\n> ${toExpert!.body.text?.split('\n')[0]}`,
    });
    expect(answered.accepted).toHaveLength(1);

    const toReader = await emailsTo(stack, reader);
    const answer = toReader.at(-1)!;
    expect(answer.subject).toBe(`Re: ${welcome.subject}`);
    expect(header(answer, 'In-Reply-To')).toBe('<kim-question-1@mail.example.com>');
    expect(header(answer, 'References')).toBe('<welcome@ses> <kim-question-1@mail.example.com>');
    expect(answer.body.text).toMatch(/^Yes: one short, friendly follow-up after a week is normal\.\n/);
    expect(answer.body.text).not.toContain('course@example.com wrote');
    expect(answer.replyTo[0]).toBe(welcome.replyTo[0]);

    const subscriber = await stack.deps.store.findByEmail(reader);
    const [stored] = await stack.deps.questions.listForSubscriber(subscriber!.id);
    expect(stored).toMatchObject({
      status: 'answered',
      text: 'Should I follow up after a week of silence?',
      answer: 'Yes: one short, friendly follow-up after a week is normal.',
    });
    expect(stored?.responseMs).toBeGreaterThanOrEqual(0);
    expect(stored?.responseMs).toBeLessThan(60_000);
  });

  it('an out-of-office reply over SMTP gets no acknowledgement and never reaches the expert', async () => {
    const reader = 'away@example.com';
    const welcome = await confirmedReader(reader);
    const expertBefore = await emailsTo(stack, EXPERT);
    await smtp.sendMail({
      from: reader,
      to: welcome.replyTo[0],
      subject: 'Automatic reply: away',
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'I am away until Monday.',
    });
    expect(await emailsTo(stack, reader)).toHaveLength(2);
    expect(await newEmailsTo(EXPERT, expertBefore)).toEqual([]);
  });

  it('refuses mail for other domains at the SMTP door', async () => {
    await expect(
      smtp.sendMail({ from: 'a@example.org', to: 'someone@example.org', text: 'hi' }),
    ).rejects.toThrow(/550/);
  });

  it('reminds the expert once at 20 hours and tells the backup at 24 hours, with time travel', async () => {
    const reader = 'waiting@example.com';
    const welcome = await confirmedReader(reader);
    const expertBefore = await emailsTo(stack, EXPERT);
    await smtp.sendMail({
      from: reader,
      to: welcome.replyTo[0],
      subject: 'Re: welcome',
      messageId: '<waiting-1@mail.example.com>',
      text: 'Is it normal to feel nothing after a rejection?',
    });
    const [forwarded] = await newEmailsTo(EXPERT, expertBefore);
    expect(forwarded?.subject).toMatch(/^Question from Kim/);

    const at19 = await postJson(stack, '/_dev/clock', { advanceHours: 19 });
    expect(await at19.json()).toMatchObject({ reminded: 0, escalated: 0 });
    expect(await newEmailsTo(EXPERT, [...expertBefore, forwarded!])).toEqual([]);

    const at21 = await postJson(stack, '/_dev/clock', { advanceHours: 2 });
    expect(await at21.json()).toMatchObject({ reminded: 1, escalated: 0 });
    const [reminder, ...more] = await newEmailsTo(EXPERT, [...expertBefore, forwarded!]);
    expect(more).toEqual([]);
    expect(reminder?.subject).toMatch(/^Reminder: answer Kim by /);
    expect(reminder?.body.text).toContain('Is it normal to feel nothing after a rejection?');
    expect(reminder?.replyTo).toEqual(forwarded?.replyTo);

    const at23 = await postJson(stack, '/_dev/clock', { advanceHours: 2 });
    expect(await at23.json()).toMatchObject({ reminded: 0, escalated: 0 });
    expect(await emailsTo(stack, BACKUP)).toEqual([]);

    const at25 = await postJson(stack, '/_dev/clock', { advanceHours: 2 });
    expect(await at25.json()).toMatchObject({ reminded: 0, escalated: 1 });
    const [escalation, ...moreBackup] = await emailsTo(stack, BACKUP);
    expect(moreBackup).toEqual([]);
    expect(escalation?.subject).toBe("Overdue: Kim's question has waited 24 hours");
    expect(escalation?.body.text).toContain('Is it normal to feel nothing after a rejection?');
    expect(escalation?.replyTo).toEqual(forwarded?.replyTo);

    // Nothing more, however long it stays open; answered late, the response time shows the broken promise.
    const later = await postJson(stack, '/_dev/clock', { advanceHours: 48 });
    expect(await later.json()).toMatchObject({ reminded: 0, escalated: 0 });
    await smtp.sendMail({
      from: BACKUP,
      to: escalation!.replyTo[0],
      subject: 'Re',
      text: 'Yes, that is normal.',
    });
    const subscriber = await stack.deps.store.findByEmail(reader);
    const [question] = await stack.deps.questions.listForSubscriber(subscriber!.id);
    expect(question?.status).toBe('answered');
    expect(question?.responseMs).toBeGreaterThan(73 * 3600_000);
    expect(header((await emailsTo(stack, reader)).at(-1)!, 'In-Reply-To')).toBe(
      '<waiting-1@mail.example.com>',
    );
  });
});
