import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type {
  ChangeRecord,
  DuePage,
  PlanChange,
  RecordOutcome,
  SendRecord,
  SubscriberStore,
} from '../domain/ports';
import { dueShard, type PendingChange, type Subscriber } from '../domain/subscriber';
import { TOKEN_LIFETIME_SECONDS } from '../domain/tokens';
import {
  conditionHeld,
  fromItem,
  ifConditionHolds,
  itemsWithPrefix,
  queryPage,
  TableAdapter,
  type TableOptions,
} from './dynamo-document';
import { DUE_INDEX, TTL_ATTRIBUTE } from './dynamo-table';

/** Options of the DynamoDB store. */
export interface DynamoStoreOptions extends TableOptions {
  /** Partitions of the due index; spreads a busy minute over several keys. */
  dueShards: number;
}

const subKey = (id: string) => ({ pk: `SUB#${id}`, sk: 'PROFILE' });
const emailKey = (key: string) => ({ pk: `EMAIL#${key}`, sk: 'EMAIL' });
/** `SEND#007` for the first run of the course, `SEND#007#1` for the same step after one restart. */
const sendSk = (step: number, run = 0) => `SEND#${String(step).padStart(3, '0')}${run > 0 ? `#${run}` : ''}`;
const STATUS = { '#status': 'status' };

/** A conditional update of one profile, as its access pattern: what it changes, and when. */
type ProfileUpdate = Omit<UpdateCommandInput, 'TableName' | 'Key'>;

/** Splits a due-index sort key `<nextSendAt>#<id>`. */
function dueEntry(dueSk: string): { id: string; nextSendAt: string } {
  const hash = dueSk.lastIndexOf('#');
  return { id: dueSk.slice(hash + 1), nextSendAt: dueSk.slice(0, hash) };
}

/**
 * `SubscriberStore` on one DynamoDB table (the layout is in the README, "How it is built"); never scans.
 * dynalite (the local stand-in) has no transactions, so every change is one conditional write, and the
 * two that touch two items (create, recordSend) order their writes so that a crash between them is safe.
 */
export class DynamoSubscriberStore extends TableAdapter implements SubscriberStore {
  constructor(private readonly options: DynamoStoreOptions) {
    super(options);
  }

  /** The due-index shard of a subscriber: stable, and even across ids. */
  shardOf(id: string): number {
    return dueShard(id, this.options.dueShards);
  }

  /** The due-index keys of a subscriber due at `nextSendAt`, as expression values. */
  private dueValues(id: string, nextSendAt: string) {
    return { ':duePk': `DUE#${this.shardOf(id)}`, ':dueSk': `${nextSendAt}#${id}` };
  }

  private updateProfile(id: string, update: ProfileUpdate): Promise<boolean> {
    return conditionHeld(
      this.doc.send(new UpdateCommand({ TableName: this.table, Key: subKey(id), ...update })),
    );
  }

