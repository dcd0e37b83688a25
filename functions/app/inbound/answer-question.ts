import { MAX_ANSWER_CHARS, type Question, splitQuestionId } from '../../domain/questions';
import { normaliseEmail } from '../../domain/subscriber';
import { verifyShortMac } from '../../domain/tokens';
import { deliverAnswer } from '../deliver-answer';
import type { Deps } from '../deps';
import { sendWithRetry } from '../send-with-retry';
import { composeAlreadyAnswered } from './emails';
import type { InboundReport, Routed } from './routed';

/**
 * An expert's reply to a question email: only from an expert (or the backup) address as the one address
 * in From, DMARC-aligned for that address's domain, only to a valid
 * answer address, only once per question. The answer (quotes stripped) is stored, the question closed
 * with its response time and who answered, and the answer sent to the subscriber in the thread of their
 * question. If the send fails the question opens again, so the answer is kept and the 24-hour sweep still
 * runs. A reply to a question answered already (by email or in the console) is not sent; its author is
 * told, with the answer that was given.
 */
export async function answerQuestion(
  deps: Deps,
  { mail, address, dmarcAligned }: Routed,
): Promise<InboundReport> {
  const questionId = address.id;
  if (!splitQuestionId(questionId) || !verifyShortMac(deps.keys, 'answer', questionId, address.mac)) {
    return { outcome: 'dropped', reason: 'bad-mac' };
  }
  const answerers = [...deps.settings.expertAddresses, deps.settings.backupAddress]
    .filter((a) => a !== '')
    .map(normaliseEmail);
  if (!mail.from || !answerers.includes(mail.from)) {
    return { outcome: 'dropped', reason: 'not-expert', questionId };
  }
  if (!dmarcAligned) return { outcome: 'dropped', reason: 'unauthenticated', questionId };
  const question = await deps.questions.get(questionId);
  if (!question) return { outcome: 'dropped', reason: 'unknown-question', questionId };
  const subscriberId = question.subscriberId;
  if (question.status === 'answered') return tellAlreadyAnswered(deps, question, mail.from);
  if (question.status !== 'open') return { outcome: 'dropped', reason: 'not-open', subscriberId, questionId };
  if (mail.text === '') return { outcome: 'dropped', reason: 'empty-answer', subscriberId, questionId };

  const outcome = await deliverAnswer(deps, question, mail.text.slice(0, MAX_ANSWER_CHARS), mail.from);
  if (outcome === 'already-answered') {
    const answered = await deps.questions.get(questionId);
    return tellAlreadyAnswered(deps, answered ?? question, mail.from);
  }
  if (outcome === 'subscriber-stopped') {
    return { outcome: 'answered', reason: 'not-sent-subscriber-stopped', subscriberId, questionId };
  }
  return { outcome: 'answered', subscriberId, questionId };
}

/**
 * A second answer by email to a question answered already is not sent: its author gets a short email
 * with the answer that was given (a deliberate follow-up is sent from the console).
 */
async function tellAlreadyAnswered(deps: Deps, question: Question, expert: string): Promise<InboundReport> {
  const ids = { subscriberId: question.subscriberId, questionId: question.id };
  if (question.status === 'answered') {
    const subscriber = await deps.store.get(question.subscriberId);
    await sendWithRetry(
      deps,
      composeAlreadyAnswered(deps, subscriber?.firstName ?? 'them', question, expert),
    );
  }
  return { outcome: 'already-answered', ...ids };
}
