/**
 * What the console reads about questions: the queue's views, a question with its whole context, and
 * the signed references that stand for question ids in the console's URLs.
 */
import { deadlineOf, repliedTo } from '../../domain/console';
import type { QuestionNote } from '../../domain/console-records';
import type { SendRecord } from '../../domain/ports';
import type { Question } from '../../domain/questions';
import type { Subscriber } from '../../domain/subscriber';
import { shortMac, verifyShortMac } from '../../domain/tokens';
import type { Deps } from '../deps';

/** The queue's views. */
export type QueueView = 'mine' | 'unassigned' | 'open' | 'answered';
export const QUEUE_VIEWS: QueueView[] = ['mine', 'unassigned', 'open', 'answered'];

/** How far back the answered view reaches. */
const ANSWERED_VIEW_MS = 30 * 86_400_000;
const ANSWERED_VIEW_LIMIT = 100;

/** A question in the queue, with the subscriber's first name. */
export interface QueueRow {
  question: Question;
  firstName: string;
  ref: string;
}

/**
 * The reference of a question in a console URL: its id and a MAC, so nobody reaches a question by
 * guessing or changing an id (the id alone is not enough; a tampered one is not found).
 */
export function questionRef(deps: Pick<Deps, 'keys'>, questionId: string): string {
  return `${questionId}.${shortMac(deps.keys, 'console-question', questionId)}`;
}

/** The question id a reference stands for, if its MAC holds. */
export function questionIdFromRef(deps: Pick<Deps, 'keys'>, ref: string): string | undefined {
  const dot = ref.lastIndexOf('.');
  if (dot < 1) return undefined;
  const id = ref.slice(0, dot);
  return verifyShortMac(deps.keys, 'console-question', id, ref.slice(dot + 1)) ? id : undefined;
}

/** Every open question, by deadline (the oldest first). */
export async function openQuestions(deps: Deps): Promise<Question[]> {
  const questions: Question[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.questions.listOpen('9999-12-31T23:59:59.999Z', cursor);
    // The index holds keys only: read a page's questions at once (at most 100 reads in flight).
    const read = await Promise.all(page.ids.map((id) => deps.questions.get(id)));
    questions.push(...read.filter((q): q is Question => q?.status === 'open'));
    cursor = page.cursor;
  } while (cursor);
  return questions.sort((a, b) => deadlineOf(a) - deadlineOf(b));
}

/** Questions answered since `since`, newest answer first, at most `limit`. */
export async function answeredQuestions(deps: Deps, since: Date, limit?: number) {
  const ids = await deps.questions.listAnswered(since.toISOString(), limit);
  const questions = await Promise.all(ids.map((id) => deps.questions.get(id)));
  return questions.filter((q): q is Question => q?.status === 'answered');
}

/** One view of the queue for `email`: open ones by deadline, answered ones newest first. */
export async function queueRows(deps: Deps, view: QueueView, email: string): Promise<QueueRow[]> {
  let questions: Question[];
  if (view === 'answered') {
    const since = new Date(deps.clock.now().getTime() - ANSWERED_VIEW_MS);
    questions = await answeredQuestions(deps, since, ANSWERED_VIEW_LIMIT);
  } else {
    const experts = deps.settings.expertAddresses;
    questions = (await openQuestions(deps)).filter((q) => {
      if (view === 'mine') return q.assignee === email;
      if (view === 'unassigned') return !q.assignee || !experts.includes(q.assignee);
      return true;
    });
  }
  const ids = [...new Set(questions.map((q) => q.subscriberId))];
  const subscribers = await Promise.all(ids.map((id) => deps.store.get(id)));
  const names = new Map(ids.map((id, i) => [id, subscribers[i]?.firstName ?? '(erased)']));
  return questions.map((question) => ({
    question,
    firstName: names.get(question.subscriberId) ?? '',
    ref: questionRef(deps, question.id),
  }));
}

/** Everything the question page shows. */
export interface QuestionContext {
  question: Question;
  subscriber?: Subscriber | undefined;
  sends: SendRecord[];
  repliedTo?: { send: SendRecord; certain: boolean } | undefined;
  /** Their other questions, oldest first. */
  earlier: Question[];
  notes: QuestionNote[];
}

/** A question and its subscriber's whole context, or undefined when there is no such question. */
export async function questionContext(deps: Deps, questionId: string): Promise<QuestionContext | undefined> {
  const question = await deps.questions.get(questionId);
  if (!question) return undefined;
  const [subscriber, sends, all, notes] = await Promise.all([
    deps.store.get(question.subscriberId),
    deps.store.listSends(question.subscriberId),
    deps.questions.listForSubscriber(question.subscriberId),
    deps.console.listNotes(questionId),
  ]);
  return {
    question,
    subscriber,
    sends,
    repliedTo: repliedTo(question, sends),
    earlier: all.filter((q) => q.id !== questionId),
    notes,
  };
}
