/** What experts do on a question in the console: answer it, send a follow-up, take it over, note something. */
import { fillInMarkers } from '../../domain/console';
import { MAX_ANSWER_CHARS, type Question } from '../../domain/questions';
import { isStopped } from '../../domain/subscriber';
import { deliverAnswer } from '../deliver-answer';
import type { Deps } from '../deps';
import { composeAnswer } from '../inbound/emails';
import { sendWithRetry } from '../send-with-retry';

/** What became of an answer written in the console. */
export type ConsoleAnswerResult =
  | { kind: 'sent' }
  | { kind: 'follow-up-sent' }
  /** Someone answered first (after the page was loaded): nothing was sent; here is their answer. */
  | { kind: 'already-answered'; question: Question }
  | { kind: 'needs-fill-in'; markers: string[] }
  | { kind: 'invalid'; problem: string }
  | { kind: 'subscriber-stopped' };

function problemWith(text: string): string | undefined {
  if (text === '') return 'Write an answer first.';
  if (text.length > MAX_ANSWER_CHARS) return `An answer may be at most ${MAX_ANSWER_CHARS} characters.`;
  return undefined;
}

/**
 * Sends an answer written in the console, exactly as an emailed answer is sent. Markers like
 * `[[fill in]]` block it. A question answered in the meantime is not answered again, unless the expert
 * deliberately sends a follow-up (`followUp`), which goes in the same thread and is noted on the question.
 */
export async function answerFromConsole(
  deps: Deps,
  questionId: string,
  request: { text: string; expert: string; followUp: boolean },
): Promise<ConsoleAnswerResult> {
  const text = request.text.replace(/\r\n/g, '\n').trim();
  const problem = problemWith(text);
  if (problem) return { kind: 'invalid', problem };
  const markers = fillInMarkers(text);
  if (markers.length > 0) return { kind: 'needs-fill-in', markers };
  const question = await deps.questions.get(questionId);
  if (!question) return { kind: 'invalid', problem: 'There is no such question.' };
  if (question.status === 'answered') {
    return request.followUp
      ? sendFollowUp(deps, question, text, request.expert)
      : { kind: 'already-answered', question };
  }
  if (question.status !== 'open')
    return { kind: 'invalid', problem: 'This question was kept for review and is not answered.' };
  const outcome = await deliverAnswer(deps, question, text, request.expert);
  if (outcome === 'already-answered') {
    return { kind: 'already-answered', question: (await deps.questions.get(questionId)) ?? question };
  }
  deps.log.info('question answered in the console', { questionId });
  return outcome === 'sent' ? { kind: 'sent' } : { kind: 'subscriber-stopped' };
}

async function sendFollowUp(
  deps: Deps,
  question: Question,
  text: string,
  expert: string,
): Promise<ConsoleAnswerResult> {
  const subscriber = await deps.store.get(question.subscriberId);
  if (!subscriber || isStopped(subscriber)) return { kind: 'subscriber-stopped' };
  await sendWithRetry(deps, composeAnswer(deps, subscriber, question, text));
  await deps.console.addNote({
    id: deps.newId(),
    questionId: question.id,
    at: deps.clock.now().toISOString(),
    author: expert,
    kind: 'follow-up',
    text,
  });
  deps.log.info('follow-up sent from the console', { questionId: question.id });
  return { kind: 'follow-up-sent' };
}

/** Gives an open question to `expert` (taking it over from whoever had it); false when it is not open. */
export function takeQuestion(deps: Deps, questionId: string, expert: string): Promise<boolean> {
  return deps.questions.assign(questionId, expert);
}

/** Adds an internal note (never sent); false for an empty or overlong one. */
export async function addNote(
  deps: Deps,
  questionId: string,
  author: string,
  text: string,
): Promise<boolean> {
  const note = text.trim();
  if (note === '' || note.length > 5000) return false;
  await deps.console.addNote({
    id: deps.newId(),
    questionId,
    at: deps.clock.now().toISOString(),
    author,
    kind: 'note',
    text: note,
  });
  return true;
}