  /**
   * Uniqueness is two conditional writes sent together: the profile (a fresh random id) and the address
   * pointer. Losing the race on the pointer deletes the profile again. A pointer whose profile is missing
   * a minute after it was written (a crash between the writes, or the profile's own write failed) is
   * taken over; a younger one may belong to a profile still being written.
   */
  async create(subscriber: Subscriber): Promise<boolean> {
    const [, claimed] = await Promise.all([
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...subKey(subscriber.id), type: 'subscriber', ...subscriber },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
      this.claimAddress(subscriber),
    ]);
    if (!claimed)
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: subKey(subscriber.id) }));
    return claimed;
  }

  private async claimAddress(subscriber: Subscriber): Promise<boolean> {
    const pointer = (
      condition: Pick<UpdateCommandInput, 'ConditionExpression' | 'ExpressionAttributeValues'>,
    ) =>
      conditionHeld(
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...emailKey(subscriber.emailKey),
              type: 'email',
              subscriberId: subscriber.id,
              at: subscriber.createdAt,
            },
            ...condition,
          }),
        ),
      );
    if (await pointer({ ConditionExpression: 'attribute_not_exists(pk)' })) return true;
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: emailKey(subscriber.emailKey), ConsistentRead: true }),
    );
    const previous = Item?.subscriberId as string | undefined;
    const settled =
      typeof Item?.at !== 'string' || Date.parse(Item.at) < Date.parse(subscriber.createdAt) - 60_000;
    if (previous === undefined || !settled || (await this.get(previous))) return false;
    return pointer({
      ConditionExpression: 'subscriberId = :previous',
      ExpressionAttributeValues: { ':previous': previous },
    });
  }

  async get(id: string): Promise<Subscriber | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: subKey(id), ConsistentRead: true }),
    );
    return Item ? fromItem<Subscriber>(Item) : undefined;
  }

  async findByEmail(key: string): Promise<Subscriber | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: emailKey(key), ConsistentRead: true }),
    );
    return typeof Item?.subscriberId === 'string' ? this.get(Item.subscriberId) : undefined;
  }

  requestConfirmation(id: string, at: string, requestedBefore: string): Promise<boolean> {
    return this.updateProfile(id, {
      UpdateExpression: 'SET confirmationRequestedAt = :at',
      ConditionExpression:
        '#status = :pending AND (attribute_not_exists(confirmationRequestedAt) OR confirmationRequestedAt < :before)',
      ExpressionAttributeNames: STATUS,
      ExpressionAttributeValues: { ':at': at, ':before': requestedBefore, ':pending': 'pending' },
    });
  }

  async stampConfirmationSent(id: string, at: string): Promise<void> {
    await this.updateProfile(id, {
      UpdateExpression: 'SET confirmationSentAt = :at',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: STATUS,
      ExpressionAttributeValues: { ':at': at, ':pending': 'pending' },
    });
  }

  /** `SUB#<id>` / `PENDING#<change id>`: exported and erased with the person; expires with its link. */
  async addPendingChange(id: string, change: PendingChange): Promise<void> {
    const lifetime = TOKEN_LIFETIME_SECONDS.confirm ?? 0;
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `SUB#${id}`,
          sk: `PENDING#${change.id}`,
          type: 'pending-change',
          ...change,
          [TTL_ATTRIBUTE]: Math.ceil(Date.parse(change.requestedAt) / 1000) + lifetime,
        },
      }),
    );
  }

  async getPendingChange(id: string, changeId: string): Promise<PendingChange | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: `SUB#${id}`, sk: `PENDING#${changeId}` } }),
    );
    if (!Item) return undefined;
    const { firstName, timeZone, sendHour, requestedAt } = Item;
    return { id: changeId, firstName, timeZone, sendHour, requestedAt } as PendingChange;
  }

  activate(confirmed: Subscriber): Promise<boolean> {
    const due = confirmed.status === 'active' && confirmed.nextSendAt;
    return this.updateProfile(confirmed.id, {
      // The confirmed details too: the link clicked may have carried a pending change.
      UpdateExpression: `SET #status = :status, confirmedAt = :confirmedAt, step = :step, firstName = :firstName, #timeZone = :timeZone, sendHour = :sendHour, ${
        due ? 'nextSendAt = :next, duePk = :duePk, dueSk = :dueSk' : 'endedAt = :confirmedAt'
      }`,
      ConditionExpression: '#status = :pending',
      // `timeZone` collides with a DynamoDB reserved word (ZONE).
      ExpressionAttributeNames: { ...STATUS, '#timeZone': 'timeZone' },
      ExpressionAttributeValues: {
        ':firstName': confirmed.firstName,
        ':timeZone': confirmed.timeZone,
        ':sendHour': confirmed.sendHour,
        ':status': confirmed.status,
        ':confirmedAt': confirmed.confirmedAt,
        ':step': confirmed.step,
        ':pending': 'pending',
        ...(due ? { ':next': due, ...this.dueValues(confirmed.id, due) } : {}),
      },
    });
  }

  stop(id: string, status: 'unsubscribed' | 'bounced' | 'complained', at: string): Promise<boolean> {
    return this.updateProfile(id, {
      UpdateExpression: 'SET #status = :status, endedAt = :at REMOVE nextSendAt, duePk, dueSk, leaseUntil',
      ConditionExpression: 'attribute_exists(pk) AND #status IN (:pending, :active, :completed)',
      ExpressionAttributeNames: STATUS,
      ExpressionAttributeValues: {
        ':status': status,
        ':at': at,
        ':pending': 'pending',
        ':active': 'active',
        ':completed': 'completed',
      },
    });
  }

  async findDue(shard: number, now: string, cursor?: string): Promise<DuePage> {
    const page = await queryPage(
      this.doc,
      {
        TableName: this.table,
        IndexName: DUE_INDEX.name,
        KeyConditionExpression: 'duePk = :pk AND dueSk <= :upper',
        ExpressionAttributeValues: { ':pk': `DUE#${shard}`, ':upper': `${now}#~` },
        Limit: 100,
      },
      cursor,
    );
    return { entries: page.items.map((item) => dueEntry(String(item.dueSk))), cursor: page.cursor };
  }

  async earliestDue(shard: number): Promise<string | undefined> {
    const { items } = await queryPage(this.doc, {
      TableName: this.table,
      IndexName: DUE_INDEX.name,
      KeyConditionExpression: 'duePk = :pk',
      ExpressionAttributeValues: { ':pk': `DUE#${shard}` },
      Limit: 1,
    });
    return items[0] ? dueEntry(String(items[0].dueSk)).nextSendAt : undefined;
  }

  async claimDue(id: string, now: string, leaseUntil: string): Promise<Subscriber | undefined> {
    const claimed = await ifConditionHolds(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: subKey(id),
          UpdateExpression: 'SET leaseUntil = :lease',
          ConditionExpression:
            '#status = :active AND nextSendAt <= :now AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeNames: STATUS,
          ExpressionAttributeValues: { ':lease': leaseUntil, ':active': 'active', ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return claimed?.Attributes ? fromItem<Subscriber>(claimed.Attributes) : undefined;
  }

  async releaseStep(id: string, step: number): Promise<void> {
    await this.updateProfile(id, {
      UpdateExpression: 'REMOVE leaseUntil',
      ConditionExpression: 'step = :step',
      ExpressionAttributeValues: { ':step': step },
    });
  }

  /**
   * The profile's conditional advance is the record that counts (a step moves on once); the ledger item
   * follows, itself conditional, so a step is never recorded twice. A subscriber stopped while the email
   * was in flight still moves on (their position stays truthful), as 'stopped'.
   */
  async recordSend(
    id: string,
    record: SendRecord,
    next: { nextSendAt?: string | undefined; completed?: boolean },
  ): Promise<RecordOutcome> {
    const base = { ':step': record.step, ':next': record.step + 1, ':sentAt': record.sentAt };
    let outcome: RecordOutcome = 'recorded';
    if (!(await this.updateProfile(id, this.moveOn(id, base, next)))) {
      const stopped = await this.updateProfile(id, {
        UpdateExpression: 'SET step = :next, lastSentAt = :sentAt REMOVE leaseUntil',
        ConditionExpression: 'step = :step',
        ExpressionAttributeValues: base,
      });
      if (!stopped) return 'duplicate';
      outcome = 'stopped';
    }
    await this.putLedgerRow(id, record);
    return outcome;
  }

  async completeLedger(subscriber: Pick<Subscriber, 'id' | 'step'>, record: SendRecord): Promise<boolean> {
    if (subscriber.step <= record.step) return false;
    // Every delivery event of a recorded send comes here, and a refused conditional write is billed as a
    // write: look for the row first, and write only when it is missing. An eventually consistent read
    // (half a consistent one's price) is enough: the dispatcher wrote the row seconds before SES reported
    // the delivery, and a read that misses it only costs the conditional put that then refuses.
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `SUB#${subscriber.id}`, sk: sendSk(record.step, record.run) },
        ProjectionExpression: 'pk',
      }),
    );
    return Item ? false : this.putLedgerRow(subscriber.id, record);
  }

  async markTransientBounce(id: string, at: string): Promise<void> {
    await this.updateProfile(id, {
      UpdateExpression: 'SET transientBounceAt = :at',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(transientBounceAt) OR transientBounceAt < :at)',
      ExpressionAttributeValues: { ':at': at },
    });
  }

  /** `SUB#<id>` / `SEND#<step>`, unless that step has its row already. */
  private putLedgerRow(id: string, record: SendRecord): Promise<boolean> {
    return conditionHeld(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `SUB#${id}`, sk: sendSk(record.step, record.run), type: 'send', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /** An active subscriber on `:step` moves to the next step (due at `nextSendAt`), or completes. */
  private moveOn(id: string, base: Record<string, unknown>, next: { nextSendAt?: string | undefined }) {
    const update = next.nextSendAt
      ? {
          UpdateExpression:
            'SET step = :next, lastSentAt = :sentAt, nextSendAt = :nextSendAt, duePk = :duePk, dueSk = :dueSk REMOVE leaseUntil',
          ExpressionAttributeValues: {
            ':nextSendAt': next.nextSendAt,
            ...this.dueValues(id, next.nextSendAt),
          },
        }
      : {
          UpdateExpression:
            'SET step = :next, lastSentAt = :sentAt, #status = :completed, endedAt = :sentAt REMOVE nextSendAt, duePk, dueSk, leaseUntil',
          ExpressionAttributeValues: { ':completed': 'completed' },
        };
    return {
      UpdateExpression: update.UpdateExpression,
      ConditionExpression: '#status = :active AND step = :step',
      ExpressionAttributeNames: STATUS,
      ExpressionAttributeValues: { ':active': 'active', ...base, ...update.ExpressionAttributeValues },
    };
  }

  async listSends(id: string): Promise<SendRecord[]> {
    const items = await itemsWithPrefix(this.doc, this.table, `SUB#${id}`, 'SEND#');
    return items
      .map(({ step, key, messageId, sentAt, run }) => ({ step, key, messageId, sentAt, run }) as SendRecord)
      .sort((a, b) => (a.run ?? 0) - (b.run ?? 0) || a.step - b.step);
  }

  /**
   * One conditional write of the profile (status, step and version as read, no live send claim), then the
   * history item. A crash between the two loses the history line of a change that took effect, never the
   * other way round.
   */
  async changePlan(id: string, { expected, plan, record, now }: PlanChange): Promise<boolean> {
    const version = expected.version + 1;
    const changed = await this.updateProfile(id, {
      UpdateExpression:
        'SET #status = :status, step = :step, sendHour = :sendHour, #timeZone = :timeZone, anchorAt = :anchorAt, ' +
        `nextSendAt = :nextSendAt, restarts = :restarts, version = :version, duePk = :duePk, dueSk = :dueSk${plan.pausedUntil ? ', pausedUntil = :pausedUntil' : ''} ` +
        `REMOVE endedAt${plan.pausedUntil ? '' : ', pausedUntil'}`,
      ConditionExpression:
        `#status = :wasStatus AND step = :wasStep AND ${expected.version === 0 ? 'attribute_not_exists(version)' : 'version = :wasVersion'}` +
        ' AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
      ExpressionAttributeNames: { ...STATUS, '#timeZone': 'timeZone' },
      ExpressionAttributeValues: {
        ':status': plan.status,
        ':step': plan.step,
        ':sendHour': plan.sendHour,
        ':timeZone': plan.timeZone,
        ':anchorAt': plan.anchorAt,
        ':nextSendAt': plan.nextSendAt,
        ':restarts': plan.restarts,
        ':version': version,
        ...this.dueValues(id, plan.nextSendAt),
        ...(plan.pausedUntil ? { ':pausedUntil': plan.pausedUntil } : {}),
        ':wasStatus': expected.status,
        ':wasStep': expected.step,
        ...(expected.version === 0 ? {} : { ':wasVersion': expected.version }),
        ':now': now,
      },
    });
    if (!changed) return false;
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `SUB#${id}`, sk: `CHANGE#${record.at}#${version}`, type: 'change', ...record },
      }),
    );
    return true;
  }

  async listChanges(id: string): Promise<ChangeRecord[]> {
    const items = await itemsWithPrefix(this.doc, this.table, `SUB#${id}`, 'CHANGE#');
    return items.map(({ at, action, details }) => ({ at, action, details }) as ChangeRecord);
  }
}
