import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ConsentLog, ConsentRecord } from '../domain/privacy';
import { SIGNUP_LIMITS, type SignupLimits } from '../domain/rate-limit';
import type { Safeguards } from '../domain/safeguards';
import type { BounceLedger, SuppressionList, SuppressionReason } from '../domain/suppression';
import { conditionHeld, documentClient, ifConditionHolds } from './dynamo-document';
import { DynamoRateLimiter } from './dynamo-rate-limiter';

/** Options of the DynamoDB safeguards. */
export interface DynamoSafeguardsOptions {
  tableName: string;
  client?: DynamoDBDocumentClient | undefined;
  /** Signup limits (default: SIGNUP_LIMITS). */
  limits?: SignupLimits | undefined;
}

/** `SUPPRESS#<sha256 of the address>` / `SUPPRESS`: the hash, a reason and a time; nothing that names a person. */
export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async isSuppressed(hash: string): Promise<boolean> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: `SUPPRESS#${hash}`, sk: 'SUPPRESS' } }),
    );
    return Item !== undefined;
  }

  suppress(hash: string, reason: SuppressionReason, at: string): Promise<boolean> {
    return conditionHeld(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `SUPPRESS#${hash}`, sk: 'SUPPRESS', type: 'suppression', reason, at },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }
}

/**
 * `SUB#<id>` / `BOUNCES`: the feedback ids of the transient bounces since the last delivery (a string set,
 * so a replayed bounce is not counted twice), the time of the latest bounce and of the delivery that
 * last cleared them.
 */
export class DynamoBounceLedger implements BounceLedger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key(subscriberId: string) {
    return { pk: `SUB#${subscriberId}`, sk: 'BOUNCES' };
  }

  async countTransient(subscriberId: string, feedbackId: string, at: string): Promise<number> {
    const counted = await ifConditionHolds(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(subscriberId),
          UpdateExpression: 'ADD #ids :id SET #last = :at, #type = :type',
          // A delivery newer than this bounce already started a new run: the bounce is old news.
          ConditionExpression:
            'NOT contains(#ids, :feedback) AND (attribute_not_exists(#delivered) OR #delivered < :at)',
          ExpressionAttributeNames: {
            '#ids': 'transientIds',
            '#last': 'lastBounceAt',
            '#delivered': 'deliveredAt',
            '#type': 'type',
          },
          ExpressionAttributeValues: {
            ':id': new Set([feedbackId]),
            ':feedback': feedbackId,
            ':at': at,
            ':type': 'bounces',
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    const item =
      counted?.Attributes ??
      (
        await this.doc.send(
          new GetCommand({ TableName: this.table, Key: this.key(subscriberId), ConsistentRead: true }),
        )
      ).Item;
    return (item?.transientIds as Set<string> | undefined)?.size ?? 0;
  }

  async resetTransient(subscriberId: string, at: string): Promise<void> {
    // A write whose condition fails is billed like one that succeeds: a consistent read (a fifth of a
    // write's price) first, and a write only while there are bounces to forgive. Once forgiven, later
    // deliveries to someone who once bounced cost this read only, not a write each. A bounce stored between the read
    // and the write is newer than this delivery's read, so it is not ours.
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: this.key(subscriberId), ConsistentRead: true }),
    );
    if (!Item?.transientIds || !(String(Item.lastBounceAt) < at)) return;
    await conditionHeld(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(subscriberId),
          UpdateExpression: 'REMOVE #ids SET #delivered = :at',
          // Only bounces older than this delivery are forgiven: events may arrive out of order.
          ConditionExpression: 'attribute_exists(pk) AND #last < :at',
          ExpressionAttributeNames: {
            '#ids': 'transientIds',
            '#last': 'lastBounceAt',
            '#delivered': 'deliveredAt',
          },
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  }
}

/** `SUB#<id>` / `CONSENT#<time>`: one record per signup, kept with the subscriber (exported and erased with them). */
export class DynamoConsentLog implements ConsentLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(subscriberId: string, consent: ConsentRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `SUB#${subscriberId}`, sk: `CONSENT#${consent.at}`, type: 'consent', ...consent },
      }),
    );
  }

  async forget(subscriberId: string, at: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: `SUB#${subscriberId}`, sk: `CONSENT#${at}` } }),
    );
  }
}

/** Every safeguard on one DynamoDB table. */
export function dynamoSafeguards(options: DynamoSafeguardsOptions): Safeguards {
  const doc = options.client ?? documentClient();
  return {
    suppressions: new DynamoSuppressionList(doc, options.tableName),
    bounces: new DynamoBounceLedger(doc, options.tableName),
    limiter: new DynamoRateLimiter({ tableName: options.tableName, client: doc }),
    limits: options.limits ?? SIGNUP_LIMITS,
    consents: new DynamoConsentLog(doc, options.tableName),
  };
}
