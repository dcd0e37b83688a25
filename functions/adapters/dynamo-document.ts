/**
 * What every DynamoDB adapter shares: how its document client is built, how a conditional write that
 * lost reads, how a page of a query is handed out behind a cursor, and how an item becomes a domain object.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { INTERNAL_ATTRIBUTES } from './dynamo-table';

/** A document client that drops `undefined` attributes (optional fields of domain objects). */
export function documentClient(config: DynamoDBClientConfig | DynamoDBClient = {}): DynamoDBDocumentClient {
  const client = config instanceof DynamoDBClient ? config : new DynamoDBClient(config);
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Where an adapter on the single table works: the table, and a document client (a default one if none). */
export interface TableOptions {
  tableName: string;
  client?: DynamoDBDocumentClient | undefined;
}

/** What every adapter on the single table starts from: the table's name and the document client. */
export abstract class TableAdapter {
  protected readonly doc: DynamoDBDocumentClient;
  protected readonly table: string;

  constructor(options: TableOptions) {
    this.table = options.tableName;
    this.doc = options.client ?? documentClient();
  }
}

/**
 * Awaits a conditional write: its output when it went through, undefined when its condition did not
 * hold (the expected state was not there). Any other failure is thrown.
 */
export async function ifConditionHolds<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
}

/** True when a conditional write went through, false when its condition did not hold. */
export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  return (await ifConditionHolds(write)) !== undefined;
}

/** A bad cursor handed back to a paged read: it names what is wrong and reads nothing. */
export class MalformedCursorError extends Error {
  constructor() {
    super('The cursor is not one this store handed out.');
    this.name = 'MalformedCursorError';
  }
}

/**
 * One page of a query, from where `cursor` left off. The cursor is the query's `LastEvaluatedKey`,
 * opaque to callers (base64url JSON), and set only when more may follow.
 */
export async function queryPage(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
  cursor?: string,
): Promise<{ items: Record<string, unknown>[]; cursor?: string | undefined }> {
  const result = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: decodeCursor(cursor) }));
  const next = result.LastEvaluatedKey;
  return {
    items: result.Items ?? [],
    cursor: next ? Buffer.from(JSON.stringify(next)).toString('base64url') : undefined,
  };
}

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // Not JSON: the same error as any other foreign cursor.
  }
  throw new MalformedCursorError();
}

/** Every item a query finds, page after page. */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage(doc, input, cursor);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** Every item of the partition `pk` whose sort key starts with `skPrefix`, read consistently. */
export function itemsWithPrefix(
  doc: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  skPrefix: string,
): Promise<Record<string, unknown>[]> {
  return queryAll(doc, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
    ConsistentRead: true,
  });
}

/** The domain object an item holds: the item without the table's keys, index keys and bookkeeping. */
export function fromItem<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !INTERNAL_ATTRIBUTES.has(k))) as T;
}
