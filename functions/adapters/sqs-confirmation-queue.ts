import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ConfirmationQueue, ConfirmationRequest } from '../domain/ports';

/** Options of the SQS confirmation queue. */
export interface SqsConfirmationQueueOptions {
  queueUrl: string;
  client?: SQSClient | undefined;
}

/** Confirmation requests as SQS messages (JSON: ids and a time, nothing that names a person). */
export class SqsConfirmationQueue implements ConfirmationQueue {
  private readonly client: SQSClient;

  constructor(private readonly options: SqsConfirmationQueueOptions) {
    this.client = options.client ?? new SQSClient({});
  }

  async enqueue(request: ConfirmationRequest): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.options.queueUrl, MessageBody: JSON.stringify(request) }),
    );
  }

  /** Makes a received message visible again after `seconds` (a backoff shorter than the visibility timeout). */
  async retryAfter(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.options.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }
}
