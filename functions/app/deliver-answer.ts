import type { Question } from '../domain/questions';
import { isStopped } from '../domain/subscriber';
import type { Deps } from './deps';
import { composeAnswer } from './inbound/emails';
import { sendWithRetry } from './send-with-retry';

/** What became of an answer: sent, refused because another was recorded first, or kept but not sent. */
export type DeliveryOutcome = 'sent' | 'already-answered' | 'subscriber-stopped';

/**
 * The one way an answer reaches a subscriber, from email or the console: the answer and who gave it are
 * recorded by one conditional write that only an open question takes (so of two racing answers exactly
 * one is sent), then sent in the thread of the question. If the send fails the question opens again.
 */
export async function deliverAnswer(
  deps: Deps,
  question: Question,
  text: string,
  answeredBy: string,
): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  const answeredAt = now.toISOString();
  const responseMs = now.getTime() - Date.parse(question.receivedAt);
  if (!(await deps.questions.recordAnswer(question.id, text, answeredAt, responseMs, answeredBy))) {
    return 'already-answered';
  }
  const subscriber = await deps.store.get(question.subscriberId);
  if (!subscriber || isStopped(subscriber)) return 'subscriber-stopped';
  try {
    await sendWithRetry(deps, composeAnswer(deps, subscriber, question, text));
  } catch (error) {
    await deps.questions.reopen(question.id, answeredAt);
    throw error;
  }
  return 'sent';
}
