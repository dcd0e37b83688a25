import { DeleteCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { PersonRecords } from '../domain/privacy';
import { conditionHeld, documentClient, queryAll } from './dynamo-document';

/** Options of the DynamoDB person records. */
export interface DynamoAdminStoreOptions {
  tableName: string;
  client?: DynamoDBDocumentClient | undefined;
}

const pointerKey = (emailKey: string) => ({ pk: `EMAIL#${emailKey}`, sk: 'EMAIL' });

/**
 * `PersonRecords` on the single table: everything of a subscriber lives in the partition `SUB#<id>`
 * (profile, sends, questions and answers, consents, bounce counts), found from the `EMAIL#` pointer. One
 * query, never a scan. Deletes are one item at a time (no transactions: dynalite has none), so an
 * interrupted erasure is finished by running it again.
 */
export class DynamoAdminStore implements PersonRecords {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: DynamoAdminStoreOptions) {
    this.table = options.tableName;
    this.doc = options.client ?? documentClient();
  }

  async pointerOf(emailKey: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: pointerKey(emailKey), ConsistentRead: true }),
    );
    return Item;
  }

  async subscriberIdOf(emailKey: string): Promise<string | undefined> {
    const id = (await this.pointerOf(emailKey))?.subscriberId;
    return typeof id === 'string' ? id : undefined;
  }

  async itemsOf(subscriberId: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `SUB#${subscriberId}` },
      ConsistentRead: true,
    });
  }

  async deleteSubscriber(subscriberId: string): Promise<number> {
    const items = await this.itemsOf(subscriberId);
    for (const item of items) {
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: item.pk, sk: item.sk } }));
    }
    return items.length;
  }

  async deletePointer(emailKey: string, subscriberId: string): Promise<void> {
    await conditionHeld(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: pointerKey(emailKey),
          // A pointer that a new signup took over in the meantime belongs to someone else now.
          ConditionExpression: 'subscriberId = :id',
          ExpressionAttributeValues: { ':id': subscriberId },
        }),
      ),
    );
  }
}
