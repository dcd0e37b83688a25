/**
 * Lambda entry point of the scheduled dispatcher tick (EventBridge, every 5 minutes): it fans out, one
 * message per due-index shard on the dispatch queue, worked in parallel by dispatch-worker functions that
 * share the account's send rate; then it keeps the 24-hour promise of open questions.
 */
import { jsonLog } from '../adapters/json-log';
import { SqsShardQueue } from '../adapters/sqs-shard-queue';
import { sweepOpenQuestions } from '../app/inbound/sweep-open-questions';
import { cloudDeps } from '../compose';
import { requireConfig } from '../config';

const { deps, config } = await cloudDeps(jsonLog('dispatch'));
const queue = new SqsShardQueue(requireConfig(config, ['DISPATCH_QUEUE_URL']).DISPATCH_QUEUE_URL);

/** Enqueues every shard of the due index, then reminds and escalates open questions. */
export const handler = async () => {
  const shards = Array.from({ length: deps.settings.dueShards }, (_, shard) => shard);
  await queue.enqueue(shards);
  return { enqueuedShards: shards.length, questions: await sweepOpenQuestions(deps) };
};
