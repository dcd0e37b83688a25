/** What every `QuestionStore` promises, whatever keeps the data. */
import { describe, expect, it } from 'vitest';
import { MalformedCursorError } from '../../functions/adapters/dynamo-document';
import type { QuestionStore } from '../../functions/domain/ports';
import { at, type MakePorts, question, winners } from './ports';

/** Every open question id received by `receivedBy`, page after page. */
async function walkOpen(store: QuestionStore, receivedBy: string) {
  const ids: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listOpen(receivedBy, cursor);
    ids.push(...page.ids);
    pageSizes.push(page.ids.length);
    cursor = page.cursor;
  } while (cursor);
  return { ids, pageSizes };
}

const HOUR = 3600_000;

function storing(make: MakePorts): void {
  it('stores a question once: the same message again is refused and the first kept', async () => {
    const { questions } = await make();
    const first = question('ann', 'm1');
    expect(await questions.add(first)).toBe(true);
    expect(await questions.add({ ...first, text: 'again' })).toBe(false);
    expect(await questions.get(first.id)).toEqual(first);
    expect(await questions.get(question('ann', 'other').id)).toBeUndefined();
  });

  it('stores exactly one of several racing deliveries of one message', async () => {
    const { questions } = await make();
    const q = question('ann', 'm1');
    expect(await winners([questions.add(q), questions.add(q), questions.add(q)], true)).toBe(1);
  });

  it('refuses a question id that is not one of ours, by name, and finds nothing under it', async () => {
    const { questions } = await make();
    await expect(questions.add({ ...question('ann', 'm1'), id: 'not an id' })).rejects.toThrow(
      'malformed question id',
    );
    expect(await questions.get('not an id')).toBeUndefined();
    expect(await questions.markSla('not an id', 'remindedAt', at(1))).toBe(false);
  });

  it("lists a subscriber's questions oldest first, and nobody else's", async () => {
    const { questions } = await make();
    await questions.add(question('ann', 'late', 30));
    await questions.add(question('bob', 'b', 10));
    await questions.add(question('ann', 'early', 5));
    expect((await questions.listForSubscriber('ann')).map((q) => q.text)).toEqual([
      'Question early',
      'Question late',
    ]);
    expect(await questions.listForSubscriber('cat')).toEqual([]);
  });

  it('notes the message id the question was forwarded with', async () => {
    const { questions } = await make();
    const q = question('ann', 'm1');
    await questions.add(q);
    await questions.markForwarded(q.id, 'ses-1');
    expect((await questions.get(q.id))?.forwardedMessageId).toBe('ses-1');
  });
}

