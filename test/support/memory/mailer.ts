/** A `Mailer` that keeps every email it accepts, and can be told to throttle or reject the next sends. */
import { MailRejectedError, MailThrottledError } from '../../../functions/domain/errors';
import type { Mailer, OutgoingEmail } from '../../../functions/domain/ports';

export class RecordingMailer implements Mailer {
  /** Every email accepted, in order, as it was handed over. */
  readonly sent: OutgoingEmail[] = [];
  /** Every send asked for, accepted or not. */
  attempts = 0;
  private failure: { error: () => Error; remaining: number } | undefined;

  /** The next `times` sends (all of them when omitted) fail with MailThrottledError. */
  throttle(times = Number.POSITIVE_INFINITY): this {
    this.failure = { error: () => new MailThrottledError(), remaining: times };
    return this;
  }

  /** The next `times` sends (all of them when omitted) fail with MailRejectedError. */
  reject(times = Number.POSITIVE_INFINITY, reason = 'Address rejected by the mail service.'): this {
    this.failure = { error: () => new MailRejectedError(reason), remaining: times };
    return this;
  }

  /** The next `times` sends (all of them when omitted) fail as an outage would: a plain Error. */
  fail(times = Number.POSITIVE_INFINITY): this {
    this.failure = { error: () => new Error('The mail service is unavailable.'), remaining: times };
    return this;
  }

  /** Sends go through again. */
  accept(): this {
    this.failure = undefined;
    return this;
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    this.attempts += 1;
    if (this.failure && this.failure.remaining > 0) {
      this.failure.remaining -= 1;
      throw this.failure.error();
    }
    this.sent.push(structuredClone(email));
    return { messageId: `memory-${this.sent.length}` };
  }

  /** Emails accepted for one address. */
  to(address: string): OutgoingEmail[] {
    return this.sent.filter((email) => email.to === address);
  }
}
