/**
 * Inbound MIME → `InboundMail`: postal-mime decodes the message (charsets, quoted-printable, base64,
 * multipart, HTML-only mail) and email-reply-parser, helped by a few cuts of our own, keeps only what
 * the person wrote above the quoted history.
 */
import EmailReplyParser from 'email-reply-parser';
import type { Address, Email } from 'postal-mime';
import { UnreadableMailError } from '../domain/errors';
import type { MailParser } from '../domain/ports';
import type { AttachmentNote, InboundMail } from '../domain/questions';

/** The reply is at the top; text beyond this is quoted history, and the reply parser is line-by-line. */
const MAX_SCANNED_CHARS = 200_000;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X'
          ? Number.parseInt(entity.slice(2), 16)
          : Number(entity.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/** Where mail clients start the quoted message in HTML: Gmail, Apple Mail, Outlook, Thunderbird. */
const HTML_QUOTE_STARTS = [
  /<div[^>]*class="?[^">]*gmail_quote/i,
  /<blockquote/i,
  /<div[^>]*id="?(divRplyFwdMsg|appendonsend)/i,
  /<div[^>]*class="?[^">]*moz-cite-prefix/i,
  /<hr[^>]*id="?stopSpelling/i,
];

/** Plain text of an HTML body, with the quoted message (as mail clients mark it) left out. */
export function htmlToText(html: string): string {
  let body = html.slice(0, MAX_SCANNED_CHARS);
  for (const start of HTML_QUOTE_STARTS) {
    const at = body.search(start);
    if (at >= 0) body = body.slice(0, at);
  }
  const text = body
    .replace(/<(head|style|script|title)[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote|table|ul|ol)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n');
}

const HEADER_BLOCK_FROM = /^\s*\*?(from|von|de|van|da|fra|från)\s*:\*?\s*\S/i;
const HEADER_BLOCK_NEXT =
  /^\s*\*?(sent|date|gesendet|datum|envoyé|enviado|inviato|verzonden|skickat|sendt|to|an|à|subject|betreff|objet)\s*:/i;
const WROTE_LINE = /\bwrote:\s*$/i;

/**
 * Where quoted history starts that email-reply-parser misses: an Outlook-style header block
 * ("From: …" followed by "Sent:"/"To:"/"Subject:" lines, no `>` quoting), an underscore divider above
 * it, and an "On … wrote:" line that the client wrapped in two.
 */
function quotedHistoryStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (
      HEADER_BLOCK_FROM.test(line) &&
      lines.slice(i + 1, i + 4).some((next) => HEADER_BLOCK_NEXT.test(next))
    ) {
      return i > 0 && /^\s*_{10,}\s*$/.test(lines[i - 1] as string) ? i - 1 : i;
    }
    if (/^\s*_{20,}\s*$/.test(line) && HEADER_BLOCK_FROM.test(lines[i + 1] ?? '')) return i;
    if (/^\s*On\s/.test(line) && !WROTE_LINE.test(line) && WROTE_LINE.test(lines[i + 1] ?? '')) return i;
  }
  return lines.length;
}

/** What the person wrote: quoted history and signature removed, whitespace tidied. */
export function extractReply(text: string): string {
  const lines = text.slice(0, MAX_SCANNED_CHARS).replace(/\r\n?/g, '\n').split('\n');
  const own = lines.slice(0, quotedHistoryStart(lines)).join('\n');
  const visible = new EmailReplyParser().read(own).getVisibleText();
  return visible
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Windows-1252 characters at 0x80–0x9F (WHATWG), for decoders that leave them as C1 controls. */
const CP1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/**
 * Some Node builds decode windows-1252 (and ISO-8859-1, which mail clients mean as windows-1252) as
 * Latin-1, leaving C1 control characters where the sender wrote dashes and curly quotes. Nobody types
 * C1 controls, so they are mapped back.
 */
function repairC1(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (char) => CP1252_C1[char.charCodeAt(0) - 0x80] ?? char);
}

function byteLength(content: ArrayBuffer | Uint8Array | string): number {
  if (typeof content === 'string') return Buffer.byteLength(content);
  return content.byteLength;
}

/**
 * The one address in the `From` header, lower-cased; undefined when there is no From, more than one
 * From header, a group, or several addresses (RFC 5322 allows that with a Sender, and a forger uses it
 * to put a trusted address beside their own).
 */
function singleFrom(email: Email, parseAddresses: (value: string) => Address[]): string | undefined {
  const lines = email.headers.filter((header) => header.key === 'from');
  if (lines.length !== 1) return undefined;
  const addresses = parseAddresses(lines[0]?.value ?? '');
  const only = addresses.length === 1 ? addresses[0] : undefined;
  if (!only || only.group || !only.address) return undefined;
  return only.address.toLowerCase();
}

/** `MailParser` on postal-mime and email-reply-parser. */
export class PostalMimeParser implements MailParser {
  async parse(raw: Uint8Array): Promise<InboundMail> {
    let email: Email;
    let parseAddresses: (value: string) => Address[];
    try {
      // Loaded on first use: only the inbound function parses mail, and every other cold start skips it.
      const { default: PostalMime, addressParser } = await import('postal-mime');
      parseAddresses = (value) => addressParser(value);
      email = await PostalMime.parse(raw);
    } catch (error) {
      throw new UnreadableMailError(`postal-mime could not parse the message (${(error as Error).name})`);
    }
    const headers: Record<string, string> = {};
    for (const { key, value } of email.headers) if (!(key in headers)) headers[key] = value;
    const contentType = (headers['content-type'] ?? '').toLowerCase();
    const from = singleFrom(email, parseAddresses);
    const recipients = [...(email.to ?? []), ...(email.cc ?? [])]
      .flatMap((address) => (address.group ? address.group : [address]))
      .map((mailbox) => mailbox.address ?? '')
      .concat(email.deliveredTo ? [email.deliveredTo] : [])
      .filter((address) => address !== '')
      .map((address) => address.toLowerCase());
    const body = repairC1(email.text?.trim() ? email.text : email.html ? htmlToText(email.html) : '');
    const attachments: AttachmentNote[] = email.attachments
      .filter((attachment) => !attachment.related)
      .map((attachment) => ({
        name: attachment.filename ?? 'unnamed',
        size: byteLength(attachment.content),
        type: attachment.mimeType,
      }));
    return {
      messageId: email.messageId?.trim() || undefined,
      references: (email.references ?? email.inReplyTo ?? '').match(/<[^<>\s]+>/g) ?? [],
      subject: (email.subject ?? '').replace(/\s+/g, ' ').trim(),
      from,
      recipients,
      headers,
      text: extractReply(body),
      attachments,
      damaged:
        email.headers.length === 0 ||
        (contentType.startsWith('multipart/') && email.text === undefined && email.html === undefined),
    };
  }
}
