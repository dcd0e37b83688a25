import { describe, expect, it } from 'vitest';
import { MailRejectedError, MailThrottledError } from '../../functions/domain/errors';
import type { OutgoingEmail } from '../../functions/domain/ports';
import { RecordingMailer } from '../support/memory/mailer';

const email = (to: string): OutgoingEmail => ({
  to,
  subject: 'Lesson 1',
  html: '<p>Hi</p>',
  text: 'Hi',
  headers: [{ name: 'List-Unsubscribe', value: '<https://example.com/u>' }],
  tags: { step: '0' },
});

describe('the recording mailer of the fast test tier', () => {
  it('keeps every email it accepts, as it was handed over, with a distinct message id each', async () => {
    const mailer = new RecordingMailer();
    const handed = email('ann@example.com');
    const first = await mailer.send(handed);
    const second = await mailer.send(email('bob@example.com'));
    handed.subject = 'changed afterwards';
    expect(first.messageId).not.toBe(second.messageId);
    expect(mailer.sent.map((e) => e.subject)).toEqual(['Lesson 1', 'Lesson 1']);
    expect(mailer.to('ann@example.com')).toEqual([email('ann@example.com')]);
  });

  it('throttles or rejects as many sends as it is told to, keeping none of them, then accepts again', async () => {
    const mailer = new RecordingMailer().throttle(2);
    await expect(mailer.send(email('ann@example.com'))).rejects.toBeInstanceOf(MailThrottledError);
    await expect(mailer.send(email('ann@example.com'))).rejects.toBeInstanceOf(MailThrottledError);
    await mailer.send(email('ann@example.com'));
    mailer.reject();
    await expect(mailer.send(email('bob@example.com'))).rejects.toBeInstanceOf(MailRejectedError);
    await expect(mailer.send(email('bob@example.com'))).rejects.toBeInstanceOf(MailRejectedError);
    mailer.accept();
    await mailer.send(email('cat@example.com'));
    expect(mailer.sent.map((e) => e.to)).toEqual(['ann@example.com', 'cat@example.com']);
    expect(mailer.attempts).toBe(6);
  });
});
