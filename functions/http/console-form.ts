import type { Context } from 'hono';
import { RequestError } from './errors';

/** A console form post's fields as strings (files are ignored); any other body is a 415. */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
    throw new RequestError(415, 'unsupported_media_type', 'Send the form as a form post.');
  }
  const body = await c.req.parseBody();
  return Object.fromEntries(
    Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
