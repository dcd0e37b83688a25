/**
 * One answer per question, whoever answers and however: two experts on the web, the web and email in
 * both orders and at once; and no reminder or escalation for a question that is answered.
 */
import type { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { questionRef } from '../../functions/app/console/questions';
import { sweepOpenQuestions } from '../../functions/app/inbound/sweep-open-questions';
import type { Subscriber } from '../../functions/domain/subscriber';
import { testApp } from '../support/app';
import {
  deliverEmailedAnswer,
  deliverQuestion,
  EXPERT,
  EXPERT2,
  signedInHeaders,
  storeActiveSubscriber,
} from '../support/console';
import { type MemoryDeps, memoryDeps } from '../support/memory/deps';

const HOUR = 3600_000;
const BACKUP = 'backup@example.com';
let m: MemoryDeps;
let app: Hono;
let ann: Subscriber;
let questionId: string;
let nowMs: number;
const start = Date.parse('2026-03-02T08:00:00.000Z');

beforeEach(async () => {
  m = memoryDeps({ BACKUP_ADDRESS: BACKUP });
  nowMs = start;
  m.deps.clock = { now: () => new Date(nowMs) };
  app = testApp(m.deps);
  ann = await storeActiveSubscriber(m.deps, { email: 'ann@example.com', firstName: 'Ann' });
  questionId = (await deliverQuestion(m.deps, ann, 'Should I follow up?')).questionId ?? '';
});

const page = () => `/console/q/${questionRef(m.deps, questionId)}`;
const answersToAnn = () =>
  m.mailer.sent.filter((e) => e.to === ann.email && e.tags.email === 'question-answer');
const sentOfKind = (kind: string) => m.mailer.sent.filter((e) => e.tags.email === kind);

async function answerOnWeb(who: string, answer: string, extra: Record<string, string> = {}) {
  return app.request(`${page()}/answer`, {
    method: 'POST',
    headers: { ...(await signedInHeaders(m.deps, who)), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ answer, ...extra }).toString(),
  });
}

describe('two answers to one question: one is sent, the other expert is told and shown the answer', () => {
  it('on the web: the second expert gets 409, the given answer, and their draft kept', async () => {
    const [pageOfOne, pageOfTwo] = await Promise.all(
      [EXPERT, EXPERT2].map(async (who) =>
        app.request(page(), { headers: await signedInHeaders(m.deps, who) }),
      ),
    );
    expect(await pageOfOne?.text()).toContain('name="answer"');
    expect(await pageOfTwo?.text()).toContain('name="answer"');
    expect((await answerOnWeb(EXPERT, 'A week is fine.')).status).toBe(303);
    const second = await answerOnWeb(EXPERT2, 'Wait two weeks.');
    expect(second.status).toBe(409);
    const html = await second.text();
    expect(html).toContain(
      '<strong>Not sent:</strong> expert answered this question while you were writing.',
    );
    expect(html).toContain('<blockquote class="answer">A week is fine.</blockquote>');
    expect(html).toContain('>Wait two weeks.</textarea>');
    expect(html).toContain('name="followUp" value="yes"');
    expect(answersToAnn().map((e) => e.text.split('\n')[0])).toEqual(['A week is fine.']);
  });

  it('a deliberate follow-up is sent in the same thread and noted on the question', async () => {
    await answerOnWeb(EXPERT, 'A week is fine.');
    const followUp = await answerOnWeb(EXPERT2, 'Also: keep it to one line.', { followUp: 'yes' });
    expect(followUp.status).toBe(303);
    expect(answersToAnn().map((e) => e.text.split('\n')[0])).toEqual([
      'A week is fine.',
      'Also: keep it to one line.',
    ]);
    expect(answersToAnn()[1]?.headers).toEqual(answersToAnn()[0]?.headers);
    expect(await m.deps.console.listNotes(questionId)).toEqual([
      expect.objectContaining({ kind: 'follow-up', author: EXPERT2, text: 'Also: keep it to one line.' }),
    ]);
  });

  it('web first, then email: the emailed answer is not sent; its author gets a short email with the given answer', async () => {
    await answerOnWeb(EXPERT, 'A week is fine.');
    const report = await deliverEmailedAnswer(m.deps, questionId, EXPERT2, 'Wait two weeks.');
    expect(report.outcome).toBe('already-answered');
    expect(answersToAnn()).toHaveLength(1);
    const [note, ...more] = sentOfKind('question-already-answered');
    expect(more).toEqual([]);
    expect(note?.to).toBe(EXPERT2);
    expect(note?.text).toContain(
      "Your answer to Ann's question was not sent: expert@example.com answered it first",
    );
    expect(note?.text).toContain('> A week is fine.');
  });

  it('email first, then web: the web answer is refused with 409 and shows the emailed answer', async () => {
    expect((await deliverEmailedAnswer(m.deps, questionId, EXPERT, 'A week is fine.')).outcome).toBe(
      'answered',
    );
    const response = await answerOnWeb(EXPERT2, 'Wait two weeks.');
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('<blockquote class="answer">A week is fine.</blockquote>');
    expect(answersToAnn()).toHaveLength(1);
  });

  it.each([
    ['web, then email', true],
    ['email, then web', false],
  ])(
    'at the same moment (%s started first): exactly one answer is sent, the other author is told',
    async (_label, webFirst) => {
      const web = () => answerOnWeb(EXPERT, 'From the web.');
      const mail = () => deliverEmailedAnswer(m.deps, questionId, EXPERT2, 'From email.');
      const [first, second] = webFirst
        ? await Promise.all([web(), mail()])
        : await Promise.all([mail(), web()]);
      const webResponse = (webFirst ? first : second) as Response;
      const mailReport = (webFirst ? second : first) as Awaited<ReturnType<typeof mail>>;
      expect(answersToAnn()).toHaveLength(1);
      const winner = (await m.questions.get(questionId))?.answeredBy;
      if (winner === EXPERT) {
        expect(webResponse.status).toBe(303);
        expect(mailReport.outcome).toBe('already-answered');
        expect(sentOfKind('question-already-answered').map((e) => e.to)).toEqual([EXPERT2]);
      } else {
        expect(winner).toBe(EXPERT2);
        expect(mailReport.outcome).toBe('answered');
        expect(webResponse.status).toBe(409);
      }
    },
  );
});

