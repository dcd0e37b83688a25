/**
 * `npm run reply`: sends a reply to the local SMTP server as a subscriber or as the expert would, so the
 * question loop can be tried by hand.
 *
 *   npm run reply -- --text "How do I follow up?"                 # reply to the newest course email
 *   npm run reply -- --expert --text "One short follow-up is fine." # answer the newest question
 *   npm run reply -- --to reply+<id>.<mac>@reply.localhost --text "…" [--from you@example.com]
 *   npm run reply -- --to answer+<id>.<mac>@reply.localhost --file answer.eml
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';

interface StoredEmail {
  messageId: string;
  subject: string;
  replyTo: string[];
  destination: { to: string[] };
}

const { values } = parseArgs({
  options: {
    to: { type: 'string' },
    text: { type: 'string' },
    file: { type: 'string' },
    from: { type: 'string' },
    subject: { type: 'string' },
    expert: { type: 'boolean', default: false },
  },
});

const smtpPort = Number(process.env.SMTP_PORT ?? 2525);
const sesPort = Number(process.env.SES_PORT ?? 8005);
const expertAddress = process.env.EXPERT_ADDRESS ?? 'expert@example.com';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** The newest email in the SES stand-in whose Reply-To is a reply (or, for the expert, an answer) address. */
async function newestReplyTarget(expert: boolean): Promise<StoredEmail> {
  const response = await fetch(`http://localhost:${sesPort}/store`).catch(() =>
    fail(`cannot reach the SES stand-in on port ${sesPort}: is \`npm start\` running?`),
  );
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  const prefix = expert ? 'answer+' : 'reply+';
  const match = emails.filter((email) => email.replyTo?.[0]?.startsWith(prefix)).at(-1);
  if (!match) fail(expert ? 'no question has reached the expert yet' : 'no course email has been sent yet');
  return match;
}

if (!values.text && !values.file) fail('give --text "…" (or --file message.eml)');
const target = values.to ? undefined : await newestReplyTarget(values.expert ?? false);
const to = values.to ?? target?.replyTo[0] ?? fail('no address to reply to');
const from =
  values.from ??
  (to.startsWith('answer+') ? expertAddress : (target?.destination.to[0] ?? 'reader@example.com'));
const transport = nodemailer.createTransport({
  host: '127.0.0.1',
  port: smtpPort,
  secure: false,
  ignoreTLS: true,
});
const info = await transport
  .sendMail(
    values.file
      ? { envelope: { from, to: [to] }, raw: await readFile(values.file) }
      : {
          from,
          to,
          subject: values.subject ?? `Re: ${target?.subject ?? 'your email'}`,
          text: values.text,
        },
  )
  .catch((error: Error) => fail(`the SMTP server on port ${smtpPort} refused the message: ${error.message}`));
console.log(
  `sent ${info.messageId} from ${from} to ${to}; open http://localhost:${sesPort} to see what came back`,
);
transport.close();