function answersAndReminders(make: MakePorts): void {
  it('answers an open question once, and closes it', async () => {
    const { questions } = await make();
    const q = question('ann', 'm1');
    await questions.add(q);
    expect(await questions.recordAnswer(q.id, 'Keep going.', at(60), HOUR, 'expert@example.com')).toBe(true);
    expect(await questions.recordAnswer(q.id, 'Again.', at(70), HOUR, 'expert2@example.com')).toBe(false);
    expect(await questions.get(q.id)).toEqual({
      ...q,
      status: 'answered',
      answer: 'Keep going.',
      answeredAt: at(60),
      responseMs: HOUR,
      answeredBy: 'expert@example.com',
    });
    expect((await walkOpen(questions, at(120))).ids).toEqual([]);
  });

  it('keeps exactly one of several racing answers', async () => {
    const { questions } = await make();
    const q = question('ann', 'm1');
    await questions.add(q);
    const answers = ['one', 'two', 'three'];
    const results = await Promise.all(
      answers.map((a) => questions.recordAnswer(q.id, a, at(60), HOUR, 'expert@example.com')),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await questions.get(q.id))?.answer).toBe(answers[results.indexOf(true)]);
  });

  it('answers no held question and no unknown one', async () => {
    const { questions } = await make();
    const held = {
      ...question('ann', 'm1'),
      status: 'held' as const,
      holdReason: 'unauthenticated' as const,
    };
    await questions.add(held);
    expect(await questions.recordAnswer(held.id, 'No.', at(60), HOUR, 'expert@example.com')).toBe(false);
    expect(
      await questions.recordAnswer(question('ann', 'none').id, 'No.', at(60), HOUR, 'expert@example.com'),
    ).toBe(false);
    expect((await walkOpen(questions, at(120))).ids).toEqual([]);
  });

  it('reopens a question whose answer could not be sent, only for that answer', async () => {
    const { questions } = await make();
    const q = question('ann', 'm1');
    await questions.add(q);
    await questions.recordAnswer(q.id, 'Keep going.', at(60), HOUR, 'expert@example.com');
    await questions.reopen(q.id, at(59));
    expect((await questions.get(q.id))?.status).toBe('answered');
    await questions.reopen(q.id, at(60));
    const reopened = await questions.get(q.id);
    expect(reopened).toMatchObject({ status: 'open' });
    expect(reopened?.answeredAt).toBeUndefined();
    expect(reopened?.responseMs).toBeUndefined();
    expect((await walkOpen(questions, at(120))).ids).toEqual([q.id]);
    expect(await questions.recordAnswer(q.id, 'Second try.', at(90), HOUR, 'expert@example.com')).toBe(true);
  });

  it('stamps a reminder once, on open questions only, and again once the stamp is taken back', async () => {
    const { questions } = await make();
    const q = question('ann', 'm1');
    await questions.add(q);
    const remind = () => questions.markSla(q.id, 'remindedAt', at(20));
    expect(await winners([remind(), remind(), remind()], true)).toBe(1);
    expect(await questions.markSla(q.id, 'escalatedAt', at(24))).toBe(true);
    expect(await questions.get(q.id)).toMatchObject({ remindedAt: at(20), escalatedAt: at(24) });
    await questions.clearSla(q.id, 'remindedAt');
    expect((await questions.get(q.id))?.remindedAt).toBeUndefined();
    expect(await remind()).toBe(true);
    await questions.recordAnswer(q.id, 'Done.', at(30), HOUR, 'expert@example.com');
    await questions.clearSla(q.id, 'escalatedAt');
    expect(await questions.markSla(q.id, 'escalatedAt', at(40))).toBe(false);
    expect(await questions.markSla(question('ann', 'none').id, 'remindedAt', at(40))).toBe(false);
  });
}

function openListAndAllowances(make: MakePorts): void {
  it('lists the open questions received by a time, oldest first, and not the held ones', async () => {
    const { questions } = await make();
    const late = question('ann', 'late', 90);
    const second = question('bob', 'second', 20);
    const first = question('ann', 'first', 10);
    for (const q of [late, second, first]) await questions.add(q);
    await questions.add({ ...question('cat', 'held', 5), status: 'held', holdReason: 'empty' });
    expect((await walkOpen(questions, at(60))).ids).toEqual([first.id, second.id]);
  });

  it('pages through more open questions than one page holds, each once, oldest first', async () => {
    const { questions } = await make();
    const all = Array.from({ length: 110 }, (_, i) => question(`s${i % 9}`, `m${i}`, i));
    for (const q of all) await questions.add(q);
    const { ids, pageSizes } = await walkOpen(questions, at(200));
    expect(pageSizes[0]).toBe(100);
    expect(ids).toEqual(all.map((q) => q.id));
  });

  it('refuses, by name, an open-questions cursor it did not hand out', async () => {
    const { questions } = await make();
    await expect(questions.listOpen(at(0), 'not a cursor')).rejects.toThrow(MalformedCursorError);
  });

  it('gives one allowance of a kind per subscriber per window, again once the window has passed', async () => {
    const { questions } = await make();
    const now = new Date(at(0));
    const later = (minutes: number) => new Date(at(minutes));
    expect(await questions.takeAllowance('ann', 'ack', now, HOUR)).toBe(true);
    expect(await questions.takeAllowance('ann', 'ack', later(59), HOUR)).toBe(false);
    expect(await questions.takeAllowance('ann', 'other', later(1), HOUR)).toBe(true);
    expect(await questions.takeAllowance('bob', 'ack', later(1), HOUR)).toBe(true);
    expect(await questions.takeAllowance('ann', 'ack', later(60), HOUR)).toBe(true);
    expect(await questions.takeAllowance('ann', 'ack', later(119), HOUR)).toBe(false);
  });

  it('gives exactly one allowance to several racing takers', async () => {
    const { questions } = await make();
    const take = () => questions.takeAllowance('ann', 'ack', new Date(at(0)), HOUR);
    expect(await winners([take(), take(), take(), take()], true)).toBe(1);
  });
}

