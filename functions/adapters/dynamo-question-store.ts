import { GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { OpenQuestionPage, QuestionStore } from '../domain/ports';
import { type Question, splitQuestionId } from '../domain/questions';
import {
  conditionHeld,
  fromItem,
  itemsWithPrefix,
  queryAll,
  queryPage,
  TableAdapter,
  type TableOptions,
} from './dynamo-document';
import { OPEN_QUESTIONS_INDEX, TTL_ATTRIBUTE } from './dynamo-table';

/** Options of the DynamoDB question store. */
export type DynamoQuestionStoreOptions = TableOptions;

const OPEN_PARTITION = 'OPEN_Q';
/** Answered questions stay in the same sparse index under their own partition, newest answer last. */
const ANSWERED_PARTITION = 'ANSWERED_Q';

/**
 * `SUB#<subscriber id>` / `Q#<hash of the message>`: the question lives with its subscriber (export and
 * erasure query one partition), and a message delivered twice lands on the same key.
 */
function questionKey(questionId: string): { pk: string; sk: string } | undefined {
  const parts = splitQuestionId(questionId);
  return parts ? { pk: `SUB#${parts.subscriberId}`, sk: `Q#${parts.key}` } : undefined;
}

/**
 * `QuestionStore` on the single table (the layout is in the README, "How it is built"). Open questions carry the sparse
 * `open-questions` index keys (`OPEN_Q` / `<receivedAt>#<id>`) until answered. No transactions
 * (dynalite has none): every change is one conditional write. Attribute names are aliased throughout
 * because several (`status`, `text`, `day`) are DynamoDB reserved words.
 */
export class DynamoQuestionStore extends TableAdapter implements QuestionStore {
  async add(question: Question): Promise<boolean> {
    const key = questionKey(question.id);
    if (!key) throw new Error('malformed question id');
    const open =
      question.status === 'open'
        ? {
            [OPEN_QUESTIONS_INDEX.partitionKey]: OPEN_PARTITION,
            [OPEN_QUESTIONS_INDEX.sortKey]: `${question.receivedAt}#${question.id}`,
          }
        : {};
    return conditionHeld(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key, type: 'question', ...question, ...open },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(questionId: string): Promise<Question | undefined> {
    const key = questionKey(questionId);
    if (!key) return undefined;
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
    );
    return Item ? fromItem<Question>(Item) : undefined;
  }

  async listForSubscriber(subscriberId: string): Promise<Question[]> {
    const items = await itemsWithPrefix(this.doc, this.table, `SUB#${subscriberId}`, 'Q#');
    return items
      .map((item) => fromItem<Question>(item))
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  async markForwarded(questionId: string, messageId: string): Promise<void> {
    await this.update(questionId, {
      UpdateExpression: 'SET #forwarded = :id',
      ExpressionAttributeNames: { '#forwarded': 'forwardedMessageId' },
      ExpressionAttributeValues: { ':id': messageId },
    });
  }

  async recordAnswer(
    questionId: string,
    answer: string,
    answeredAt: string,
    responseMs: number,
    answeredBy: string,
  ): Promise<boolean> {
    // The question leaves the open partition of the index for the answered one, in the same write.
    return this.update(questionId, {
      UpdateExpression:
        'SET #status = :answered, #answer = :answer, #answeredAt = :at, #responseMs = :ms, #by = :by, #openPk = :answeredPk, #openSk = :answeredSk',
      ConditionExpression: '#status = :open',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#answer': 'answer',
        '#answeredAt': 'answeredAt',
        '#responseMs': 'responseMs',
        '#by': 'answeredBy',
        '#openPk': OPEN_QUESTIONS_INDEX.partitionKey,
        '#openSk': OPEN_QUESTIONS_INDEX.sortKey,
      },
      ExpressionAttributeValues: {
        ':answered': 'answered',
        ':open': 'open',
        ':answer': answer,
        ':at': answeredAt,
        ':ms': responseMs,
        ':by': answeredBy,
        ':answeredPk': ANSWERED_PARTITION,
        ':answeredSk': `${answeredAt}#${questionId}`,
      },
    });
  }

  async assign(questionId: string, assignee: string): Promise<boolean> {
    return this.update(questionId, {
      UpdateExpression: 'SET #assignee = :assignee',
      ConditionExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status', '#assignee': 'assignee' },
      ExpressionAttributeValues: { ':assignee': assignee, ':open': 'open' },
    });
  }

  async listAnswered(since: string, limit?: number): Promise<string[]> {
    const input = {
      TableName: this.table,
      IndexName: OPEN_QUESTIONS_INDEX.name,
      KeyConditionExpression: '#pk = :pk AND #sk >= :since',
      ExpressionAttributeNames: {
        '#pk': OPEN_QUESTIONS_INDEX.partitionKey,
        '#sk': OPEN_QUESTIONS_INDEX.sortKey,
      },
      ExpressionAttributeValues: { ':pk': ANSWERED_PARTITION, ':since': since },
      ScanIndexForward: false,
    };
    // With a limit, one page of that size: the index is read no further than the console shows.
    const items =
      limit === undefined
        ? await queryAll(this.doc, input)
        : (await queryPage(this.doc, { ...input, Limit: limit })).items;
    return items.map((item) => {
      const sortKey = String(item[OPEN_QUESTIONS_INDEX.sortKey]);
      return sortKey.slice(sortKey.lastIndexOf('#') + 1);
    });
  }

  async reopen(questionId: string, answeredAt: string): Promise<void> {
    const question = await this.get(questionId);
    if (!question) return;
    await this.update(questionId, {
      UpdateExpression:
        'SET #status = :open, #openPk = :openPk, #openSk = :openSk REMOVE #answeredAt, #responseMs, #by',
      ConditionExpression: '#status = :answered AND #answeredAt = :at',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#openPk': OPEN_QUESTIONS_INDEX.partitionKey,
        '#openSk': OPEN_QUESTIONS_INDEX.sortKey,
        '#answeredAt': 'answeredAt',
        '#responseMs': 'responseMs',
        '#by': 'answeredBy',
      },
      ExpressionAttributeValues: {
        ':open': 'open',
        ':answered': 'answered',
        ':at': answeredAt,
        ':openPk': OPEN_PARTITION,
        ':openSk': `${question.receivedAt}#${question.id}`,
      },
    });
  }

  async markSla(questionId: string, field: 'remindedAt' | 'escalatedAt', at: string): Promise<boolean> {
    return this.update(questionId, {
      UpdateExpression: 'SET #field = :at',
      ConditionExpression: '#status = :open AND attribute_not_exists(#field)',
      ExpressionAttributeNames: { '#status': 'status', '#field': field },
      ExpressionAttributeValues: { ':at': at, ':open': 'open' },
    });
  }

  async clearSla(questionId: string, field: 'remindedAt' | 'escalatedAt'): Promise<void> {
    await this.update(questionId, {
      UpdateExpression: 'REMOVE #field',
      ExpressionAttributeNames: { '#field': field },
    });
  }

  async listOpen(receivedBy: string, cursor?: string): Promise<OpenQuestionPage> {
    const page = await queryPage(
      this.doc,
      {
        TableName: this.table,
        IndexName: OPEN_QUESTIONS_INDEX.name,
        KeyConditionExpression: '#pk = :pk AND #sk <= :upper',
        ExpressionAttributeNames: {
          '#pk': OPEN_QUESTIONS_INDEX.partitionKey,
          '#sk': OPEN_QUESTIONS_INDEX.sortKey,
        },
        ExpressionAttributeValues: { ':pk': OPEN_PARTITION, ':upper': `${receivedBy}#~` },
        Limit: 100,
      },
      cursor,
    );
    const ids = page.items.map((item) => {
      const sortKey = String(item[OPEN_QUESTIONS_INDEX.sortKey]);
      return sortKey.slice(sortKey.lastIndexOf('#') + 1);
    });
    return { ids, cursor: page.cursor };
  }

  takeAllowance(subscriberId: string, kind: string, now: Date, windowMs: number): Promise<boolean> {
    return conditionHeld(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `SUB#${subscriberId}`, sk: `ALLOWANCE#${kind}` },
          UpdateExpression: 'SET #type = :type, #lastAt = :now, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(pk) OR #lastAt <= :cutoff',
          ExpressionAttributeNames: { '#type': 'type', '#lastAt': 'lastAt', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':type': 'allowance',
            ':now': now.toISOString(),
            ':cutoff': new Date(now.getTime() - windowMs).toISOString(),
            ':ttl': Math.ceil((now.getTime() + windowMs) / 1000) + 3600,
          },
        }),
      ),
    );
  }

  /** `SUB#<id>` / `QSLOTS#<window start>`: one atomic conditional ADD per question, expiring after its window. */
  takeQuestionSlot(subscriberId: string, now: Date, windowMs: number, limit: number): Promise<boolean> {
    const windowStart = Math.floor(now.getTime() / windowMs) * windowMs;
    return conditionHeld(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `SUB#${subscriberId}`, sk: `QSLOTS#${new Date(windowStart).toISOString()}` },
          UpdateExpression: 'ADD #taken :one SET #type = :type, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#taken) OR #taken < :limit',
          ExpressionAttributeNames: { '#taken': 'taken', '#type': 'type', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit,
            ':type': 'question-slots',
            ':ttl': Math.ceil((windowStart + windowMs) / 1000) + 3600,
          },
        }),
      ),
    );
  }

  /** One conditional update of a question; false when its condition (or the question) was not there. */
  private async update(
    questionId: string,
    input: Omit<UpdateCommandInput, 'TableName' | 'Key'>,
  ): Promise<boolean> {
    const key = questionKey(questionId);
    if (!key) return false;
    const condition = input.ConditionExpression
      ? `attribute_exists(pk) AND (${input.ConditionExpression})`
      : 'attribute_exists(pk)';
    return conditionHeld(
      this.doc.send(
        new UpdateCommand({ TableName: this.table, Key: key, ...input, ConditionExpression: condition }),
      ),
    );
  }
}
