/**
 * A question in the console (`/console/q/<ref>`): the question and the subscriber's whole context, the
 * answer box (with saved replies), notes, taking it over, and the raw message one click away.
 */
import { type Context, Hono } from 'hono';
import { addNote, answerFromConsole, type ConsoleAnswerResult, takeQuestion } from '../app/console/answer';
import { type QuestionContext, questionContext, questionIdFromRef } from '../app/console/questions';
import type { Deps } from '../app/deps';
import { durationText, fillReplyFields, timeLeftText, urgency } from '../domain/console';
import type { SavedReply } from '../domain/console-records';
import type { SendRecord } from '../domain/ports';
import type { Question } from '../domain/questions';
import type { Staff } from '../domain/staff';
import { staffName } from '../domain/staff';
import type { ConsoleEnv } from './console-auth';
import { formFields } from './console-form';
import { consolePage, h, type Safe } from './console-layout';

/** What a question page shows besides the context: a notice, and the draft to put back in the box. */
interface PageState {
  notice?: Safe | undefined;
  draft?: string | undefined;
  status?: 200 | 400 | 404 | 409;
}

const dateTime = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function localNow(timeZone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
  }).format(now);
}

function emailTitle(deps: Deps, send: SendRecord): string {
  const email = deps.templates.manifest.emails.find((e) => e.key === send.key);
  const number = /-(\d+)$/.exec(send.key)?.[1];
  const label = `${email?.kind ?? send.key}${number ? ` ${number}` : ''}`;
  return `${label}: ${(email?.subject ?? send.key).replace(/\{\{[^}]*\}\}/g, '…')}`;
}

function questionBlock(ctx: QuestionContext, ref: string, deps: Deps): Safe {
  const q = ctx.question;
  const attachments =
    q.attachments.length === 0
      ? ''
      : h`<h3>Attachments (not forwarded)</h3><ul>${q.attachments.map((a) => h`<li>${a.name} (${Math.max(1, Math.round(a.size / 1024))} KB)</li>`)}</ul>`;
  const replied = ctx.repliedTo
    ? h`<p>In reply to ${ctx.repliedTo.certain ? '' : 'probably '}<strong>${emailTitle(deps, ctx.repliedTo.send)}</strong> (sent ${dateTime(ctx.repliedTo.send.sentAt)}).</p>`
    : '';
  return h`<section aria-labelledby="question-heading"><h2 id="question-heading">The question</h2>
<p class="meta">Subject “${q.subject || '(no subject)'}”, received ${dateTime(q.receivedAt)}. <a href="/console/q/${ref}/raw">Raw message</a></p>
${replied}<blockquote class="question-text">${q.text || '(no text)'}</blockquote>
${q.truncated ? h`<p class="hint">The message was longer; it was cut here.</p>` : ''}${attachments}</section>`;
}

function contextBlock(deps: Deps, ctx: QuestionContext, staff: Staff): Safe {
  const s = ctx.subscriber;
  if (!s) return h`<section><h2>The person</h2><p>This subscriber's data was erased.</p></section>`;
  const address = staff.roles.includes('operator') ? h`<dt>Address</dt><dd>${s.email}</dd>` : '';
  const sends = ctx.sends.map((send) => h`<li>${send.sentAt.slice(0, 10)}: ${emailTitle(deps, send)}</li>`);
  return h`<section aria-labelledby="person-heading"><h2 id="person-heading">The person</h2>
<dl class="context-facts"><dt>First name</dt><dd>${s.firstName}</dd><dt>Their time now</dt><dd>${localNow(s.timeZone, deps.clock.now())} (${s.timeZone})</dd>
<dt>Day of the course</dt><dd>${ctx.question.day}</dd>${address}</dl>
<h3>Emails they received</h3>${sends.length > 0 ? h`<ul>${sends}</ul>` : h`<p>None yet.</p>`}</section>`;
}

function earlierBlock(deps: Deps, ctx: QuestionContext): Safe {
  const checkIns = new Set(deps.steps.filter((s) => s.kind === 'checkin').map((s) => s.key));
  const item = (q: Question) =>
    h`<li><p class="meta">${dateTime(q.receivedAt)}, day ${q.day}</p><blockquote>${q.text || '(no text)'}</blockquote>
${q.answer ? h`<p class="meta">Answered by ${q.answeredBy ? staffName(q.answeredBy) : 'email'}:</p><blockquote class="answer">${q.answer}</blockquote>` : h`<p class="meta">${q.status === 'open' ? 'Not answered yet' : q.status}</p>`}</li>`;
  const isCheckIn = (q: Question) =>
    checkIns.has(ctx.sends.find((s) => q.references.some((r) => r.includes(s.messageId)))?.key ?? '');
  const replies = ctx.earlier.filter(isCheckIn);
  const others = ctx.earlier.filter((q) => !isCheckIn(q));
  return h`<section aria-labelledby="earlier-heading"><h2 id="earlier-heading">Earlier questions and answers</h2>
${others.length > 0 ? h`<ol class="history">${others.map(item)}</ol>` : h`<p>None.</p>`}
<h3>Their replies to check-ins</h3>${replies.length > 0 ? h`<ol class="history">${replies.map(item)}</ol>` : h`<p>None.</p>`}</section>`;
}

