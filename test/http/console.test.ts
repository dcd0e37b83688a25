/** The console's queue, question page, answers, saved replies, notes and figures, in process. */
import type { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { questionRef } from '../../functions/app/console/questions';
import type { Subscriber } from '../../functions/domain/subscriber';
import { testApp } from '../support/app';
import {
  deliverQuestion,
  EXPERT,
  EXPERT2,
  OPERATOR,
  signedInHeaders,
  storeActiveSubscriber,
} from '../support/console';
import { type MemoryDeps, memoryDeps } from '../support/memory/deps';

const HOUR = 3600_000;
let m: MemoryDeps;
let app: Hono;
let start: number;
let nowMs: number;
beforeEach(() => {
  m = memoryDeps();
  // A clock that stands still between moves, so durations on the pages are exact.
  start = Date.parse('2026-03-02T08:00:00.000Z');
  nowMs = start;
  m.deps.clock = { now: () => new Date(nowMs) };
  app = testApp(m.deps);
});

const later = (hours: number) => {
  nowMs = start + hours * HOUR;
};

async function get(path: string, who = EXPERT) {
  return app.request(path, { headers: await signedInHeaders(m.deps, who) });
}

async function post(path: string, fields: Record<string, string>, who = EXPERT) {
  return app.request(path, {
    method: 'POST',
    headers: { ...(await signedInHeaders(m.deps, who)), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

async function ask(subscriber: Subscriber, text: string, references: string[] = []): Promise<string> {
  const report = await deliverQuestion(m.deps, subscriber, text, references);
  expect(report.outcome).toBe('forwarded');
  return report.questionId ?? '';
}

const pathOf = (questionId: string) => `/console/q/${questionRef(m.deps, questionId)}`;
const answersTo = (email: string) =>
  m.mailer.sent.filter((e) => e.to === email && e.tags.email === 'question-answer');

describe('the queue', () => {
  it('lists open questions by deadline with time left, an at-risk mark from 4 hours before, name, day and first line', async () => {
    const ann = await storeActiveSubscriber(m.deps, { email: 'ann@example.com', firstName: 'Ann' });
    const bob = await storeActiveSubscriber(m.deps, { email: 'bob@example.com', firstName: 'Bob' });
    await ask(ann, 'How long should I wait?\nSecond line.');
    later(3);
    await ask(bob, 'Is silence a no?');
    later(21);
    const page = await (await get('/console/queue?view=open')).text();
    expect(page.indexOf('Ann')).toBeLessThan(page.indexOf('Bob'));
    expect(page).toMatch(
      /<li class="queue-row at-risk">.*Ann.*day 1[\s\S]*How long should I wait\?<\/span>[\s\S]*At risk<\/span> 3 h 0 min left/,
    );
    expect(page).not.toContain('Second line.');
    expect(page).toMatch(/<li class="queue-row ok">.*Bob[\s\S]*Is silence a no\?[\s\S]*6 h 0 min left/);
    later(25);
    expect(await (await get('/console/queue?view=open')).text()).toMatch(/Overdue<\/span> 1 h 0 min overdue/);
  });

  it('assigns new questions round-robin and notifies only the assignee; mine and unassigned views follow it', async () => {
    const ann = await storeActiveSubscriber(m.deps, { email: 'ann@example.com', firstName: 'Ann' });
    const ids = [await ask(ann, 'One?'), await ask(ann, 'Two?'), await ask(ann, 'Three?')];
    const assignees = await Promise.all(ids.map(async (id) => (await m.questions.get(id))?.assignee));
    expect(assignees).toEqual([EXPERT, EXPERT2, EXPERT]);
    const notified = m.mailer.sent.filter((e) => e.tags.email === 'question-expert');
    expect(notified.map((e) => e.to)).toEqual([EXPERT, EXPERT2, EXPERT]);
    expect(notified[1]?.text).toContain(
      `Or answer it in the console: http://localhost:3000${pathOf(ids[1] ?? '')}`,
    );
    const mine = await (await get('/console/queue?view=mine', EXPERT2)).text();
    expect(mine).toContain('Two?');
    expect(mine).not.toContain('One?');
    expect(await (await get('/console/queue?view=unassigned')).text()).toContain('Nothing here.');
  });

  it('lets anyone take a question over, and lists answered questions newest first', async () => {
    const ann = await storeActiveSubscriber(m.deps, { email: 'ann@example.com', firstName: 'Ann' });
    const first = await ask(ann, 'First?');
    const second = await ask(ann, 'Second?');
    expect((await post(`${pathOf(second)}/take`, {})).status).toBe(303);
    expect((await m.questions.get(second))?.assignee).toBe(EXPERT);
    later(1);
    await post(`${pathOf(first)}/answer`, { answer: 'One.' });
    later(2);
    await post(`${pathOf(second)}/answer`, { answer: 'Two.' }, EXPERT2);
    const answered = await (await get('/console/queue?view=answered')).text();
    expect(answered.indexOf('Second?')).toBeLessThan(answered.indexOf('First?'));
    expect(answered).toContain('answered in 2 h 0 min</span> <span class="assignee">by expert2');
  });
});

describe('a question page', () => {
  it('shows the question with its whole context; the address only to operators', async () => {
    const ann = await storeActiveSubscriber(m.deps, {
      email: 'ann@example.com',
      firstName: 'Ann',
      timeZone: 'Asia/Kolkata',
    });
    await m.store.recordSend(
      ann.id,
      { step: 0, key: 'welcome', messageId: 'ses-welcome-1', sentAt: new Date(start).toISOString() },
      {},
    );
    const earlier = await ask(ann, 'An earlier question?');
    await post(`${pathOf(earlier)}/answer`, { answer: 'An earlier answer.' });
    const id = await ask(ann, 'Should I follow up?\n\nOn Monday, Sam wrote:\n> the lesson', [
      '<ses-welcome-1@email.amazonses.com>',
    ]);
    const page = await (await get(pathOf(id))).text();
    expect(page).toContain('<blockquote class="question-text">Should I follow up?</blockquote>');
    expect(page).not.toContain('Sam wrote');
    expect(page).toMatch(/In reply to <strong>welcome/);
    expect(page).toMatch(/<dt>Their time now<\/dt><dd>[A-Z][a-z]+ \d\d:\d\d \(Asia\/Kolkata\)<\/dd>/);
    expect(page).toContain('<dt>Day of the course</dt><dd>1</dd>');
    expect(page).toMatch(/Emails they received<\/h3><ul><li>\d{4}-\d\d-\d\d: welcome/);
    expect(page).toContain('An earlier question?');
    expect(page).toContain('An earlier answer.');
    expect(page).toContain('<textarea id="answer" name="answer"');
    expect(page).not.toContain('ann@example.com');
    expect(await (await get(pathOf(id), OPERATOR)).text()).toContain(
      '<dt>Address</dt><dd>ann@example.com</dd>',
    );
    const raw = await (await get(`${pathOf(id)}/raw`)).text();
    expect(raw).toContain('On Monday, Sam wrote:');
    expect(raw).toContain('Message-ID: &lt;q');
  });

  it('keeps internal notes on the question and never sends them', async () => {
    const ann = await storeActiveSubscriber(m.deps, { email: 'ann@example.com', firstName: 'Ann' });
    const id = await ask(ann, 'Help?');
    const sent = m.mailer.sent.length;
    expect((await post(`${pathOf(id)}/notes`, { note: 'Asked the same last week <b>' })).status).toBe(303);
    expect(await (await get(pathOf(id), EXPERT2)).text()).toContain('Asked the same last week &lt;b&gt;');
    expect(m.mailer.sent.length).toBe(sent);
  });
});

describe('answering from the console', () => {
  it('sends the answer in the subscriber thread exactly as an emailed answer, recording response time and who answered', async () => {
    const ann = await storeActiveSubscriber(m.deps, { email: 'ann@example.com', firstName: 'Ann' });
    const id = await ask(ann, 'Should I wait?');
    const emailed = await ask(ann, 'And after that?');
    later(2);
    const response = await post(`${pathOf(id)}/answer`, { answer: 'A week is fine.' });
    expect(response.status).toBe(303);
    expect(await (await get(response.headers.get('location') ?? '')).text()).toContain(
      'Your answer was sent in their thread.',
    );
    const { deliverEmailedAnswer } = await import('../support/console');
    expect((await deliverEmailedAnswer(m.deps, emailed, EXPERT, 'Then one line.')).outcome).toBe('answered');
    const [web, mail] = answersTo('ann@example.com');
    const question = await m.questions.get(id);
    expect(question).toMatchObject({
      status: 'answered',
      answer: 'A week is fine.',
      answeredBy: EXPERT,
      responseMs: 2 * HOUR,
    });
    const shape = (e: typeof web) => ({
      subject: e?.subject,
      replyTo: e?.replyTo,
      headers: e?.headers.map((h) => h.name),
    });
    expect(shape(web)).toEqual(shape(mail));
    expect(web?.headers).toContainEqual({ name: 'In-Reply-To', value: question?.messageId });
    expect(web?.text).toBe(`A week is fine.\n\nYou wrote:\n> Should I wait?\n`);
  });

  it('refuses an answer with a [[fill in]] marker left, keeping the draft, and sends nothing', async () => {
    const ann = await storeActiveSubscriber(m.deps, { email: 'ann@example.com', firstName: 'Ann' });
    const id = await ask(ann, 'Help?');
    const response = await post(`${pathOf(id)}/answer`, { answer: 'Hi Ann, [[the company]] will call.' });
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('replace [[the company]] first');
    expect(page).toContain('>Hi Ann, [[the company]] will call.</textarea>');
    expect(answersTo('ann@example.com')).toEqual([]);
    expect((await m.questions.get(id))?.status).toBe('open');
  });
});

describe('saved replies', () => {
  it('fills {{fields}} from the context, and can be created from an answer, edited and deleted', async () => {
    const ann = await storeActiveSubscriber(m.deps, { email: 'ann@example.com', firstName: 'Ann' });
    const id = await ask(ann, 'Help?');
    const made = await post('/console/replies', {
      title: 'Silence',
      body: 'Hi {{firstName}}, day {{day}}: [[fill in]]. {{expertName}}',
    });
    expect(made.status).toBe(303);
    const [reply] = await m.deps.console.listSavedReplies();
    const page = await (await get(`${pathOf(id)}?reply=${reply?.id}`)).text();
    expect(page).toContain('>Hi Ann, day 1: [[fill in]]. expert</textarea>');
    await post('/console/replies/from-answer', { answer: 'Keep going, one line is enough.' });
    expect((await m.deps.console.listSavedReplies()).map((r) => r.title)).toEqual([
      'Keep going, one line is enough.',
      'Silence',
    ]);
    await post(
      `/console/replies/${reply?.id}`,
      { title: 'Silence (edited)', body: 'Hello {{firstName}}' },
      EXPERT2,
    );
    expect(await m.deps.console.listSavedReplies()).toContainEqual(
      expect.objectContaining({ title: 'Silence (edited)', body: 'Hello {{firstName}}', updatedBy: EXPERT2 }),
    );
    await post(`/console/replies/${reply?.id}/delete`, {});
    expect((await m.deps.console.listSavedReplies()).map((r) => r.title)).toEqual([
      'Keep going, one line is enough.',
    ]);
    const empty = await post('/console/replies', { title: 'x', body: '  ' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('A saved reply needs some text.');
  });
});

describe('figures of the 24-hour promise', () => {
  it('counts answered, median and p90 time, share within 24 hours, open and overdue, per expert and for everyone', async () => {
    const ann = await storeActiveSubscriber(m.deps, { email: 'ann@example.com', firstName: 'Ann' });
    const q = [await ask(ann, 'A?'), await ask(ann, 'B?'), await ask(ann, 'C?'), await ask(ann, 'D?')];
    later(2);
    await post(`${pathOf(q[0] ?? '')}/answer`, { answer: 'a' });
    later(30);
    await post(`${pathOf(q[1] ?? '')}/answer`, { answer: 'b' }, EXPERT2);
    const page = await (await get('/console/figures')).text();
    const row = (caption: string, who: string) =>
      page
        .split(`<caption>${caption}</caption>`)[1]
        ?.match(new RegExp(`<th scope="row">${who}</th>(.*?)</tr>`))?.[1];
    expect(row('Last 7 days', 'Everyone')).toBe(
      '<td>2</td><td>2 h 0 min</td><td>30 h 0 min</td><td>50 %</td><td>2</td><td>2</td>',
    );
    // Round-robin: A and C went to expert, B and D to expert2; C and D are open and overdue.
    expect(row('Last 7 days', 'expert')).toBe(
      '<td>1</td><td>2 h 0 min</td><td>2 h 0 min</td><td>100 %</td><td>1</td><td>1</td>',
    );
    expect(row('Last 30 days', 'expert2')).toBe(
      '<td>1</td><td>30 h 0 min</td><td>30 h 0 min</td><td>0 %</td><td>1</td><td>1</td>',
    );
  });
});

describe('long answers', () => {
  it('sends an answer of 20,000 characters (over the site-wide 16 KB body limit), and names the limit past 50,000', async () => {
    const ann = await storeActiveSubscriber(m.deps, { email: 'ann@example.com', firstName: 'Ann' });
    const id = await ask(ann, 'Can you review my whole letter?');
    const long = `${'Keep it short. '.repeat(1400)}End.`;
    expect(long.length).toBeGreaterThan(20_000);
    expect((await post(`${pathOf(id)}/answer`, { answer: long })).status).toBe(303);
    expect(answersTo('ann@example.com')[0]?.text.startsWith(long)).toBe(true);
    const other = await ask(ann, 'And another?');
    const tooLong = await post(`${pathOf(other)}/answer`, { answer: 'x'.repeat(50_001) });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('An answer may be at most 50000 characters.');
  });
});
