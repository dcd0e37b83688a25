import {
  ACK_WINDOW_MS,
  courseDay,
  type HoldReason,
  type InboundMail,
  MAX_QUESTION_CHARS,
  QUESTION_LIMIT_WINDOW_MS,
  type Question,
  questionIdFor,
  UNSUBSCRIBED_NOTE_WINDOW_MS,
} from '../../domain/questions';
import type { Subscriber } from '../../domain/subscriber';
import { verifyShortMac } from '../../domain/tokens';
import { nextAssignee } from '../assign';
import type { Deps } from '../deps';
import { sendWithRetry } from '../send-with-retry';
import { composeAcknowledgement, composeExpertEmail, composeUnsubscribedNote } from './emails';
import type { InboundReport, Routed } from './routed';

/** Questions are for current subscribers: one polite note a day to someone who unsubscribed, nothing more. */
async function noteUnsubscribed(
  deps: Deps,
  subscriber: Subscriber,
  mail: InboundMail,
  now: Date,
): Promise<InboundReport> {
  const subscriberId = subscriber.id;
  const allowed = await deps.questions.takeAllowance(
    subscriberId,
    'unsubscribed-note',
    now,
    UNSUBSCRIBED_NOTE_WINDOW_MS,
  );
  if (!allowed) return { outcome: 'dropped', reason: 'unsubscribed', subscriberId };
  const thread = { messageId: mail.messageId, references: mail.references, subject: mail.subject };
  await sendWithRetry(deps, composeUnsubscribedNote(deps, subscriber, thread));
  return { outcome: 'noted', reason: 'unsubscribed', subscriberId };
}

/** Raw messages kept for the console are cut to this many bytes: an item holds 400 KB. */
const MAX_RAW_BYTES = 300_000;

/** Keeps the raw message for the console's "raw" view; losing it must not stop the question. */
async function keepRaw(deps: Deps, questionId: string, raw: Uint8Array): Promise<void> {
  try {
    await deps.console.keepRawMessage(
      questionId,
      Buffer.from(raw).subarray(0, MAX_RAW_BYTES).toString('utf8'),
    );
  } catch (error) {
    deps.log.warn('raw message not kept', { questionId, error: (error as Error).name });
  }
}

/**
 * Why a reply is kept instead of forwarded, if it is. The daily limit is checked last and atomically
 * (one conditional counter per subscriber and day), so only mail that would be forwarded takes a slot
 * and replies arriving at once never forward more than the limit.
 */
async function holdReasonFor(
  deps: Deps,
  subscriberId: string,
  mail: InboundMail,
  authenticated: boolean,
  now: Date,
): Promise<HoldReason | undefined> {
  if (!authenticated) return 'unauthenticated';
  if (mail.text === '' && mail.attachments.length === 0) return mail.damaged ? 'unreadable' : 'empty';
  const { questionsPerDay } = deps.settings;
  const free = await deps.questions.takeQuestionSlot(
    subscriberId,
    now,
    QUESTION_LIMIT_WINDOW_MS,
    questionsPerDay,
  );
  return free ? undefined : 'over-limit';
}

/** The question as it is stored: the fields from mail are bounded already (see `boundedMail`), the text is cut here. */
function questionFrom(
  id: string,
  subscriber: Subscriber,
  mail: InboundMail,
  now: Date,
  holdReason: HoldReason | undefined,
): Question {
  return {
    id,
    subscriberId: subscriber.id,
    receivedAt: now.toISOString(),
    status: holdReason ? 'held' : 'open',
    holdReason,
    day: courseDay(subscriber, now),
    subject: mail.subject,
    text: mail.text.slice(0, MAX_QUESTION_CHARS),
    truncated: mail.text.length > MAX_QUESTION_CHARS,
    attachments: mail.attachments,
    messageId: mail.messageId,
    references: mail.references,
  };
}

/**
 * A subscriber's reply to a course email: stored as a question with their course day and the message's
 * ids and raw message, assigned to an expert (round-robin) and forwarded to them with context, and
 * acknowledged in the subscriber's thread (at most once an hour). Mail that fails SPF and DKIM, carries no text, or goes over the daily limit is kept and
 * marked, not forwarded. Someone who unsubscribed gets one polite note a day and nothing reaches the expert.
 */
export async function receiveReply(
  deps: Deps,
  { mail, address, messageKey, authenticated, raw }: Routed,
): Promise<InboundReport> {
  if (!verifyShortMac(deps.keys, 'reply', address.id, address.mac)) {
    return { outcome: 'dropped', reason: 'bad-mac' };
  }
  const subscriber = await deps.store.get(address.id);
  if (!subscriber) return { outcome: 'dropped', reason: 'unknown-subscriber' };
  const subscriberId = subscriber.id;
  const now = deps.clock.now();
  if (subscriber.status === 'unsubscribed') return noteUnsubscribed(deps, subscriber, mail, now);
  if (subscriber.status !== 'active' && subscriber.status !== 'completed') {
    return { outcome: 'dropped', reason: `subscriber-${subscriber.status}`, subscriberId };
  }

  const id = questionIdFor(subscriberId, messageKey);
  const earlier = await deps.questions.listForSubscriber(subscriberId);
  if (earlier.some((q) => q.id === id)) return { outcome: 'duplicate', subscriberId, questionId: id };
  const holdReason = await holdReasonFor(deps, subscriberId, mail, authenticated, now);
  const question: Question = {
    ...questionFrom(id, subscriber, mail, now, holdReason),
    assignee: holdReason ? undefined : await nextAssignee(deps),
  };
  if (!(await deps.questions.add(question))) return { outcome: 'duplicate', subscriberId, questionId: id };
  if (raw) await keepRaw(deps, id, raw);
  if (holdReason) return { outcome: 'held', reason: holdReason, subscriberId, questionId: id };

  const sends = await deps.store.listSends(subscriberId);
  const forwarded = await sendWithRetry(
    deps,
    composeExpertEmail(deps, subscriber, question, { sends, earlier }),
  );
  await deps.questions.markForwarded(id, forwarded.messageId);
  if (await deps.questions.takeAllowance(subscriberId, 'ack', now, ACK_WINDOW_MS)) {
    await sendWithRetry(deps, composeAcknowledgement(deps, subscriber, question));
  }
  return { outcome: 'forwarded', subscriberId, questionId: id };
}