function notesBlock(ctx: QuestionContext, ref: string): Safe {
  const notes = ctx.notes.map(
    (n) =>
      h`<li><p class="meta">${n.kind === 'follow-up' ? 'Follow-up sent' : 'Note'} by ${staffName(n.author)}, ${dateTime(n.at)}</p><p class="pre">${n.text}</p></li>`,
  );
  return h`<section aria-labelledby="notes-heading"><h2 id="notes-heading">Internal notes</h2>
<p class="hint">Only the team sees these; they are never sent.</p>
${notes.length > 0 ? h`<ol class="history">${notes}</ol>` : ''}
<form class="stack" method="post" action="/console/q/${ref}/notes"><label for="note">Add a note</label>
<textarea id="note" name="note" rows="3" maxlength="5000" required></textarea><button type="submit" class="secondary">Add note</button></form></section>`;
}

function replyPicker(replies: SavedReply[], ref: string): Safe {
  if (replies.length === 0)
    return h`<p class="hint"><a href="/console/replies">Saved replies</a>: none yet.</p>`;
  return h`<form class="inline" method="get" action="/console/q/${ref}"><label for="reply">Saved reply</label>
<select id="reply" name="reply">${replies.map((r) => h`<option value="${r.id}">${r.title}</option>`)}</select>
<button type="submit" class="secondary">Use it</button></form>`;
}

function answerForm(ref: string, draft: string, followUp: boolean): Safe {
  return h`<form class="stack" method="post" action="/console/q/${ref}/answer">
<label for="answer">${followUp ? 'Follow-up (sent in the same thread)' : 'Your answer'}</label>
<p class="hint" id="answer-hint">Goes to them in their own email thread. Replace every [[fill in]] marker before sending.</p>
<textarea id="answer" name="answer" rows="10" maxlength="50000" aria-describedby="answer-hint" required>${draft}</textarea>
${followUp ? h`<input type="hidden" name="followUp" value="yes">` : ''}
<div class="actions"><button type="submit">${followUp ? 'Send follow-up' : 'Send answer'}</button>
<button type="submit" class="secondary" formaction="/console/replies/from-answer" formmethod="post">Save as a saved reply</button></div></form>`;
}

function answerBlock(ctx: QuestionContext, ref: string, draft: string, replies: SavedReply[]): Safe {
  const q = ctx.question;
  if (q.status === 'held')
    return h`<section><h2>Kept for review</h2><p>This message was not forwarded (${q.holdReason ?? 'held'}) and is not answered.</p></section>`;
  if (q.status === 'answered') {
    return h`<section aria-labelledby="answer-heading"><h2 id="answer-heading">The answer</h2>
<p class="meta">By ${q.answeredBy ? staffName(q.answeredBy) : 'email'}, ${q.answeredAt ? dateTime(q.answeredAt) : ''}, ${durationText(q.responseMs ?? 0)} after the question.</p>
<blockquote class="answer">${q.answer ?? ''}</blockquote>
<details${draft ? h` open` : ''}><summary>Send a follow-up</summary>${answerForm(ref, draft, true)}</details></section>`;
  }
  return h`<section aria-labelledby="answer-heading"><h2 id="answer-heading">Answer</h2>${replyPicker(replies, ref)}${answerForm(ref, draft, false)}</section>`;
}

function statusLine(deps: Deps, q: Question, ref: string, staff: Staff): Safe {
  if (q.status !== 'open') return h``;
  const state = urgency(q, deps.clock.now());
  const take =
    q.assignee === staff.email
      ? ''
      : h`<form class="inline" method="post" action="/console/q/${ref}/take"><button type="submit" class="secondary">Take it</button></form>`;
  return h`<p class="status ${state}"><span>${timeLeftText(q, deps.clock.now())}</span> · <span>with ${q.assignee ? staffName(q.assignee) : 'nobody yet'}</span> ${take}</p>`;
}

async function questionPage(
  c: Context<ConsoleEnv>,
  deps: Deps,
  ctx: QuestionContext,
  ref: string,
  state: PageState,
) {
  const staff = c.get('staff');
  const firstName = ctx.subscriber?.firstName ?? '(erased)';
  let draft = state.draft ?? '';
  const chosen = c.req.query('reply');
  // Read once: for the picker of an open question, and for the reply chosen in it.
  const replies = ctx.question.status === 'open' || chosen ? await deps.console.listSavedReplies() : [];
  if (!state.draft && chosen) {
    const reply = replies.find((r) => r.id === chosen);
    const fields = { firstName, day: String(ctx.question.day), expertName: staffName(staff.email) };
    if (reply) draft = fillReplyFields(reply.body, fields);
  }
  return consolePage(c, {
    title: `Question from ${firstName}`,
    staff,
    status: state.status ?? 200,
    body: h`<p><a href="/console/queue">← Queue</a></p><h1>Question from ${firstName}, day ${ctx.question.day}</h1>
${statusLine(deps, ctx.question, ref, staff)}${state.notice ?? ''}
<div class="question-layout"><div class="main-column">${questionBlock(ctx, ref, deps)}${answerBlock(ctx, ref, draft, replies)}${notesBlock(ctx, ref)}</div>
<div class="side-column">${contextBlock(deps, ctx, staff)}${earlierBlock(deps, ctx)}</div></div>`,
  });
}