function assignedAndAnswered(make: MakePorts): void {
  it('assigns an open question and lets anyone take it over, but never an answered or held one', async () => {
    const { questions } = await make();
    const q = question('ann', 'm1');
    const held = { ...question('ann', 'm2'), status: 'held' as const, holdReason: 'over-limit' as const };
    await questions.add(q);
    await questions.add(held);
    expect(await questions.assign(q.id, 'expert@example.com')).toBe(true);
    expect(await questions.assign(q.id, 'expert2@example.com')).toBe(true);
    expect((await questions.get(q.id))?.assignee).toBe('expert2@example.com');
    expect(await questions.assign(held.id, 'expert@example.com')).toBe(false);
    await questions.recordAnswer(q.id, 'Done.', at(30), HOUR, 'expert2@example.com');
    expect(await questions.assign(q.id, 'expert@example.com')).toBe(false);
    expect(await questions.assign(question('bob', 'none').id, 'expert@example.com')).toBe(false);
  });

  it('lists answered questions since a moment, newest answer first, and no open one', async () => {
    const { questions } = await make();
    const [a, b, c, open] = ['m1', 'm2', 'm3', 'm4'].map((key) => question('ann', key));
    for (const q of [a, b, c, open]) if (q) await questions.add(q);
    await questions.recordAnswer(a?.id ?? '', 'A', at(10), HOUR, 'expert@example.com');
    await questions.recordAnswer(b?.id ?? '', 'B', at(30), HOUR, 'expert@example.com');
    await questions.recordAnswer(c?.id ?? '', 'C', at(20), HOUR, 'expert2@example.com');
    expect(await questions.listAnswered(at(15))).toEqual([b?.id, c?.id]);
    expect(await questions.listAnswered(at(0))).toEqual([b?.id, c?.id, a?.id]);
    expect(await questions.listAnswered(at(0), 2)).toEqual([b?.id, c?.id]);
    await questions.reopen(b?.id ?? '', at(30));
    expect(await questions.listAnswered(at(0))).toEqual([c?.id, a?.id]);
  });
}

function questionSlots(make: MakePorts): void {
  const DAY = 24 * HOUR;
  it('gives a subscriber `limit` question slots a day, each subscriber their own, and new ones the next day', async () => {
    const { questions } = await make();
    const now = new Date(at(0));
    for (let i = 0; i < 3; i++) expect(await questions.takeQuestionSlot('ann', now, DAY, 3)).toBe(true);
    expect(await questions.takeQuestionSlot('ann', new Date(at(60)), DAY, 3)).toBe(false);
    expect(await questions.takeQuestionSlot('bob', now, DAY, 3)).toBe(true);
    expect(await questions.takeQuestionSlot('ann', new Date(now.getTime() + DAY), DAY, 3)).toBe(true);
  });

  it('gives exactly `limit` slots to twenty racing takers', async () => {
    const { questions } = await make();
    const take = () => questions.takeQuestionSlot('ann', new Date(at(0)), DAY, 5);
    expect(await winners(Array.from({ length: 20 }, take), true)).toBe(5);
  });
}

export function questionStoreContract(make: MakePorts): void {
  describe('assignment and the answered list', () => assignedAndAnswered(make));
  describe('storing and reading', () => storing(make));
  describe('answers and reminders', () => answersAndReminders(make));
  describe('open questions and allowances', () => openListAndAllowances(make));
  describe('question slots', () => questionSlots(make));
}
