/**
 * The transactional emails of the question loop, generated in code (they are not course steps):
 * plain text plus simple HTML in which every value is escaped.
 */

import { threadReferences } from '../../domain/mail-bounds';
import type { OutgoingEmail, SendRecord } from '../../domain/ports';
import { type AttachmentNote, ESCALATE_AFTER_MS, type Question, replySubject } from '../../domain/questions';
import { escapeHtml } from '../../domain/render';
import type { Subscriber } from '../../domain/subscriber';
import { shortMac } from '../../domain/tokens';
import { replyAddress } from '../compose-email';
import { questionRef } from '../console/questions';
import type { Deps } from '../deps';

type ComposeDeps = Pick<Deps, 'keys' | 'settings' | 'templates'>;

/** The address the expert answers a question at; its MAC stops anyone from answering in the expert's name. */
export function answerAddress(deps: Pick<Deps, 'keys' | 'settings'>, questionId: string): string {
  return `answer+${questionId}.${shortMac(deps.keys, 'answer', questionId)}@${deps.settings.replyDomain}`;
}

/** Where the question is in the console (the link signs in first when there is no session). */
function inConsole(deps: ComposeDeps, question: Question): string {
  return `Or answer it in the console: ${deps.settings.siteUrl}/console/q/${questionRef(deps, question.id)}`;
}

/** Text blocks: a paragraph per blank-line-separated block; lines kept. */
function html(blocks: string[]): string {
  const paragraphs = blocks.map((block) => `<p>${escapeHtml(block).replace(/\n/g, '<br>')}</p>`).join('\n');
  return `<!doctype html><html><body style="font-family:Arial,sans-serif;font-size:15px;line-height:1.5;color:#222">\n${paragraphs}\n</body></html>`;
}

function text(blocks: string[]): string {
  return `${blocks.join('\n\n')}\n`;
}

/** Headers that put our email in the thread of the subscriber's message. */
function threadHeaders(question: Pick<Question, 'messageId' | 'references'>): OutgoingEmail['headers'] {
  const refs = threadReferences(question);
  return [
    ...(question.messageId ? [{ name: 'In-Reply-To', value: question.messageId }] : []),
    ...(refs.length > 0 ? [{ name: 'References', value: refs.join(' ') }] : []),
  ];
}

/** RFC 3834: marks our automatic mail so the other side's auto-responders stay quiet (no loops). */
const AUTO_REPLIED = { name: 'Auto-Submitted', value: 'auto-replied' };
const AUTO_GENERATED = { name: 'Auto-Submitted', value: 'auto-generated' };

