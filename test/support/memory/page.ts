/** Paging for the in-memory stores, as DynamoDB pages a query: by sort key, behind an opaque cursor. */
import { MalformedCursorError } from '../../../functions/adapters/dynamo-document';

const PAGE_SIZE = 100;
const PREFIX = 'memory:';

/**
 * One page of `keys` (sorted here) after the cursor. Like DynamoDB's LastEvaluatedKey, the cursor is
 * the last key returned, so entries that move out of the range between pages never make a page skip
 * anyone; it is set only when more follow.
 */
export function pageOf(keys: string[], cursor?: string): { keys: string[]; cursor?: string | undefined } {
  const after = cursor === undefined ? undefined : decode(cursor);
  const rest = keys.filter((key) => after === undefined || key > after).sort();
  const page = rest.slice(0, PAGE_SIZE);
  const last = page.at(-1);
  return {
    keys: page,
    cursor: rest.length > PAGE_SIZE && last ? PREFIX + Buffer.from(last).toString('base64url') : undefined,
  };
}

function decode(cursor: string): string {
  if (!cursor.startsWith(PREFIX)) throw new MalformedCursorError();
  return Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString('utf8');
}
