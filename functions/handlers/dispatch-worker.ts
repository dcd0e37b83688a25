/**
 * Lambda entry point of a dispatch worker: takes messages off the dispatch queue (SQS), each a due-index
 * shard or a confirmation a signup queued, and sends at its share of the account's send rate. A shard
 * that fails is reported back (partial batch failure) so SQS retries it, and after a few tries moves it
 * to the dead-letter queue. A confirmation that could not be sent (SES throttled or failed) is queued
 * again with a growing delay; after CONFIRMATION_ATTEMPTS it is reported back and ends there too.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { jsonLog } from '../adapters/json-log';
import {
  CONFIRMATION_ATTEMPTS,
  confirmationMessage,
  SqsConfirmationQueue,
} from '../adapters/sqs-confirmation-queue';
import { dispatchDue } from '../app/dispatch-due';
import { Pacer } from '../app/pacer';
import { sendConfirmation } from '../app/send-confirmation';
import { cloudDeps } from '../compose';
import { requireConfig } from '../config';

const SAFETY_MARGIN_MS = 15_000;
const shardMessage = z.object({ shard: z.number().check(z.int(), z.gte(0)) });

const log = jsonLog('dispatch-worker');
const { deps, config } = await cloudDeps(log);
const queue = new SqsConfirmationQueue({
  queueUrl: requireConfig(config, ['DISPATCH_QUEUE_URL']).DISPATCH_QUEUE_URL,
});
// This worker's share of the send rate, for its confirmations and its shards alike.
const pacer = new Pacer(config.MAX_SEND_RATE / config.DISPATCH_WORKERS);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Sends one queued confirmation; true when it is done with (sent, dropped, or queued again). */
async function confirmation(message: z.infer<typeof confirmationMessage>): Promise<boolean> {
  const { subscriberId } = message.confirmation;
  try {
    await pacer.take();
    await sendConfirmation(deps, message.confirmation);
    return true;
  } catch (error) {
    const attempt = message.attempt + 1;
    log.warn('confirmation not sent', { subscriberId, error: (error as Error).name, attempt });
    if (attempt >= CONFIRMATION_ATTEMPTS) return false;
    return queue.enqueue(message.confirmation, attempt).then(
      () => true,
      () => false,
    );
  }
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  const deadline = performance.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  for (const record of event.Records) {
    const json = parseJson(record.body);
    const queued = confirmationMessage.safeParse(json);
    if (queued.success) {
      if (!(await confirmation(queued.data))) failures.push({ itemIdentifier: record.messageId });
      continue;
    }
    const parsed = shardMessage.safeParse(json);
    if (!parsed.success || parsed.data.shard >= deps.settings.dueShards) {
      log.error('malformed dispatch message dropped', { messageId: record.messageId });
      continue;
    }
    try {
      await dispatchDue(deps, {
        shards: [parsed.data.shard],
        pacer,
        deadline,
      });
    } catch (error) {
      log.error('dispatch of a shard failed', { shard: parsed.data.shard, error: (error as Error).name });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
};
