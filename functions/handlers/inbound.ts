/** Lambda entry point of inbound mail: the SES receipt rule stored the message in S3, then invoked this. */
import type { SESEvent } from 'aws-lambda';
import { jsonLog } from '../adapters/json-log';
import { PostalMimeParser } from '../adapters/mime';
import { S3RawMail } from '../adapters/s3-raw-mail';
import { receiveStoredMail } from '../app/inbound/receive-stored-mail';
import { cloudDeps } from '../compose';
import { requireConfig } from '../config';

// The only function that parses mail and reads the inbound bucket, so the only bundle with postal-mime
// and the S3 client.
const { deps, config } = await cloudDeps(jsonLog('inbound'));
const parser = new PostalMimeParser();
const { INBOUND_BUCKET, INBOUND_PREFIX } = requireConfig(config, ['EXPERT_ADDRESS', 'INBOUND_BUCKET']);
const source = new S3RawMail({ bucket: INBOUND_BUCKET, prefix: INBOUND_PREFIX });

/**
 * Receives each message and answers CONTINUE. SES invokes asynchronously, so the answer never bounces
 * mail; a message that cannot be read or handled throws, and Lambda retries it, then dead-letters it.
 */
export const handler = async (event: SESEvent) => {
  for (const { ses } of event.Records ?? []) {
    await receiveStoredMail(deps, parser, source, {
      messageId: ses.mail.messageId,
      recipients: ses.receipt.recipients,
      verdicts: {
        spam: ses.receipt.spamVerdict?.status,
        virus: ses.receipt.virusVerdict?.status,
        spf: ses.receipt.spfVerdict?.status,
        dkim: ses.receipt.dkimVerdict?.status,
        dmarc: ses.receipt.dmarcVerdict?.status,
      },
    });
  }
  return { disposition: 'CONTINUE' as const };
};
