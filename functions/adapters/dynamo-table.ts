/**
 * The single table's shape: keys and indexes. CDK and the local stack both build the table from this
 * module, so the cloud and the laptop can never disagree about it.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Sparse index of active subscribers by when their next step is due: `DUE#<shard>` / `<nextSendAt>#<id>`. */
export const DUE_INDEX = { name: 'due', partitionKey: 'duePk', sortKey: 'dueSk' } as const;

/**
 * Sparse index of questions by state: unanswered ones oldest first (`OPEN_Q` / `<receivedAt>#<id>`), and
 * answered ones by when (`ANSWERED_Q` / `<answeredAt>#<id>`) for the console's answered view and figures.
 */
export const OPEN_QUESTIONS_INDEX = {
  name: 'open-questions',
  partitionKey: 'openPk',
  sortKey: 'openSk',
} as const;

/**
 * The key prefix under which the SES receipt rule stores raw inbound mail in S3: the infra's rule and
 * bucket lifecycle, and the functions' default, all read it from here (a module with no SDK at run time).
 */
export const INBOUND_MAIL_PREFIX = 'inbound/';

/** Items with this attribute (epoch seconds) are deleted by DynamoDB's TTL (rate-limit counters). */
export const TTL_ATTRIBUTE = 'expiresAt';

/** Every index, for code that builds them. Both project keys only: readers fetch the item they need. */
export const INDEXES = [DUE_INDEX, OPEN_QUESTIONS_INDEX] as const;

/** Attributes that are the table's bookkeeping, never part of a domain object: keys, the item type, a send lease. */
export const INTERNAL_ATTRIBUTES: ReadonlySet<string> = new Set([
  TABLE_KEYS.partitionKey,
  TABLE_KEYS.sortKey,
  ...INDEXES.flatMap((i) => [i.partitionKey, i.sortKey]),
  'type',
  'leaseUntil',
]);

/** The CreateTable request for the local stack (on-demand, like the cloud table). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const names = [
    TABLE_KEYS.partitionKey,
    TABLE_KEYS.sortKey,
    ...INDEXES.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: names.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: INDEXES.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    })),
  };
}
