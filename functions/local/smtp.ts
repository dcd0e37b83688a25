/**
 * The local stand-in for SES inbound: an SMTP server that accepts mail for the reply domain and hands
 * the raw MIME of each message to the same use case the inbound Lambda calls.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { PostalMimeParser } from '../adapters/mime';
import type { Deps } from '../app/deps';
import { receiveMail } from '../app/inbound/receive-mail';

/** Largest message accepted (SES accepts up to 40 MB; questions are small). */
const MAX_MESSAGE_BYTES = 30 * 1024 * 1024;

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
        receiveMail(deps, parser, {
          raw: Buffer.concat(chunks),
          recipients: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          sourceId: session.id,
        })
          .catch(() => undefined)
          .finally(() => callback());
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
