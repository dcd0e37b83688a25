import type { MailParser, RawMailSource } from '../../domain/ports';
import type { MailVerdicts } from '../../domain/questions';
import type { Deps } from '../deps';
import { type InboundReport, receiveMail } from './receive-mail';

/** What the SES receipt rule tells the inbound function about one message. */
export interface StoredMailNotice {
  /** SES message id: also the S3 object name under the rule's prefix. */
  messageId: string;
  recipients: string[];
  verdicts: MailVerdicts;
}

/**
 * Thrown when a stored message could not be handled (not readable from storage, or its handling failed):
 * the inbound function then fails, Lambda retries the invocation twice, and the event ends in the
 * dead-letter queue, which is alarmed. The raw message stays in the bucket for review and replay.
 */
export class InboundMailFailedError extends Error {
  override name = 'InboundMailFailedError';
}

/**
 * Reads a message the SES receipt rule stored, then receives it. Throws `InboundMailFailedError` when the
 * message cannot be read or its handling failed, so that nothing is lost silently; every other outcome
 * (held, dropped, duplicate) is a success.
 */
export async function receiveStoredMail(
  deps: Deps,
  parser: MailParser,
  source: RawMailSource,
  notice: StoredMailNotice,
): Promise<InboundReport> {
  let raw: Uint8Array;
  try {
    raw = await source.read(notice.messageId);
  } catch (error) {
    deps.log.error('inbound mail unreadable from storage', {
      sourceId: notice.messageId,
      error: (error as Error).name,
    });
    throw new InboundMailFailedError(`message ${notice.messageId} could not be read from storage`);
  }
  const report = await receiveMail(deps, parser, {
    raw,
    recipients: notice.recipients,
    verdicts: notice.verdicts,
    sourceId: notice.messageId,
  });
  if (report.subscriberId) {
    // Filed under the person, so that erasing them deletes it; unfiled mail expires with the bucket's rule.
    await source.fileUnder(notice.messageId, report.subscriberId).catch((error: Error) => {
      deps.log.warn('inbound mail not filed under its subscriber', {
        sourceId: notice.messageId,
        error: error.name,
      });
    });
  }
  if (report.outcome === 'failed') {
    throw new InboundMailFailedError(`message ${notice.messageId} failed: ${report.reason ?? 'error'}`);
  }
  return report;
}
