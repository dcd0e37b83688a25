import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StatsStore } from '../domain/ports';
import { mailFactPrefix, type StatFact } from '../domain/stat-facts';
import { conditionHeld, itemsWithPrefix, queryAll, TableAdapter, type TableOptions } from './dynamo-document';

/** Options of the DynamoDB stats store. */
export type DynamoStatsOptions = TableOptions;

const SIGNUP_DAYS = { pk: 'STAT#RANGE', sk: 'SIGNUPS' };
const dayPk = (day: string) => `STAT#${day}`;

/** A stored fact item as a fact (the day and id are its keys). */
function toFact(item: Record<string, unknown>): StatFact {
  const { pk, sk, type: _type, ...rest } = item;
  return { ...(rest as Omit<StatFact, 'day' | 'id'>), day: String(pk).slice(5), id: String(sk) };
}

/**
 * `StatsStore` on the single table: each fact is one small item `STAT#<day>` / `<fact id>`, written with
 * `attribute_not_exists`, so writing it again (a retry, a redelivered event, a racing dispatcher) changes
 * nothing. A day's figures are one query of its partition; nothing scans.
 */
export class DynamoStatsStore extends TableAdapter implements StatsStore {
  note(fact: StatFact): Promise<boolean> {
    const { day, id, ...rest } = fact;
    return conditionHeld(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...rest, pk: dayPk(day), sk: id, type: 'fact' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async factsOn(day: string): Promise<StatFact[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': dayPk(day) },
    });
    return items.map(toFact);
  }

  async mailFactsOf(person: string, day: string): Promise<StatFact[]> {
    return (await itemsWithPrefix(this.doc, this.table, dayPk(day), mailFactPrefix(person))).map(toFact);
  }

  async noteSignupDay(day: string): Promise<void> {
    // The first day is kept once; the last only moves forward (a resend counts an old signup again).
    await conditionHeld(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: SIGNUP_DAYS,
          UpdateExpression: 'SET firstDay = if_not_exists(firstDay, :day), lastDay = :day',
          ConditionExpression: 'attribute_not_exists(lastDay) OR lastDay < :day',
          ExpressionAttributeValues: { ':day': day },
        }),
      ),
    );
  }

  async signupDays(): Promise<{ first: string; last: string } | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: SIGNUP_DAYS }));
    if (typeof Item?.firstDay !== 'string' || typeof Item.lastDay !== 'string') return undefined;
    return { first: Item.firstDay, last: Item.lastDay };
  }
}
