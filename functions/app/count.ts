/**
 * Counting for the operator's figures, one small function per thing that happened. Each writes a fact whose
 * key comes from the stored state (see domain/stat-facts.ts), so calling one again after a retry, a
 * redelivered event or a crash adds nothing; callers may call them on every path that sees the state.
 */
import type { Question } from '../domain/questions';
import type { SesEvent } from '../domain/ses-events';
import {
  dayOf,
  type ExitStatus,
  isoWeek,
  mailFactId,
  NO_SOURCE,
  personDigest,
  questionDigest,
} from '../domain/stat-facts';
import type { Subscriber } from '../domain/subscriber';
import type { Deps } from './deps';

/** The course email a subscriber received last (their step is the next one), if any. */
export function lastReceivedKey(deps: Deps, subscriber: Subscriber): string | undefined {
  return deps.steps[subscriber.step - 1]?.key;
}

/** A signup, on the day the subscriber was created, with where it came from. */
export async function countSignup(deps: Deps, subscriber: Subscriber): Promise<void> {
  const day = dayOf(subscriber.createdAt);
  await deps.stats.note({
    day,
    id: `signup#${personDigest(subscriber.id)}`,
    kind: 'signup',
    cohort: isoWeek(subscriber.createdAt),
    source: subscriber.source ?? NO_SOURCE,
  });
  await deps.stats.noteSignupDay(day);
}

/** A confirmation, on the day the person confirmed. */
export async function countConfirmed(deps: Deps, subscriber: Subscriber): Promise<void> {
  if (!subscriber.confirmedAt) return;
  await deps.stats.note({
    day: dayOf(subscriber.confirmedAt),
    id: `confirmed#${personDigest(subscriber.id)}`,
    kind: 'confirmed',
    cohort: isoWeek(subscriber.createdAt),
  });
}

const MAIL_FACTS = { delivery: 'delivered', bounce: 'bounced', complaint: 'complained' } as const;

/** A delivery, bounce or complaint of a course email, filed under the day SES accepted the email. */
export async function countMailEvent(deps: Deps, event: SesEvent, subscriber: Subscriber | undefined) {
  const kind = MAIL_FACTS[event.kind as keyof typeof MAIL_FACTS];
  if (!kind || !subscriber || !event.key || !deps.steps.some((s) => s.key === event.key)) return;
  const person = personDigest(subscriber.id);
  await deps.stats.note({
    day: dayOf(event.sentAt),
    id: mailFactId(person, event.key, kind),
    kind,
    key: event.key,
    at: event.at,
    person,
    cohort: isoWeek(subscriber.createdAt),
  });
}

const EXITS: ReadonlySet<string> = new Set<ExitStatus>(['unsubscribed', 'bounced', 'complained']);

/**
 * A person's exit, from their stored state: how they left, on the day they left, against the last course
 * email they received. Nothing when they have not left (or were erased).
 */
export async function countExit(deps: Deps, subscriberId: string): Promise<void> {
  const subscriber = await deps.store.get(subscriberId);
  if (!subscriber?.endedAt || !EXITS.has(subscriber.status)) return;
  await deps.stats.note({
    day: dayOf(subscriber.endedAt),
    id: `exit#${personDigest(subscriber.id)}`,
    kind: 'exit',
    status: subscriber.status as ExitStatus,
    key: lastReceivedKey(deps, subscriber),
    cohort: isoWeek(subscriber.createdAt),
  });
}

/** A question that goes to the expert, against the last course email the person received. */
export async function countQuestion(deps: Deps, question: Question, subscriber: Subscriber) {
  if (question.status !== 'open') return;
  await deps.stats.note({
    day: dayOf(question.receivedAt),
    id: `question#${questionDigest(question.id)}`,
    kind: 'question',
    key: lastReceivedKey(deps, subscriber),
    cohort: isoWeek(subscriber.createdAt),
  });
}

/** An answer, on the day it was given, with the minutes it took. */
export async function countAnswer(deps: Deps, questionId: string, answeredAt: string, responseMs: number) {
  await deps.stats.note({
    day: dayOf(answeredAt),
    id: `answered#${questionDigest(questionId)}`,
    kind: 'answered',
    minutes: responseMs / 60_000,
  });
}
