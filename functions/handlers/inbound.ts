/** Lambda entry point of inbound mail: the SES receipt rule stored the message in S3, then invoked this. */
import type { SESEvent } from 'aws-lambda';
import { powertoolsLog } from '../adapters/powertools-log';
import { receiveStoredMail } from '../app/inbound/receive-stored-mail';
import { cloudDeps, rawMailSource } from '../compose';
import { requireConfig } from '../config';

const { deps, config } = await cloudDeps(powertoolsLog('inbound'));
const source = rawMailSource(requireConfig(config, ['EXPERT_ADDRESS', 'INBOUND_BUCKET']));

/** Receives each message; always reports success (and CONTINUE), so SES never retries or bounces. */
export const handler = async (event: SESEvent) => {
  for (const { ses } of event.Records ?? []) {
    await receiveStoredMail(deps, source, {
      messageId: ses.mail.messageId,
      recipients: ses.receipt.recipients,
      verdicts: {
        spam: ses.receipt.spamVerdict?.status,
        virus: ses.receipt.virusVerdict?.status,
        spf: ses.receipt.spfVerdict?.status,
        dkim: ses.receipt.dkimVerdict?.status,
      },
    });
  }
  return { disposition: 'CONTINUE' as const };
};
