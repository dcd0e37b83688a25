/**
 * Bounds on what inbound mail may put into storage and into the headers of our replies. Mail is
 * written by strangers: every value that is stored or threaded is checked or cut here, so a crafted
 * message can neither make a question too big to store nor inject or break an outgoing header.
 */
import type { AttachmentNote, InboundMail } from './questions';

/** Longest Message-ID kept (RFC 5322 sets no limit; real ones are under 120 characters). */
export const MAX_MESSAGE_ID_CHARS = 250;
/** Most `References` entries kept from one message (the newest). */
export const MAX_REFERENCES = 20;
/** Longest header value we send (SES v2 refuses longer values). */
export const MAX_HEADER_VALUE_CHARS = 870;
export const MAX_SUBJECT_CHARS = 300;
export const MAX_ATTACHMENTS = 50;
export const MAX_ATTACHMENT_NAME_CHARS = 200;
export const MAX_ATTACHMENT_TYPE_CHARS = 100;

/**
 * `<local@domain>` in printable ASCII without spaces or angle brackets (RFC 5322 §3.6.4, msg-id, with
 * the obsolete and quoted forms left out): the only shape that is copied into `In-Reply-To`/`References`.
 */
const MESSAGE_ID = /^<[!-;=?-~]+@[!-;=?-~]+>$/;

/** The message id if it is well formed and not too long, else undefined (the message is then keyed by a hash). */
export function wellFormedMessageId(value: string | undefined): string | undefined {
  const id = value?.trim();
  return id && id.length <= MAX_MESSAGE_ID_CHARS && MESSAGE_ID.test(id) ? id : undefined;
}

/** The well-formed references, newest `MAX_REFERENCES` of them. */
export function boundedReferences(values: string[]): string[] {
  return values
    .slice(-4 * MAX_REFERENCES)
    .map(wellFormedMessageId)
    .filter((id): id is string => id !== undefined)
    .slice(-MAX_REFERENCES);
}

/** Text with control and format characters (line breaks, bidi overrides, zero-width) made spaces, cut to `max`. */
export function plainLine(value: string, max: number): string {
  return value
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}

function boundedAttachments(attachments: AttachmentNote[]): AttachmentNote[] {
  return attachments.slice(0, MAX_ATTACHMENTS).map((a) => ({
    name: plainLine(a.name, MAX_ATTACHMENT_NAME_CHARS) || 'unnamed',
    size: Number.isFinite(a.size) ? a.size : 0,
    type: plainLine(a.type, MAX_ATTACHMENT_TYPE_CHARS),
  }));
}

/** The parsed message with every field we keep or thread checked and bounded. */
export function boundedMail(mail: InboundMail): InboundMail {
  return {
    ...mail,
    messageId: wellFormedMessageId(mail.messageId),
    references: boundedReferences(mail.references),
    subject: plainLine(mail.subject, MAX_SUBJECT_CHARS),
    attachments: boundedAttachments(mail.attachments),
  };
}

/**
 * The `References` of a reply: the message's own references then its id (RFC 5322 §3.6.4), as many of
 * the newest as fit in one header value SES accepts.
 */
export function threadReferences(question: {
  messageId?: string | undefined;
  references: string[];
}): string[] {
  const ids = [...question.references.filter((r) => r !== question.messageId)];
  if (question.messageId) ids.push(question.messageId);
  const kept: string[] = [];
  let length = -1;
  for (const id of ids.reverse()) {
    if (length + 1 + id.length > MAX_HEADER_VALUE_CHARS) break;
    kept.unshift(id);
    length += 1 + id.length;
  }
  return kept;
}