describe('the 24-hour promise never nags about an answered question', () => {
  it('reminds the assignee at 20 hours and tells the backup and every expert at 24', async () => {
    nowMs = start + 21 * HOUR;
    expect(await sweepOpenQuestions(m.deps)).toMatchObject({ reminded: 1, escalated: 0 });
    expect(sentOfKind('question-reminder').map((e) => e.to)).toEqual([EXPERT]);
    nowMs = start + 25 * HOUR;
    expect(await sweepOpenQuestions(m.deps)).toMatchObject({ reminded: 0, escalated: 1 });
    expect(sentOfKind('question-escalation').map((e) => e.to)).toEqual([BACKUP, EXPERT, EXPERT2]);
  });

  it('sends no reminder and no escalation for a question answered before they were due', async () => {
    nowMs = start + 19 * HOUR;
    await answerOnWeb(EXPERT2, 'Answered in time.');
    for (const hours of [21, 25, 48]) {
      nowMs = start + hours * HOUR;
      expect(await sweepOpenQuestions(m.deps)).toEqual({ reminded: 0, escalated: 0, failed: 0 });
    }
    expect([...sentOfKind('question-reminder'), ...sentOfKind('question-escalation')]).toEqual([]);
  });

  it.each([
    ['reminder', 21],
    ['escalation', 25],
  ])('sends no %s when the answer is recorded after the stamp but before the send', async (_kind, hours) => {
    const stamp = m.questions.markSla.bind(m.questions);
    m.questions.markSla = async (id, field, at) => {
      const stamped = await stamp(id, field, at);
      // The expert answers in the console in the very moment the sweep has stamped the question.
      await answerOnWeb(EXPERT, 'Just in time.');
      return stamped;
    };
    nowMs = start + hours * HOUR;
    expect(await sweepOpenQuestions(m.deps)).toEqual({ reminded: 0, escalated: 0, failed: 0 });
    expect([...sentOfKind('question-reminder'), ...sentOfKind('question-escalation')]).toEqual([]);
    expect(answersToAnn()).toHaveLength(1);
  });
});
