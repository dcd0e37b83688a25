import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { QuestionNote, SavedReply } from '../domain/console-records';
import type { ConsoleStore } from '../domain/ports';
import { splitQuestionId } from '../domain/questions';
import type { StaffSession } from '../domain/staff';
import {
  conditionHeld,
  fromItem,
  ifConditionHolds,
  itemsWithPrefix,
  TableAdapter,
  type TableOptions,
} from './dynamo-document';
import { TTL_ATTRIBUTE } from './dynamo-table';

/** Options of the DynamoDB console store. */
export type DynamoConsoleStoreOptions = TableOptions;

/** Raw messages are cut to this many characters: far below the 400 KB an item holds, with room for the keys. */
export const MAX_RAW_CHARS = 300_000;

const epochSeconds = (iso: string) => Math.ceil(Date.parse(iso) / 1000);

/** Where a question's own records live: with its subscriber, so export and erasure find them by partition. */
function subscriberPart(questionId: string): { pk: string; key: string } {
  const parts = splitQuestionId(questionId);
  if (!parts) throw new Error('malformed question id');
  return { pk: `SUB#${parts.subscriberId}`, key: parts.key };
}

/**
 * `ConsoleStore` on the single table. Sign-in links (`CONSOLE_LINK#<id>`) and sessions
 * (`CONSOLE_SESSION#<id>`) expire by TTL and are checked against the clock as well (TTL deletes late);
 * a link is used by one conditional write. Saved replies and the assignment turn share the `CONSOLE`
 * partition; notes and raw messages live in their subscriber's partition (`QNOTE#`, `QRAW#`).
 */
export class DynamoConsoleStore extends TableAdapter implements ConsoleStore {
  async saveSignInLink(linkId: string, email: string, expiresAt: string): Promise<void> {
    await this.put({
      pk: `CONSOLE_LINK#${linkId}`,
      sk: 'LINK',
      type: 'console-link',
      email,
      until: expiresAt,
      [TTL_ATTRIBUTE]: epochSeconds(expiresAt),
    });
  }

  async useSignInLink(linkId: string, now: string): Promise<string | undefined> {
    const result = await ifConditionHolds(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `CONSOLE_LINK#${linkId}`, sk: 'LINK' },
          UpdateExpression: 'SET usedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND #until > :now',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    const email = result?.Attributes?.email;
    return typeof email === 'string' ? email : undefined;
  }

  async saveSession(session: StaffSession): Promise<void> {
    await this.put({
      pk: `CONSOLE_SESSION#${session.id}`,
      sk: 'SESSION',
      type: 'console-session',
      id: session.id,
      email: session.email,
      until: session.expiresAt,
      [TTL_ATTRIBUTE]: epochSeconds(session.expiresAt),
    });
  }

  async getSession(sessionId: string, now: string): Promise<StaffSession | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `CONSOLE_SESSION#${sessionId}`, sk: 'SESSION' },
        ConsistentRead: true,
      }),
    );
    if (!Item || String(Item.until) <= now) return undefined;
    return { id: String(Item.id), email: String(Item.email), expiresAt: String(Item.until) };
  }

  async endSession(sessionId: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({
        TableName: this.table,
        Key: { pk: `CONSOLE_SESSION#${sessionId}`, sk: 'SESSION' },
      }),
    );
  }

  async nextTurn(): Promise<number> {
    const result = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: 'CONSOLE', sk: 'TURN' },
        UpdateExpression: 'SET #type = :type ADD #turn :one',
        ExpressionAttributeNames: { '#type': 'type', '#turn': 'turn' },
        ExpressionAttributeValues: { ':type': 'console-turn', ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.turn ?? 1);
  }

  async addNote(note: QuestionNote): Promise<void> {
    const { pk, key } = subscriberPart(note.questionId);
    await this.put({ pk, sk: `QNOTE#${key}#${note.at}#${note.id}`, type: 'question-note', ...note });
  }

  async listNotes(questionId: string): Promise<QuestionNote[]> {
    const { pk, key } = subscriberPart(questionId);
    const items = await itemsWithPrefix(this.doc, this.table, pk, `QNOTE#${key}#`);
    return items.map((item) => fromItem<QuestionNote>(item));
  }

  async listSavedReplies(): Promise<SavedReply[]> {
    const items = await itemsWithPrefix(this.doc, this.table, 'CONSOLE', 'REPLY#');
    return items.map((item) => fromItem<SavedReply>(item)).sort((a, b) => a.title.localeCompare(b.title));
  }

  async putSavedReply(reply: SavedReply): Promise<void> {
    await this.put({ pk: 'CONSOLE', sk: `REPLY#${reply.id}`, type: 'saved-reply', ...reply });
  }

  deleteSavedReply(replyId: string): Promise<boolean> {
    return conditionHeld(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: 'CONSOLE', sk: `REPLY#${replyId}` },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
  }

  async keepRawMessage(questionId: string, raw: string): Promise<void> {
    const { pk, key } = subscriberPart(questionId);
    await this.put({ pk, sk: `QRAW#${key}`, type: 'question-raw', raw: raw.slice(0, MAX_RAW_CHARS) });
  }

  async getRawMessage(questionId: string): Promise<string | undefined> {
    const parts = splitQuestionId(questionId);
    if (!parts) return undefined;
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `SUB#${parts.subscriberId}`, sk: `QRAW#${parts.key}` },
        ConsistentRead: true,
      }),
    );
    return typeof Item?.raw === 'string' ? Item.raw : undefined;
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
  }
}
