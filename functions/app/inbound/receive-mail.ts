import { createHash } from 'node:crypto';
import { UnreadableMailError } from '../../domain/errors';
import { boundedMail } from '../../domain/mail-bounds';
import type { MailParser } from '../../domain/ports';
import {
  automatedReason,
  dmarcAligned,
  type InboundAddress,
  type InboundMail,
  type MailVerdicts,
  parseInboundAddress,
  verdictAction,
} from '../../domain/questions';
import { normaliseEmail } from '../../domain/subscriber';
import type { Deps } from '../deps';
import { answerQuestion } from './answer-question';
import { receiveReply } from './receive-reply';
import type { InboundReport, Routed } from './routed';

export type { InboundReport } from './routed';

/** One inbound message as the mail server hands it over. */
export interface RawInbound {
  raw: Uint8Array;
  /** Envelope recipients (SMTP `RCPT TO`, SES `receipt.recipients`): who the message was delivered to. */
  recipients: string[];
  /** Receipt verdicts: SES's in the cloud, the local SMTP server's locally. */
  verdicts: MailVerdicts;
  /** An id of the raw message for logs (the SES message id, the S3 key). */
  sourceId?: string | undefined;
}

function ourAddress(deps: Deps, mail: InboundMail, envelope: string[]): InboundAddress | undefined {
  for (const candidate of [...envelope, ...mail.recipients]) {
    const address = parseInboundAddress(candidate.trim(), deps.settings.replyDomain);
    if (address) return address;
  }
  return undefined;
}

function isOwnAddress(deps: Deps, from: string): boolean {
  const domain = `@${deps.settings.replyDomain.toLowerCase()}`;
  return from === normaliseEmail(deps.settings.fromAddress) || from.endsWith(domain);
}

async function route(deps: Deps, parser: MailParser, input: RawInbound): Promise<InboundReport> {
  const verdict = verdictAction(input.verdicts);
  if (verdict === 'drop') return { outcome: 'dropped', reason: 'spam-or-virus' };
  let mail: InboundMail;
  try {
    mail = boundedMail(await parser.parse(input.raw));
  } catch (error) {
    if (error instanceof UnreadableMailError) return { outcome: 'dropped', reason: 'unreadable' };
    throw error;
  }
  const automated = automatedReason(mail);
  if (automated) return { outcome: 'dropped', reason: automated };
  if (!mail.from) return { outcome: 'dropped', reason: 'no-sender' };
  if (isOwnAddress(deps, mail.from)) return { outcome: 'dropped', reason: 'own-address' };
  const address = ourAddress(deps, mail, input.recipients);
  if (!address) return { outcome: 'dropped', reason: 'unknown-address' };
  const routed: Routed = {
    mail,
    address,
    messageKey: mail.messageId ?? createHash('sha256').update(input.raw).digest('hex'),
    authenticated: verdict === 'accept',
    dmarcAligned: dmarcAligned(input.verdicts),
    raw: input.raw,
  };
  return address.kind === 'reply' ? receiveReply(deps, routed) : answerQuestion(deps, routed);
}

/**
 * Takes one inbound message (a subscriber's question or the expert's answer) from raw MIME to its
 * outcome. Never throws: whatever the input, the result is logged with ids only and reported, so the
 * mail server (SES, the local SMTP server) never retries a message forever. A failure after a
 * question was stored leaves it open, and the 24-hour sweep brings it to the expert's attention.
 */
export async function receiveMail(deps: Deps, parser: MailParser, input: RawInbound): Promise<InboundReport> {
  let report: InboundReport;
  try {
    report = await route(deps, parser, input);
  } catch (error) {
    report = { outcome: 'failed', reason: (error as Error).name ?? 'Error' };
  }
  const data = {
    outcome: report.outcome,
    reason: report.reason,
    subscriberId: report.subscriberId,
    questionId: report.questionId,
    sourceId: input.sourceId,
    bytes: input.raw.byteLength,
  };
  if (report.outcome === 'failed') deps.log.error('inbound mail failed', data);
  else deps.log.info('inbound mail', data);
  return report;
}
