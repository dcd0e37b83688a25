import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { MailRejectedError, MailThrottledError } from '../domain/errors';
import type { Mailer, OutgoingEmail } from '../domain/ports';

/** Options of the SES v2 mailer. */
export interface SesMailerOptions {
  /** `Name <address>` or a bare address, from a verified identity. */
  from: string;
  configurationSet?: string | undefined;
  client?: SESv2Client | undefined;
}

const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException']);
const REJECTED = new Set(['MessageRejected', 'BadRequestException']);

/** SES tag values allow only ASCII letters, digits, `_`, `-`, `.` and `@`. */
function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);
}

/** `Mailer` over SES v2 `SendEmail` with simple content, custom headers, tags and a configuration set. */
export class SesMailer implements Mailer {
  private readonly client: SESv2Client;

  constructor(private readonly options: SesMailerOptions) {
    this.client = options.client ?? new SESv2Client({});
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    try {
      const result = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.options.from,
          Destination: { ToAddresses: [email.to] },
          ReplyToAddresses: email.replyTo ? [email.replyTo] : undefined,
          ConfigurationSetName: this.options.configurationSet,
          EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Html: { Data: email.html, Charset: 'UTF-8' },
                Text: { Data: email.text, Charset: 'UTF-8' },
              },
              Headers:
                email.headers.length > 0
                  ? email.headers.map(({ name, value }) => ({ Name: name, Value: value }))
                  : undefined,
            },
          },
        }),
      );
      return { messageId: result.MessageId ?? '' };
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (THROTTLING.has(name)) throw new MailThrottledError(`SES throttled the send (${name})`);
      if (REJECTED.has(name)) throw new MailRejectedError(`SES rejected the message (${name})`);
      throw error;
    }
  }
}
