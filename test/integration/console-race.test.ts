/**
 * Two experts answering one question at the same moment, one in the console and one by email over
 * SMTP, against the real stand-ins (dynalite's conditional writes decide): one answer is sent.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyAddress } from '../../functions/app/compose-email';
import { questionRef } from '../../functions/app/console/questions';
import { answerAddress } from '../../functions/app/inbound/emails';
import { EXPERT, EXPERT2, signedInHeaders } from '../support/console';
import { activeSubscriber, emailsTo, startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let smtp: Transporter;

beforeAll(async () => {
  stack = await startTestStack();
  smtp = nodemailer.createTransport({
    host: '127.0.0.1',
    port: Number(new URL(stack.urls.smtp).port),
    secure: false,
    ignoreTLS: true,
  });
});
afterAll(async () => {
  smtp.close();
  await stack.stop();
  expect(stack.log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  // Ids and outcomes only: no address, name or message text in the logs.
  expect(stack.log.lines.join('\n')).not.toMatch(/@|Lea|Should I call|From the console|By email/);
});

async function askedQuestion(email: string): Promise<string> {
  const subscriber = await activeSubscriber(stack, { email, firstName: 'Lea' });
  await smtp.sendMail({
    from: `Lea <${email}>`,
    to: replyAddress(stack.deps, subscriber.id),
    subject: 'Re: lesson',
    messageId: `<${subscriber.id}@mail.example.com>`,
    text: 'Should I call them?',
  });
  const [question] = await stack.deps.questions.listForSubscriber(subscriber.id);
  expect(question?.status).toBe('open');
  return question?.id ?? '';
}

describe('a console answer and an emailed answer racing for one question', () => {
  it.each([
    ['console first', true],
    ['email first', false],
  ])(
    '%s: exactly one answer reaches the subscriber, and the other expert is told',
    async (label, consoleFirst) => {
      const email = `lea-${consoleFirst ? 'c' : 'e'}@example.com`;
      const id = await askedQuestion(email);
      const web = async () =>
        fetch(`${stack.urls.app}/console/q/${questionRef(stack.deps, id)}/answer`, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            ...(await signedInHeaders(stack.deps, EXPERT)),
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ answer: `From the console (${label}).` }).toString(),
        });
      const mail = () =>
        smtp.sendMail({
          from: EXPERT2,
          to: answerAddress(stack.deps, id),
          subject: 'Re: Question',
          text: `By email (${label}).`,
        });
      const results = consoleFirst ? await Promise.all([web(), mail()]) : await Promise.all([mail(), web()]);
      const response = results.find((r): r is Response => r instanceof Response);
      const answers = (await emailsTo(stack, email)).filter((e) => e.body.text?.includes('You wrote:'));
      expect(answers).toHaveLength(1);
      const question = await stack.deps.questions.get(id);
      if (question?.answeredBy === EXPERT) {
        expect(response?.status).toBe(303);
        expect(answers[0]?.body.text).toContain('From the console');
        expect(
          (await emailsTo(stack, EXPERT2)).filter((e) => e.subject.startsWith('Already answered')),
        ).not.toEqual([]);
      } else {
        expect(question?.answeredBy).toBe(EXPERT2);
        expect(response?.status).toBe(409);
        expect(answers[0]?.body.text).toContain('By email');
      }
    },
  );
});
