/** Building hostile inbound messages, and measuring what they leave behind, for the inbound tests. */

/** DynamoDB's largest item. */
export const DYNAMO_ITEM_LIMIT = 400 * 1024;

/**
 * An item's size as DynamoDB counts it: UTF-8 bytes of every attribute name and string value, numbers
 * at their digits plus one, and three bytes for each list or map and each element in it.
 */
export function dynamoItemBytes(value: unknown): number {
  if (value === undefined || value === null) return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return String(value).length + 1;
  if (typeof value === 'boolean') return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + dynamoItemBytes(v), 0);
  return (
    3 +
    Object.entries(value as Record<string, unknown>).reduce(
      (sum, [name, v]) => sum + Buffer.byteLength(name) + 1 + dynamoItemBytes(v),
      0,
    ) +
    // The keys and index attributes the store adds to a question.
    200
  );
}

/** A header value SES accepts: printable ASCII (space to tilde), 1 to 870 characters. */
export function validHeaderValue(value: string): boolean {
  return /^[\x20-\x7e]{1,870}$/.test(value);
}

/** An RFC 2047 encoded word: how a sender smuggles CR/LF and non-ASCII past the header syntax. */
export function encodedWord(text: string): string {
  return `=?utf-8?B?${Buffer.from(text).toString('base64')}?=`;
}

/** A text/plain message, or multipart with `many` attachments named with `long` characters. */
export function rawMessage(
  headers: Record<string, string>,
  body: string,
  attachments: { many: number; long: number } = { many: 0, long: 0 },
): Buffer {
  const multipart = attachments.many > 0;
  const head = Object.entries({
    'MIME-Version': '1.0',
    'Content-Type': multipart ? 'multipart/mixed; boundary="b0"' : 'text/plain; charset=utf-8',
    ...headers,
  })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  if (!multipart) return Buffer.from(`${head}\r\n\r\n${body}\r\n`);
  const parts = [`--b0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`];
  for (let i = 0; i < attachments.many; i++) {
    const name = `${i}-${'n'.repeat(attachments.long)}.txt`;
    parts.push(
      `--b0\r\nContent-Type: application/x-${'t'.repeat(Math.min(attachments.long, 300))}\r\nContent-Disposition: attachment; filename="${name}"\r\n\r\nx\r\n`,
    );
  }
  return Buffer.from(`${head}\r\n\r\n${parts.join('')}--b0--\r\n`);
}
