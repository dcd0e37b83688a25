/**
 * Lambda entry point of a dispatch worker: takes due-index shards off the dispatch queue (SQS) and sends
 * what is due in each at its share of the account's send rate. A shard that fails is reported back
 * (partial batch failure) so SQS retries it, and after a few tries moves it to the dead-letter queue.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { jsonLog } from '../adapters/json-log';
import { dispatchDue } from '../app/dispatch-due';
import { cloudDeps } from '../compose';

const SAFETY_MARGIN_MS = 15_000;
const message = z.object({ shard: z.number().check(z.int(), z.gte(0)) });

const log = jsonLog('dispatch-worker');
const { deps, config } = await cloudDeps(log);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  const deadline = performance.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  for (const record of event.Records) {
    const parsed = message.safeParse(parseJson(record.body));
    if (!parsed.success || parsed.data.shard >= deps.settings.dueShards) {
      log.error('malformed dispatch message dropped', { messageId: record.messageId });
      continue;
    }
    try {
      await dispatchDue(deps, {
        shards: [parsed.data.shard],
        ratePerSecond: config.MAX_SEND_RATE / config.DISPATCH_WORKERS,
        deadline,
      });
    } catch (error) {
      log.error('dispatch of a shard failed', { shard: parsed.data.shard, error: (error as Error).name });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
};
