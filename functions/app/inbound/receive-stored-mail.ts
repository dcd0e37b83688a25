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
 * Reads a message the SES receipt rule stored, then receives it. Never throws: a message that cannot be
 * read is logged by id and stays in the bucket for review.
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
    return { outcome: 'failed', reason: 'storage' };
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
  return report;
}
