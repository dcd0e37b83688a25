/**
 * The expert's console, as pure rules: deadlines and risk, saved replies and their fields, the figures
 * of the 24-hour promise, and which course email a question replied to.
 */
import type { SendRecord } from './ports';
import { ESCALATE_AFTER_MS, type Question } from './questions';

/** A question is at risk from this long before its deadline. */
export const AT_RISK_MS = 4 * 3600_000;

/** The moment the 24-hour promise runs out. */
export function deadlineOf(question: Pick<Question, 'receivedAt'>): number {
  return Date.parse(question.receivedAt) + ESCALATE_AFTER_MS;
}

/** Where an open question stands against its deadline at `now`. */
export function urgency(question: Pick<Question, 'receivedAt'>, now: Date): 'overdue' | 'at-risk' | 'ok' {
  const left = deadlineOf(question) - now.getTime();
  if (left < 0) return 'overdue';
  return left <= AT_RISK_MS ? 'at-risk' : 'ok';
}

/** "3 h 20 min left" or "1 h 5 min overdue". */
export function timeLeftText(question: Pick<Question, 'receivedAt'>, now: Date): string {
  const left = deadlineOf(question) - now.getTime();
  return `${durationText(Math.abs(left))} ${left < 0 ? 'overdue' : 'left'}`;
}

/** A duration as hours and minutes ("2 d 3 h" past two days). */
export function durationText(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  if (hours >= 48) return `${Math.floor(hours / 24)} d ${hours % 24} h`;
  return hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
}

/** The values a saved reply's `{{fields}}` are filled with. */
export type ReplyFields = Record<'firstName' | 'day' | 'expertName', string>;

/** The fields a saved reply may use, for the page that edits them. */
export const REPLY_FIELD_NAMES: (keyof ReplyFields)[] = ['firstName', 'day', 'expertName'];

/** Fills `{{field}}`s; an unknown field is left as written, so the expert sees it and can fix it. */
export function fillReplyFields(body: string, fields: ReplyFields): string {
  return body.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, name: string) =>
    Object.hasOwn(fields, name) ? fields[name as keyof ReplyFields] : whole,
  );
}

/** The `[[...]]` markers still in a text: an answer with any of them is not sent. */
export function fillInMarkers(text: string): string[] {
  return [...text.matchAll(/\[\[[^\]\n]{0,200}\]\]/g)].map((match) => match[0]);
}

/**
 * The course email a question replied to: the send whose message id its `In-Reply-To`/`References`
 * name, else (a client that dropped them) the last email sent before it, marked as a guess.
 */
export function repliedTo(
  question: Pick<Question, 'references' | 'receivedAt'>,
  sends: SendRecord[],
): { send: SendRecord; certain: boolean } | undefined {
  const named = sends.find((send) => question.references.some((ref) => ref.includes(send.messageId)));
  if (named) return { send: named, certain: true };
  const before = sends.filter((send) => send.sentAt <= question.receivedAt);
  const last = before[before.length - 1];
  return last ? { send: last, certain: false } : undefined;
}

/** The figures of the 24-hour promise over one window, for one expert or for everyone. */
export interface PromiseFigures {
  answered: number;
  medianMs?: number | undefined;
  p90Ms?: number | undefined;
  /** Share of the answered questions answered within 24 hours, 0..1. */
  within24h?: number | undefined;
  openNow: number;
  overdueNow: number;
}

/** The value below which `share` of the sorted values lie (nearest rank). */
function percentile(sorted: number[], share: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

/**
 * Figures from the questions answered in the window and those open now. `who` picks one expert (by
 * who answered, and for open ones, by assignee); undefined counts everyone.
 */
export function promiseFigures(
  answered: Question[],
  open: Question[],
  now: Date,
  who?: string,
): PromiseFigures {
  const mine = answered.filter((q) => who === undefined || q.answeredBy === who);
  const times = mine.map((q) => q.responseMs ?? 0).sort((a, b) => a - b);
  const openMine = open.filter((q) => who === undefined || q.assignee === who);
  return {
    answered: mine.length,
    medianMs: percentile(times, 0.5),
    p90Ms: percentile(times, 0.9),
    within24h:
      times.length > 0 ? times.filter((ms) => ms <= ESCALATE_AFTER_MS).length / times.length : undefined,
    openNow: openMine.length,
    overdueNow: openMine.filter((q) => urgency(q, now) === 'overdue').length,
  };
}
