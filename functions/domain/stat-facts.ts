/**
 * Facts for the operator's figures. Every figure is derived from small, idempotent fact items, one per thing
 * that happened (a signup, a confirmation, a delivered email, an exit, a question, an answer). A fact's key
 * is a function of the stored state it describes (the subscriber, the email, the day it happened), never of
 * the moment it was counted, so a retried request, a redelivered SES event or two dispatchers at once write
 * the same key again and change nothing: the figures equal what happened. Facts name people only by a
 * one-way digest of their random id, so erasing a person removes them from every lookup and keeps the
 * aggregates.
 */
import { createHash } from 'node:crypto';

/** What a fact records. */
export type FactKind =
  | 'signup'
  | 'confirmed'
  | 'delivered'
  | 'bounced'
  | 'complained'
  | 'exit'
  | 'question'
  | 'answered';

/** The ways a person leaves the course early. */
export type ExitStatus = 'unsubscribed' | 'bounced' | 'complained';

/** One fact: filed under the UTC day it happened on, unique by `id` within that day. */
export interface StatFact {
  day: string;
  id: string;
  kind: FactKind;
  /** The course email it is about (mail facts, questions: the email replied to; exits: the last one received). */
  key?: string | undefined;
  /** ISO week of the person's signup (`2026-W48`): their cohort. */
  cohort?: string | undefined;
  /** Where the signup came from (`utm_source` / `ref`), or `none`. */
  source?: string | undefined;
  /** Exits: how the person left. */
  status?: ExitStatus | undefined;
  /** Answers: minutes from the question to the answer. */
  minutes?: number | undefined;
  /** Mail facts: when SES delivered the email, or reported the bounce or complaint. */
  at?: string | undefined;
  /** The digest of the person, for mail facts (the operator's lookup finds a person's deliveries by it). */
  person?: string | undefined;
}

/** The signup source when the landing page URL had none. */
export const NO_SOURCE = 'none';

/** A one-way digest for fact ids: 20 hex characters, meaningless once the original is erased. */
function digest(label: string, value: string): string {
  return createHash('sha256').update(`${label}|${value}`).digest('hex').slice(0, 20);
}

/** A person in facts: a one-way digest of their random id (the id itself is erased with them). */
export function personDigest(subscriberId: string): string {
  return digest('person', subscriberId);
}

/** A question in facts: a digest of its id (question ids begin with the subscriber's id). */
export function questionDigest(questionId: string): string {
  return digest('question', questionId);
}

/** The UTC day (`yyyy-mm-dd`) of an ISO time. */
export function dayOf(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

/** The ISO week (`2026-W48`) of an ISO time, in UTC: a signup cohort. */
export function isoWeek(iso: string): string {
  const date = new Date(`${dayOf(iso)}T00:00:00Z`);
  // The Thursday of the date's week decides the week's year.
  date.setUTCDate(date.getUTCDate() + 4 - (date.getUTCDay() || 7));
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The id of a mail fact: one per person, email and outcome. */
export function mailFactId(
  person: string,
  key: string,
  kind: 'delivered' | 'bounced' | 'complained',
): string {
  return `${mailFactPrefix(person)}${key}#${kind}`;
}

/** The prefix of every mail fact of one person on a day (the operator's lookup). */
export function mailFactPrefix(person: string): string {
  return `mail#${person}#`;
}

/** Every UTC day from `since` to `until` (inclusive), at most `max` of them. */
export function daysBetween(since: string, until: string, max = 3700): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${since}T00:00:00Z`); days.length < max; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    if (day > until) break;
    days.push(day);
  }
  return days;
}

const SOURCE_CHARS = /[^a-z0-9._-]/g;
/** The longest signup source kept. */
export const SOURCE_MAX = 40;

/**
 * A signup source as the landing page sends it: lower case, letters, digits, `.`, `_` and `-` only, at most
 * SOURCE_MAX characters. The page's script cleans the URL's value the same way before sending it.
 */
export function sourceProblem(value: string): string | undefined {
  if (value.length > SOURCE_MAX) return `Use at most ${SOURCE_MAX} characters.`;
  if (value !== '' && value.replace(SOURCE_CHARS, '') !== value)
    return 'Use lower-case letters, digits, dots, dashes and underscores only.';
  return undefined;
}
