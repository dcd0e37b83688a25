import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLimit, RateLimiter } from '../domain/rate-limit';
import { TableAdapter, type TableOptions } from './dynamo-document';
import { TTL_ATTRIBUTE } from './dynamo-table';

/** Options of the DynamoDB rate limiter. */
export type DynamoRateLimiterOptions = TableOptions;

/**
 * Fixed-window counters `RATE#<limit>#<hash>#<window start>` / `RATE`: one atomic ADD per hit, and the
 * TTL attribute removes each counter a while after its window ends (DynamoDB deletes expired items
 * within a day or two; an expired counter is never read again, because the window key has moved on).
 */
export class DynamoRateLimiter extends TableAdapter implements RateLimiter {
  private key(limit: RateLimit, subject: string, windowStart: Date) {
    return { pk: `RATE#${limit.name}#${subject}#${windowStart.toISOString()}`, sk: 'RATE' };
  }

  async count(limit: RateLimit, subject: string, windowStart: Date): Promise<number> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: this.key(limit, subject, windowStart),
        ConsistentRead: true,
      }),
    );
    return Number(Item?.hits ?? 0);
  }

  async hit(limit: RateLimit, subject: string, windowStart: Date): Promise<number> {
    const expiresAt = Math.ceil((windowStart.getTime() + limit.windowMs) / 1000) + 3600;
    const { Attributes } = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(limit, subject, windowStart),
        UpdateExpression: 'ADD #hits :one SET #expires = :expires, #type = :type',
        ExpressionAttributeNames: { '#hits': 'hits', '#expires': TTL_ATTRIBUTE, '#type': 'type' },
        ExpressionAttributeValues: { ':one': 1, ':expires': expiresAt, ':type': 'rate' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.hits ?? 1);
  }
}
