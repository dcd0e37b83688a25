/**
 * Lambda entry point of the confirmation sender: takes the confirmation requests signups queued (SQS)
 * and sends each at its share of the account's send rate. A request the mail service throttled, or
 * that failed, is reported back (partial batch failure) and made visible again after a backoff that
 * doubles with each receive; after ten receives SQS moves it to the dead-letter queue (alarmed).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { jsonLog } from '../adapters/json-log';
import { SqsConfirmationQueue } from '../adapters/sqs-confirmation-queue';
import { Pacer } from '../app/pacer';
import { sendConfirmation } from '../app/send-confirmation';
import { cloudDeps } from '../compose';
import { requireConfig } from '../config';

const request = z.object({
  subscriberId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  requestedAt: z.iso.datetime(),
  changeId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/))),
});

const log = jsonLog('confirmations');
const { deps, config } = await cloudDeps(log);
const queue = new SqsConfirmationQueue({
  queueUrl: requireConfig(config, ['CONFIRMATION_QUEUE_URL']).CONFIRMATION_QUEUE_URL,
});
const pacer = new Pacer(config.MAX_SEND_RATE / config.CONFIRMATION_SENDERS);

/** Seconds before a failed request is tried again: 2, 4, 8 … up to 5 minutes. */
const backoffSeconds = (receives: number) => Math.min(300, 2 ** Math.max(1, receives));

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const parsed = request.safeParse(parseJson(record.body));
    if (!parsed.success) {
      log.error('malformed confirmation request dropped', { messageId: record.messageId });
      continue;
    }
    try {
      await pacer.take();
      await sendConfirmation(deps, parsed.data);
    } catch (error) {
      const receives = Number(record.attributes.ApproximateReceiveCount);
      log.warn('confirmation not sent: retried later', {
        subscriberId: parsed.data.subscriberId,
        error: (error as Error).name,
        receives,
      });
      failures.push({ itemIdentifier: record.messageId });
      await queue.retryAfter(record.receiptHandle, backoffSeconds(receives)).catch(() => undefined);
    }
  }
  return { batchItemFailures: failures };
};
