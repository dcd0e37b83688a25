import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import type { ConfirmationQueue, ConfirmationRequest } from '../domain/ports';

/** Options of the SQS confirmation queue. */
export interface SqsConfirmationQueueOptions {
  queueUrl: string;
  client?: SQSClient | undefined;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A confirmation request as an SQS message: ids, a time and the attempts so far; nothing that names a person. */
export const confirmationMessage = z.object({
  confirmation: z.object({
    subscriberId: z.string().check(z.regex(ID)),
    requestedAt: z.iso.datetime(),
    changeId: z.optional(z.string().check(z.regex(ID))),
  }),
  attempt: z._default(z.number().check(z.int(), z.gte(0)), 0),
});

/** Tries of one confirmation before it is left to the dead-letter queue: backoffs add up to about 2 hours. */
export const CONFIRMATION_ATTEMPTS = 12;

/** Seconds before try `attempt` (1, 2 …): 2, 4, 8 … up to SQS's longest delay, 15 minutes. */
export const retryDelaySeconds = (attempt: number) => Math.min(900, 2 ** attempt);

/**
 * Confirmation requests on the dispatch queue, beside its shards: the same workers send both, so course
 * emails and confirmations together stay under the account's send rate. A retry is a new message with
 * a delay (SQS's own backoff), so it does not use up the queue's receive count.
 */
export class SqsConfirmationQueue implements ConfirmationQueue {
  private readonly client: SQSClient;

  constructor(private readonly options: SqsConfirmationQueueOptions) {
    this.client = options.client ?? new SQSClient({});
  }

  async enqueue(request: ConfirmationRequest, attempt = 0): Promise<void> {
    const body: z.input<typeof confirmationMessage> = { confirmation: request, attempt };
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        MessageBody: JSON.stringify(body),
        DelaySeconds: attempt > 0 ? retryDelaySeconds(attempt) : undefined,
      }),
    );
  }
}
