/**
 * The local stand-in for SES inbound: an SMTP server that accepts mail for the reply domain and hands
 * the raw MIME of each message to the same use case the inbound Lambda calls.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { PostalMimeParser } from '../adapters/mime';
import type { Deps } from '../app/deps';
import { receiveMail } from '../app/inbound/receive-mail';
import { type MailVerdicts, PASSING_VERDICTS } from '../domain/questions';

/** Largest message accepted (SES accepts up to 40 MB; questions are small). */
const MAX_MESSAGE_BYTES = 30 * 1024 * 1024;

/** The header a test sets to get failing verdicts from the local server (SES never reads it). */
export const LOCAL_VERDICTS_HEADER = 'X-Local-Verdicts';

/**
 * The local server's receipt verdicts, given to every message as SES gives them in the cloud: all pass,
 * unless the message's header block carries e.g. `X-Local-Verdicts: dmarc=FAIL spf=FAIL dkim=FAIL`.
 * Only this local stand-in honours that header.
 */
export function localVerdicts(raw: Uint8Array): MailVerdicts {
  const head =
    Buffer.from(raw.subarray(0, 64 * 1024))
      .toString('latin1')
      .split(/\r?\n\r?\n/, 1)[0] ?? '';
  const line = new RegExp(`^${LOCAL_VERDICTS_HEADER}:(.*)$`, 'im').exec(head)?.[1] ?? '';
  const verdicts: MailVerdicts = { ...PASSING_VERDICTS };
  for (const [, name, value] of line.matchAll(/\b(spam|virus|spf|dkim|dmarc)=([A-Z_]+)/gi)) {
    verdicts[(name as string).toLowerCase() as keyof MailVerdicts] = (value as string).toUpperCase();
  }
  return verdicts;
}

/** SMTP 451: the sending server keeps the message and tries again later, so nothing is lost. */
function tryLater(): Error {
  const error = new Error('message not processed, try again later') as Error & { responseCode: number };
  error.responseCode = 451;
  return error;
}

/** A running local SMTP server. */
export interface LocalSmtp {
  port: number;
  close(): Promise<void>;
}

/** Starts the SMTP server on `host:port` (0 picks a free port); no TLS, no auth: it listens on loopback. */
export async function startSmtpServer(deps: Deps, port: number, host: string): Promise<LocalSmtp> {
  const domain = `@${deps.settings.replyDomain.toLowerCase()}`;
  const parser = new PostalMimeParser();
  const server = new SMTPServer({
    name: deps.settings.replyDomain,
    banner: 'local inbound mail for the course',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.toLowerCase().endsWith(domain)) return callback();
      const error = new Error(`mailbox unavailable: only ${domain} is handled here`) as Error & {
        responseCode: number;
      };
      error.responseCode = 550;
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', () => callback());
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          const error = new Error('message too large') as Error & { responseCode: number };
          error.responseCode = 552;
          return callback(error);
        }
        const raw = Buffer.concat(chunks);
        receiveMail(deps, parser, {
          raw,
          recipients: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          verdicts: localVerdicts(raw),
          sourceId: session.id,
        })
          .then((report) => callback(report.outcome === 'failed' ? tryLater() : undefined))
          .catch(() => callback(tryLater()));
      });
    },
  });
  server.on('error', (error) => deps.log.error('smtp server error', { error: error.name }));
  const bound = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => resolve((server.server.address() as AddressInfo).port));
  });
  return {
    port: bound,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
