import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { PersonRecords } from '../domain/privacy';
import { conditionHeld, queryAll, TableAdapter, type TableOptions } from './dynamo-document';

/** Options of the DynamoDB person records. */
export type DynamoAdminStoreOptions = TableOptions;

const pointerKey = (emailKey: string) => ({ pk: `EMAIL#${emailKey}`, sk: 'EMAIL' });

/**
 * `PersonRecords` on the single table: everything of a subscriber lives in the partition `SUB#<id>`
 * (profile, sends, questions and answers, consents, bounce counts), found from the `EMAIL#` pointer. One
 * query, never a scan. Deletes are one item at a time (no transactions: dynalite has none), so an
 * interrupted erasure is finished by running it again.
 */
export class DynamoAdminStore extends TableAdapter implements PersonRecords {
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
