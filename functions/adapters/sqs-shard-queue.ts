import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

/** Puts one message per due-index shard on the dispatch queue, for workers to take in parallel. */
export class SqsShardQueue {
  private readonly client: SQSClient;

  constructor(
    private readonly queueUrl: string,
    client?: SQSClient,
  ) {
    this.client = client ?? new SQSClient({});
  }

  async enqueue(shards: number[]): Promise<void> {
    for (let i = 0; i < shards.length; i += 10) {
      const batch = shards.slice(i, i + 10);
      const result = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((shard) => ({ Id: String(shard), MessageBody: JSON.stringify({ shard }) })),
        }),
      );
      if (result.Failed?.length) throw new Error(`could not enqueue ${result.Failed.length} shard(s)`);
    }
  }
}
