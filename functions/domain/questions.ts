/**
 * Questions: a subscriber's reply to a course email, the expert's answer, and the 24-hour promise.
 * Pure rules only; parsing MIME and storing questions are adapters' work.
 */
import { createHash } from 'node:crypto';
import type { Subscriber } from './subscriber';

/** Where a question is: open (with the expert), answered, or kept for review and never forwarded. */
export type QuestionStatus = 'open' | 'answered' | 'held';

/** Why a question was kept instead of forwarded to the expert. */
export type HoldReason = 'unauthenticated' | 'over-limit' | 'empty' | 'unreadable';

/** An attachment the subscriber sent: noted for the expert, never forwarded. */
export interface AttachmentNote {
  name: string;
  size: number;
  type: string;
}

/** A question as it is stored. Times are ISO-8601 UTC. */
export interface Question {
  id: string;
  subscriberId: string;
  receivedAt: string;
  status: QuestionStatus;
  holdReason?: HoldReason | undefined;
  /** Day of the course the subscriber was on (1 = the day they confirmed). */
  day: number;
  subject: string;
  /** What the subscriber wrote, without quoted history or signature. */
  text: string;
  /** True when `text` was cut to `MAX_QUESTION_CHARS`. */
  truncated: boolean;
  attachments: AttachmentNote[];
  /** The subscriber's own `Message-ID` and `References`: our replies thread under them. */
  messageId?: string | undefined;
  references: string[];
  /** SES message id of the email that took the question to the expert. */
  forwardedMessageId?: string | undefined;
  remindedAt?: string | undefined;
  escalatedAt?: string | undefined;
  answeredAt?: string | undefined;
  /** Milliseconds from receipt to answer: the 24-hour promise, measured. */
  responseMs?: number | undefined;
  answer?: string | undefined;
  /** The expert the question is with: they are notified and reminded. */
  assignee?: string | undefined;
  /** Who answered (an expert's address, from the console or by email). */
  answeredBy?: string | undefined;
}

/**
 * Receipt verdicts (`PASS`, `FAIL`, `GRAY`, `PROCESSING_FAILED`, `DISABLED`): SES gives them in the
 * cloud, the local SMTP server gives its own (passing unless a test asks otherwise).
 */
export interface MailVerdicts {
  spam?: string | undefined;
  virus?: string | undefined;
  spf?: string | undefined;
  dkim?: string | undefined;
  /** DMARC: SPF or DKIM passed for a domain aligned with the From header's domain. */
  dmarc?: string | undefined;
}

/** The verdicts of a message that passed every check. */
export const PASSING_VERDICTS: Readonly<Required<MailVerdicts>> = {
  spam: 'PASS',
  virus: 'PASS',
  spf: 'PASS',
  dkim: 'PASS',
  dmarc: 'PASS',
};

/** An inbound message as the parser hands it over: threading ids, sender, the reply text and attachments. */
export interface InboundMail {
  /** `Message-ID` with its angle brackets, if the message had one. */
  messageId?: string | undefined;
  references: string[];
  subject: string;
  /** The one address in the `From` header, lower-cased; undefined when From holds none or several. */
  from?: string | undefined;
  /** Addresses in `To`, `Cc` and `Delivered-To`, lower-cased. */
  recipients: string[];
  /** Header values by lower-case name (the first of each), for recognising automated mail. */
  headers: Record<string, string>;
  /** The reply itself: quoted history and signature removed. */
  text: string;
  attachments: AttachmentNote[];
  /** True when the parser had to guess (broken structure); the text is best effort. */
  damaged: boolean;
}

/** How long the expert has before a reminder, and before the backup address is told. */
export const REMIND_AFTER_MS = 20 * 3600_000;
export const ESCALATE_AFTER_MS = 24 * 3600_000;
/** A subscriber gets at most one acknowledgement per hour. */
export const ACK_WINDOW_MS = 3600_000;
/** Someone who unsubscribed and writes in gets at most one note per day. */
export const UNSUBSCRIBED_NOTE_WINDOW_MS = 24 * 3600_000;
/** Window of the per-subscriber question limit. */
export const QUESTION_LIMIT_WINDOW_MS = 24 * 3600_000;
/** Longest question text kept (a DynamoDB item holds 400 KB; nobody writes a question this long). */
export const MAX_QUESTION_CHARS = 20_000;
/** Longest answer kept and sent (with the question's text, still far under DynamoDB's 400 KB). */
export const MAX_ANSWER_CHARS = 50_000;

/** What a message to our inbound domain is addressed to. */
export type InboundAddress =
  | { kind: 'reply'; id: string; mac: string }
  | { kind: 'answer'; id: string; mac: string };

const INBOUND_LOCAL_PART = /^(reply|answer)\+([a-z0-9_-]{1,100})\.([0-9a-f]{12})$/;