function utc(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function attachmentLines(attachments: AttachmentNote[]): string[] {
  if (attachments.length === 0) return [];
  const list = attachments.map(
    (a) => `- ${a.name} (${a.type}, ${Math.max(1, Math.round(a.size / 1024))} KB)`,
  );
  return [`Attachments (not forwarded; ask them to paste the text if you need it):\n${list.join('\n')}`];
}

function quoted(value: string): string {
  return value
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/**
 * An automatic note to the subscriber in the thread of their own message: a greeting, one paragraph, the
 * sender's name, marked auto-replied so that their mail program's own auto-reply does not answer it.
 */
function noteInThread(
  deps: ComposeDeps,
  subscriber: Subscriber,
  thread: Pick<Question, 'messageId' | 'references' | 'subject'>,
  note: { paragraph: string; email: string; replyTo?: string },
): OutgoingEmail {
  const blocks = [`Hi ${subscriber.firstName},`, note.paragraph, `${deps.settings.senderName}`];
  return {
    to: subscriber.email,
    subject: replySubject(thread.subject),
    text: text(blocks),
    html: html(blocks),
    ...(note.replyTo ? { replyTo: note.replyTo } : {}),
    headers: [...threadHeaders(thread), AUTO_REPLIED],
    tags: { subscriber: subscriber.id, email: note.email },
  };
}

/** The short "your question arrived" note to the subscriber, in the thread of their message. */
export function composeAcknowledgement(
  deps: ComposeDeps,
  subscriber: Subscriber,
  question: Question,
): OutgoingEmail {
  return noteInThread(deps, subscriber, question, {
    paragraph:
      'Your question arrived and is with our expert now. You will get a personal answer within 24 hours, right here in this email thread.',
    email: 'question-ack',
    replyTo: replyAddress(deps, subscriber.id),
  });
}

/** Context for the expert: the emails the subscriber has had and their earlier questions and answers. */
export interface QuestionContext {
  sends: SendRecord[];
  earlier: Question[];
}

function subjectOf(deps: ComposeDeps, key: string, firstName: string): string {
  const email = deps.templates.manifest.emails.find((e) => e.key === key);
  return (email?.subject ?? key).replace(/\{\{\s*firstName\s*\}\}/g, firstName).replace(/\{\{[^}]*\}\}/g, '');
}

function contextBlocks(
  deps: ComposeDeps,
  subscriber: Subscriber,
  question: Question,
  context: QuestionContext,
) {
  const sent =
    context.sends.length > 0
      ? context.sends
          .map((send) => `- ${send.sentAt.slice(0, 10)} ${subjectOf(deps, send.key, subscriber.firstName)}`)
          .join('\n')
      : '- none yet';
  const earlier = context.earlier
    .filter((q) => q.id !== question.id)
    .slice(-5)
    .map(
      (q) =>
        `${q.receivedAt.slice(0, 10)} they asked:\n${quoted(q.text || '(no text)')}\n${
          q.answer
            ? `You answered:\n${quoted(q.answer)}`
            : `(${q.status === 'open' ? 'not answered yet' : q.status})`
        }`,
    );
  return [
    `First name: ${subscriber.firstName}\nDay of the course: ${question.day}\nTime zone: ${subscriber.timeZone}`,
    `Emails they have had:\n${sent}`,
    earlier.length > 0 ? `Earlier questions:\n\n${earlier.join('\n\n')}` : 'Earlier questions: none',
  ];
}

function questionBlocks(question: Question): string[] {
  return [
    `Their question (subject "${question.subject}"):`,
    question.text || '(no text)',
    ...(question.truncated ? ['(The message was longer; it was cut here.)'] : []),
    ...attachmentLines(question.attachments),
  ];
}

/** The question as the expert gets it: from our own address, with context, answerable by replying. */
export function composeExpertEmail(
  deps: ComposeDeps,
  subscriber: Subscriber,
  question: Question,
  context: QuestionContext,
): OutgoingEmail {
  const due = new Date(Date.parse(question.receivedAt) + ESCALATE_AFTER_MS).toISOString();
  const blocks = [
    `${subscriber.firstName} (day ${question.day} of the course) has a question. Reply to this email to answer: your reply goes to them in their own email thread, without the quoted text below it. Please answer by ${utc(due)}. ${inConsole(deps, question)}`,
    ...questionBlocks(question),
    '--- Context ---',
    ...contextBlocks(deps, subscriber, question, context),
  ];
  return {
    to: question.assignee ?? deps.settings.expertAddress,
    subject: `Question from ${subscriber.firstName} (day ${question.day}): ${question.subject || '(no subject)'}`,
    text: text(blocks),
    html: html(blocks),
    replyTo: answerAddress(deps, question.id),
    headers: [AUTO_GENERATED],
    tags: { subscriber: subscriber.id, email: 'question-expert' },
  };
}

/** The expert's answer, to the subscriber, in the thread of their question. */
export function composeAnswer(
  deps: ComposeDeps,
  subscriber: Subscriber,
  question: Question,
  answer: string,
): OutgoingEmail {
  const blocks = [answer, `You wrote:\n${quoted(question.text || '(no text)')}`];
  return {
    to: subscriber.email,
    subject: replySubject(question.subject),
    text: text(blocks),
    html: html(blocks),
    replyTo: replyAddress(deps, subscriber.id),
    headers: threadHeaders(question),
    tags: { subscriber: subscriber.id, email: 'question-answer' },
  };
}

/** The one reminder at 20 hours, to the expert the question is with. */
export function composeReminder(
  deps: ComposeDeps,
  subscriber: Subscriber,
  question: Question,
): OutgoingEmail {
  const due = new Date(Date.parse(question.receivedAt) + ESCALATE_AFTER_MS).toISOString();
  const blocks = [
    `Reminder: ${subscriber.firstName}'s question (day ${question.day}) arrived ${utc(question.receivedAt)} and is not answered yet. The 24-hour promise runs out at ${utc(due)}. Reply to this email to answer. ${inConsole(deps, question)}`,
    ...questionBlocks(question),
  ];
  return {
    to: question.assignee ?? deps.settings.expertAddress,
    subject: `Reminder: answer ${subscriber.firstName} by ${utc(due)}`,
    text: text(blocks),
    html: html(blocks),
    replyTo: answerAddress(deps, question.id),
    headers: [AUTO_GENERATED],
    tags: { subscriber: subscriber.id, email: 'question-reminder' },
  };
}

/** The escalation at 24 hours, to `to` (the backup address and every expert), who may all answer it. */
export function composeEscalation(
  deps: ComposeDeps,
  subscriber: Subscriber,
  question: Question,
  context: QuestionContext,
  to: string,
): OutgoingEmail {
  const blocks = [
    `A question has waited 24 hours without an answer (received ${utc(question.receivedAt)}). The promise to ${subscriber.firstName} is broken unless someone answers now. Reply to this email to answer: the reply goes to them in their own thread. ${inConsole(deps, question)}`,
    ...questionBlocks(question),
    '--- Context ---',
    ...contextBlocks(deps, subscriber, question, context),
  ];
  return {
    to,
    subject: `Overdue: ${subscriber.firstName}'s question has waited 24 hours`,
    text: text(blocks),
    html: html(blocks),
    replyTo: answerAddress(deps, question.id),
    headers: [AUTO_GENERATED],
    tags: { subscriber: subscriber.id, email: 'question-escalation' },
  };
}

/** The polite note to someone who unsubscribed and writes in (at most one a day). */
export function composeUnsubscribedNote(
  deps: ComposeDeps,
  subscriber: Subscriber,
  thread: Pick<Question, 'messageId' | 'references' | 'subject'>,
): OutgoingEmail {
  return noteInThread(deps, subscriber, thread, {
    paragraph:
      'Thank you for writing. Questions to our expert are part of the course for current subscribers, and you have unsubscribed, so your message was not passed on. We will not email you again unless you write to us.',
    email: 'question-unsubscribed',
  });
}

/** To an expert whose answer arrived after another: not sent, and here is the answer that was. */
export function composeAlreadyAnswered(
  deps: ComposeDeps,
  firstName: string,
  question: Question,
  expert: string,
): OutgoingEmail {
  const answeredBy = question.answeredBy ?? '';
  const by = answeredBy === expert ? 'you' : answeredBy.includes('@') ? answeredBy : 'another expert';
  const blocks = [
    `Your answer to ${firstName}'s question was not sent: ${by} answered it first${question.answeredAt ? `, at ${utc(question.answeredAt)}` : ''}, and ${firstName} gets one answer per question.`,
    `The answer they got:\n${quoted(question.answer ?? '')}`,
    `To add something, send a follow-up from the console: ${deps.settings.siteUrl}/console/queue?view=answered`,
  ];
  return {
    to: expert,
    subject: `Already answered: ${replySubject(question.subject)}`,
    text: text(blocks),
    html: html(blocks),
    headers: [AUTO_GENERATED],
    tags: { email: 'question-already-answered' },
  };
}