function noticeFor(result: ConsoleAnswerResult): Safe {
  switch (result.kind) {
    case 'already-answered':
      return h`<div class="notice" role="alert"><p><strong>Not sent:</strong> ${result.question.answeredBy ? staffName(result.question.answeredBy) : 'someone'} answered this question while you were writing. They get one answer per question; the answer they got is below. Your text is kept in the follow-up box if you want to add something.</p></div>`;
    case 'needs-fill-in':
      return h`<div class="notice" role="alert"><p><strong>Not sent:</strong> replace ${result.markers.join(', ')} first.</p></div>`;
    case 'invalid':
      return h`<div class="notice" role="alert"><p><strong>Not sent:</strong> ${result.problem}</p></div>`;
    case 'subscriber-stopped':
      return h`<div class="notice" role="status"><p>Recorded, but not sent: this person has left the course.</p></div>`;
    default:
      return h`<div class="notice success" role="status"><p>Sent.</p></div>`;
  }
}

const SENT_NOTICES: Record<string, Safe> = {
  answer: h`<div class="notice success" role="status"><p>Your answer was sent in their thread.</p></div>`,
  'follow-up': h`<div class="notice success" role="status"><p>Your follow-up was sent in their thread.</p></div>`,
  note: h`<div class="notice success" role="status"><p>Note added.</p></div>`,
  taken: h`<div class="notice success" role="status"><p>The question is yours now.</p></div>`,
};

/** Sends the answer box's text; on success back to the page, else the page with why and the draft kept. */
async function postAnswer(c: Context<ConsoleEnv>, deps: Deps, ctx: QuestionContext): Promise<Response> {
  const fields = await formFields(c);
  const ref = c.req.param('ref') ?? '';
  const result = await answerFromConsole(deps, ctx.question.id, {
    text: fields.answer ?? '',
    expert: c.get('staff').email,
    followUp: fields.followUp === 'yes',
  });
  if (result.kind === 'sent' || result.kind === 'follow-up-sent') {
    return c.redirect(`/console/q/${ref}?done=${result.kind === 'sent' ? 'answer' : 'follow-up'}`, 303);
  }
  const fresh = (await questionContext(deps, ctx.question.id)) ?? ctx;
  const status = result.kind === 'already-answered' ? 409 : 400;
  return questionPage(c, deps, fresh, ref, { notice: noticeFor(result), draft: fields.answer ?? '', status });
}

/** The routes of one question; its reference in the URL must carry a valid MAC, else 404. */
export function questionRoutes(deps: Deps): Hono<ConsoleEnv> {
  const load = async (c: Context<ConsoleEnv>) => {
    const id = questionIdFromRef(deps, c.req.param('ref') ?? '');
    return id ? questionContext(deps, id) : undefined;
  };
  const missing = (c: Context<ConsoleEnv>) =>
    consolePage(c, {
      title: 'Not found',
      staff: c.get('staff'),
      status: 404,
      body: h`<h1>No such question</h1><p><a href="/console/queue">Back to the queue</a></p>`,
    });
  return new Hono<ConsoleEnv>()
    .get('/:ref', async (c) => {
      const ctx = await load(c);
      if (!ctx) return missing(c);
      return questionPage(c, deps, ctx, c.req.param('ref'), {
        notice: SENT_NOTICES[c.req.query('done') ?? ''],
      });
    })
    .get('/:ref/raw', async (c) => {
      const ctx = await load(c);
      if (!ctx) return missing(c);
      const raw = await deps.console.getRawMessage(ctx.question.id);
      return consolePage(c, {
        title: 'Raw message',
        staff: c.get('staff'),
        body: h`<p><a href="/console/q/${c.req.param('ref')}">← The question</a></p><h1>Raw message</h1>
${raw === undefined ? h`<p>The raw message was not kept.</p>` : h`<pre class="raw">${raw}</pre>`}`,
      });
    })
    .post('/:ref/answer', async (c) => {
      const ctx = await load(c);
      return ctx ? postAnswer(c, deps, ctx) : missing(c);
    })
    .post('/:ref/take', async (c) => {
      const ctx = await load(c);
      if (!ctx) return missing(c);
      const taken = await takeQuestion(deps, ctx.question.id, c.get('staff').email);
      return c.redirect(`/console/q/${c.req.param('ref')}${taken ? '?done=taken' : ''}`, 303);
    })
    .post('/:ref/notes', async (c) => {
      const ctx = await load(c);
      if (!ctx) return missing(c);
      const added = await addNote(
        deps,
        ctx.question.id,
        c.get('staff').email,
        (await formFields(c)).note ?? '',
      );
      return c.redirect(`/console/q/${c.req.param('ref')}${added ? '?done=note' : ''}`, 303);
    });
}