/** Reads `reply+<subscriber id>.<mac>@domain` or `answer+<question id>.<mac>@domain`; the MAC is not checked here. */
export function parseInboundAddress(address: string, inboundDomain: string): InboundAddress | undefined {
  const at = address.lastIndexOf('@');
  if (at < 1) return undefined;
  if (address.slice(at + 1).toLowerCase() !== inboundDomain.toLowerCase()) return undefined;
  const match = INBOUND_LOCAL_PART.exec(address.slice(0, at).toLowerCase());
  if (!match) return undefined;
  return { kind: match[1] as 'reply' | 'answer', id: match[2] as string, mac: match[3] as string };
}

const AUTO_PRECEDENCE = new Set(['bulk', 'auto_reply', 'list', 'junk']);
const DAEMON = /^(mailer-daemon|postmaster|mail-daemon|noreply-dsn)@/;

/**
 * Why a message was sent by a machine and must get no answer (RFC 3834 and the headers mail systems
 * use in practice): an auto-reply, or a delivery status notification. Undefined for a person's mail.
 */
export function automatedReason(mail: InboundMail): 'auto-reply' | 'delivery-report' | undefined {
  const h = mail.headers;
  const contentType = (h['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('multipart/report') || (mail.from !== undefined && DAEMON.test(mail.from))) {
    return 'delivery-report';
  }
  if ((h['return-path'] ?? '').trim() === '<>') return 'delivery-report';
  const autoSubmitted = h['auto-submitted']?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return 'auto-reply';
  if (h['x-autoreply'] !== undefined || h['x-autorespond'] !== undefined) return 'auto-reply';
  if (AUTO_PRECEDENCE.has((h.precedence ?? '').trim().toLowerCase())) return 'auto-reply';
  return undefined;
}

/** What the verdicts say to do with a subscriber's mail: drop spam and viruses, hold mail failing both SPF and DKIM. */
export function verdictAction(verdicts: MailVerdicts): 'drop' | 'hold' | 'accept' {
  if (verdicts.spam === 'FAIL' || verdicts.virus === 'FAIL') return 'drop';
  if (verdicts.spf === 'FAIL' && verdicts.dkim === 'FAIL') return 'hold';
  return 'accept';
}

/**
 * True when the message is DMARC-aligned with its From domain: SPF or DKIM passed for that domain, not
 * just for any domain. An answer is taken only then, since the From header alone proves nothing.
 */
export function dmarcAligned(verdicts: MailVerdicts): boolean {
  return verdicts.dmarc === 'PASS';
}

/**
 * The id of a question: the subscriber's id and a hash of the message that carried it, so a message
 * delivered twice (SES and Lambda retry) is the same question and is stored and forwarded once.
 */
export function questionIdFor(subscriberId: string, messageKey: string): string {
  return `${subscriberId}-${createHash('sha256').update(messageKey).digest('hex').slice(0, 16)}`;
}

/** The subscriber a question id belongs to, or undefined when the id is not one of ours. */
export function splitQuestionId(questionId: string): { subscriberId: string; key: string } | undefined {
  const match = /^([A-Za-z0-9_]{1,64})-([0-9a-f]{16})$/.exec(questionId);
  return match ? { subscriberId: match[1] as string, key: match[2] as string } : undefined;
}

/** The day of the course a subscriber is on at `now` (1 on the day they confirmed). */
export function courseDay(subscriber: Subscriber, now: Date): number {
  if (!subscriber.confirmedAt) return 0;
  return Math.max(1, Math.floor((now.getTime() - Date.parse(subscriber.confirmedAt)) / 86_400_000) + 1);
}

/** The next thing the 24-hour promise asks for an open question at `now`: a reminder, an escalation, or nothing. */
export function slaAction(question: Question, now: Date): 'remind' | 'escalate' | undefined {
  if (question.status !== 'open') return undefined;
  const age = now.getTime() - Date.parse(question.receivedAt);
  if (age >= ESCALATE_AFTER_MS && !question.escalatedAt) return 'escalate';
  if (age >= REMIND_AFTER_MS && !question.remindedAt && !question.escalatedAt) return 'remind';
  return undefined;
}

/** When the 24-hour promise next needs something for an open question, if ever. */
export function nextSlaMoment(question: Question): string | undefined {
  if (question.status !== 'open' || question.escalatedAt) return undefined;
  const received = Date.parse(question.receivedAt);
  const after = question.remindedAt ? ESCALATE_AFTER_MS : REMIND_AFTER_MS;
  return new Date(received + after).toISOString();
}

/** `Re: <subject>` without stacking prefixes. */
export function replySubject(subject: string): string {
  const trimmed = subject.trim();
  if (trimmed === '') return 'Re: your question';
  return /^(re|aw|sv|antw)\s*:/i.test(trimmed) ? trimmed : `Re: ${trimmed}`;
}
