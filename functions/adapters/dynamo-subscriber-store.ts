import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DuePage, RecordOutcome, SendRecord, SubscriberStore } from '../domain/ports';
import { dueShard, type Subscriber } from '../domain/subscriber';
import { documentClient, isConditionFailure } from './dynamo-document';
import { DUE_INDEX } from './dynamo-table';

/** Options of the DynamoDB store. */
export interface DynamoStoreOptions {
  tableName: string;
  /** Partitions of the due index; spreads a busy minute over several keys. */
  dueShards: number;
  client?: DynamoDBDocumentClient | undefined;
}

const PROFILE = 'PROFILE';
const subKey = (id: string) => ({ pk: `SUB#${id}`, sk: PROFILE });
const emailKey = (key: string) => ({ pk: `EMAIL#${key}`, sk: 'EMAIL' });
const sendSk = (step: number) => `SEND#${String(step).padStart(3, '0')}`;
const INTERNAL = new Set(['pk', 'sk', 'duePk', 'dueSk', 'leaseUntil', 'type']);

function toSubscriber(item: Record<string, unknown>): Subscriber {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !INTERNAL.has(k))) as unknown as Subscriber;
}

/** `SubscriberStore` on one DynamoDB table (see DESIGN.md "Data"); never scans. */
export class DynamoSubscriberStore implements SubscriberStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(private readonly options: DynamoStoreOptions) {
    this.table = options.tableName;
    this.doc = options.client ?? documentClient();
  }

  /** The due-index shard of a subscriber: stable, and even across ids. */
  shardOf(id: string): number {
    return dueShard(id, this.options.dueShards);
  }

  private dueKeys(id: string, nextSendAt: string) {
    return { duePk: `DUE#${this.shardOf(id)}`, dueSk: `${nextSendAt}#${id}` };
  }

  /**
   * dynalite (the local stand-in) has no transactions, so uniqueness is two ordered conditional writes:
   * the profile first (a fresh random id), then the address pointer. Losing the race on the pointer
   * deletes the profile again; a pointer whose profile is missing is taken over.
   */
  async create(subscriber: Subscriber): Promise<boolean> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...subKey(subscriber.id), type: 'subscriber', ...subscriber },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    const pointer = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: emailKey(subscriber.emailKey), ConsistentRead: true }),
    );
    const previous = pointer.Item?.subscriberId as string | undefined;
    const dangling = previous !== undefined && !(await this.get(previous));
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...emailKey(subscriber.emailKey), type: 'email', subscriberId: subscriber.id },
          ...(dangling
            ? {
                ConditionExpression: 'subscriberId = :previous',
                ExpressionAttributeValues: { ':previous': previous },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: subKey(subscriber.id) }));
      return false;
    }
  }

  async get(id: string): Promise<Subscriber | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: subKey(id), ConsistentRead: true }),
    );
    return Item ? toSubscriber(Item) : undefined;
  }

  async findByEmail(key: string): Promise<Subscriber | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: emailKey(key), ConsistentRead: true }),
    );
    return typeof Item?.subscriberId === 'string' ? this.get(Item.subscriberId) : undefined;
  }

  async stampConfirmationSent(
    id: string,
    at: string,
    sentBefore: string,
    details: Partial<Subscriber> = {},
  ): Promise<boolean> {
    const editable = ['firstName', 'timeZone', 'sendHour'] as const;
    const changes = editable.filter((field) => details[field] !== undefined);
    const values: Record<string, unknown> = { ':at': at, ':before': sentBefore, ':pending': 'pending' };
    for (const field of changes) values[`:${field}`] = details[field];
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: subKey(id),
          UpdateExpression: `SET ${['confirmationSentAt = :at', ...changes.map((f) => `#${f} = :${f}`)].join(', ')}`,
          ConditionExpression:
            '#status = :pending AND (attribute_not_exists(confirmationSentAt) OR confirmationSentAt < :before)',
          // `timeZone` and friends collide with DynamoDB reserved words (ZONE), so every name is aliased.
          ExpressionAttributeNames: {
            '#status': 'status',
            ...Object.fromEntries(changes.map((f) => [`#${f}`, f])),
          },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async activate(confirmed: Subscriber): Promise<boolean> {
    const due = confirmed.status === 'active' && confirmed.nextSendAt;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: subKey(confirmed.id),
          UpdateExpression: due
            ? 'SET #status = :status, confirmedAt = :confirmedAt, step = :step, nextSendAt = :next, duePk = :duePk, dueSk = :dueSk'
            : 'SET #status = :status, confirmedAt = :confirmedAt, step = :step, endedAt = :confirmedAt',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': confirmed.status,
            ':confirmedAt': confirmed.confirmedAt,
            ':step': confirmed.step,
            ':pending': 'pending',
            ...(due ? { ':next': due, ...prefixed(this.dueKeys(confirmed.id, due)) } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async stop(id: string, status: 'unsubscribed' | 'bounced' | 'complained', at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: subKey(id),
          UpdateExpression:
            'SET #status = :status, endedAt = :at REMOVE nextSendAt, duePk, dueSk, leaseUntil',
          ConditionExpression: 'attribute_exists(pk) AND #status IN (:pending, :active, :completed)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':at': at,
            ':pending': 'pending',
            ':active': 'active',
            ':completed': 'completed',
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async findDue(shard: number, now: string, cursor?: string): Promise<DuePage> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: DUE_INDEX.name,
        KeyConditionExpression: 'duePk = :pk AND dueSk <= :upper',
        ExpressionAttributeValues: { ':pk': `DUE#${shard}`, ':upper': `${now}#~` },
        Limit: 100,
        ExclusiveStartKey: cursor ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined,
      }),
    );
    const entries = (result.Items ?? []).map((item) => {
      const dueSk = String(item.dueSk);
      const hash = dueSk.lastIndexOf('#');
      return { id: dueSk.slice(hash + 1), nextSendAt: dueSk.slice(0, hash) };
    });
    const next = result.LastEvaluatedKey
      ? Buffer.from(JSON.stringify(result.LastEvaluatedKey)).toString('base64url')
      : undefined;
    return { entries, cursor: next };
  }

  async earliestDue(shard: number): Promise<string | undefined> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: DUE_INDEX.name,
        KeyConditionExpression: 'duePk = :pk',
        ExpressionAttributeValues: { ':pk': `DUE#${shard}` },
        Limit: 1,
      }),
    );
    const dueSk = result.Items?.[0]?.dueSk;
    return typeof dueSk === 'string' ? dueSk.slice(0, dueSk.lastIndexOf('#')) : undefined;
  }

  async claimDue(id: string, now: string, leaseUntil: string): Promise<Subscriber | undefined> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: subKey(id),
          UpdateExpression: 'SET leaseUntil = :lease',
          ConditionExpression:
            '#status = :active AND nextSendAt <= :now AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':lease': leaseUntil, ':active': 'active', ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toSubscriber(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async releaseStep(id: string, step: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: subKey(id),
          UpdateExpression: 'REMOVE leaseUntil',
          ConditionExpression: 'step = :step',
          ExpressionAttributeValues: { ':step': step },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * The profile's conditional advance is the record that counts (a step moves on once); the ledger item
   * follows, itself conditional, so a step is never recorded twice. No transaction: dynalite has none.
   */
  async recordSend(
    id: string,
    record: SendRecord,
    next: { nextSendAt?: string | undefined; completed?: boolean },
  ): Promise<RecordOutcome> {
    const moveOn = next.nextSendAt
      ? {
          expression:
            'SET step = :next, lastSentAt = :sentAt, nextSendAt = :nextSendAt, duePk = :duePk, dueSk = :dueSk REMOVE leaseUntil',
          values: { ':nextSendAt': next.nextSendAt, ...prefixed(this.dueKeys(id, next.nextSendAt)) },
        }
      : {
          expression:
            'SET step = :next, lastSentAt = :sentAt, #status = :completed, endedAt = :sentAt REMOVE nextSendAt, duePk, dueSk, leaseUntil',
          values: { ':completed': 'completed' },
        };
    const base = { ':step': record.step, ':next': record.step + 1, ':sentAt': record.sentAt };
    let outcome: RecordOutcome = 'recorded';
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: subKey(id),
          UpdateExpression: moveOn.expression,
          ConditionExpression: '#status = :active AND step = :step',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':active': 'active', ...base, ...moveOn.values },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Stopped while the email was in flight (keep the position truthful), or already recorded.
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: subKey(id),
            UpdateExpression: 'SET step = :next, lastSentAt = :sentAt REMOVE leaseUntil',
            ConditionExpression: 'step = :step',
            ExpressionAttributeValues: base,
          }),
        );
        outcome = 'stopped';
      } catch (inner) {
        if (isConditionFailure(inner)) return 'duplicate';
        throw inner;
      }
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `SUB#${id}`, sk: sendSk(record.step), type: 'send', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    return outcome;
  }

  async listSends(id: string): Promise<SendRecord[]> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :send)',
        ExpressionAttributeValues: { ':pk': `SUB#${id}`, ':send': 'SEND#' },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map(
      ({ step, key, messageId, sentAt }) => ({ step, key, messageId, sentAt }) as SendRecord,
    );
  }
}

function prefixed(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`:${k}`, v]));
}
