/**
 * Lambda entry point of the scheduled dispatcher tick (EventBridge, every 5 minutes). With a dispatch
 * queue configured it fans out: one message per due-index shard, worked in parallel by dispatch-worker
 * functions that share the account's send rate. Without one it sends everything itself.
 */
import type { Context } from 'aws-lambda';
import { jsonLog } from '../adapters/json-log';
import { SqsShardQueue } from '../adapters/sqs-shard-queue';
import { dispatchDue } from '../app/dispatch-due';
import { sweepOpenQuestions } from '../app/inbound/sweep-open-questions';
import { cloudDeps } from '../compose';

/** Time kept back from the Lambda timeout so a run always finishes its last sends and records. */
const SAFETY_MARGIN_MS = 15_000;

const { deps, config } = await cloudDeps(jsonLog('dispatch'));
const queue = config.DISPATCH_QUEUE_URL ? new SqsShardQueue(config.DISPATCH_QUEUE_URL) : undefined;

/** Sends (or fans out) the due course emails, then keeps the 24-hour promise of open questions. */
export const handler = async (_event: unknown, context: Context) => {
  const shards = Array.from({ length: deps.settings.dueShards }, (_, shard) => shard);
  const report = queue
    ? await queue.enqueue(shards).then(() => ({ enqueuedShards: shards.length }))
    : await dispatchDue(deps, {
        deadline: performance.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS,
      });
  return { ...report, questions: await sweepOpenQuestions(deps) };
};
