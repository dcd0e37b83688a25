import { MAX_ANSWER_CHARS, splitQuestionId } from '../../domain/questions';
import { isStopped, normaliseEmail } from '../../domain/subscriber';
import { verifyShortMac } from '../../domain/tokens';
import type { Deps } from '../deps';
import { sendWithRetry } from '../send-with-retry';
import { composeAnswer } from './emails';
import type { InboundReport, Routed } from './routed';

/**
 * The expert's reply to a question email: only from the expert (or backup) address as the one address
 * in From, DMARC-aligned for that address's domain, only to a valid
 * answer address, only once per question. The answer (quotes stripped) is stored, the question closed
 * with its response time, and the answer sent to the subscriber in the thread of their question. If
 * the send fails the question opens again, so the answer is kept and the 24-hour sweep still runs.
 */
export async function answerQuestion(
  deps: Deps,
  { mail, address, dmarcAligned }: Routed,
): Promise<InboundReport> {
  const questionId = address.id;
  if (!splitQuestionId(questionId) || !verifyShortMac(deps.keys, 'answer', questionId, address.mac)) {
    return { outcome: 'dropped', reason: 'bad-mac' };
  }
  const answerers = [deps.settings.expertAddress, deps.settings.backupAddress]
    .filter((a) => a !== '')
    .map(normaliseEmail);
  if (!mail.from || !answerers.includes(mail.from)) {
    return { outcome: 'dropped', reason: 'not-expert', questionId };
  }
  if (!dmarcAligned) return { outcome: 'dropped', reason: 'unauthenticated', questionId };
  const question = await deps.questions.get(questionId);
  if (!question) return { outcome: 'dropped', reason: 'unknown-question', questionId };
  const subscriberId = question.subscriberId;
  if (question.status === 'answered') return { outcome: 'already-answered', subscriberId, questionId };
  if (question.status !== 'open') return { outcome: 'dropped', reason: 'not-open', subscriberId, questionId };
  if (mail.text === '') return { outcome: 'dropped', reason: 'empty-answer', subscriberId, questionId };

  const now = deps.clock.now();
  const answeredAt = now.toISOString();
  const responseMs = now.getTime() - Date.parse(question.receivedAt);
  const answer = mail.text.slice(0, MAX_ANSWER_CHARS);
  if (!(await deps.questions.recordAnswer(questionId, answer, answeredAt, responseMs))) {
    return { outcome: 'already-answered', subscriberId, questionId };
  }
  const subscriber = await deps.store.get(subscriberId);
  if (!subscriber || isStopped(subscriber)) {
    return { outcome: 'answered', reason: 'not-sent-subscriber-stopped', subscriberId, questionId };
  }
  try {
    await sendWithRetry(deps, composeAnswer(deps, subscriber, question, answer));
  } catch (error) {
    await deps.questions.reopen(questionId, answeredAt);
    throw error;
  }
  return { outcome: 'answered', subscriberId, questionId };
}
