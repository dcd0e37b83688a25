/**
 * An in-memory `QuestionStore` with the DynamoDB store's semantics (test/contract proves it). Every
 * method changes state before its first `await`, so racing calls are applied one after the other.
 */
import type { OpenQuestionPage, QuestionStore } from '../../../functions/domain/ports';
import { type Question, splitQuestionId } from '../../../functions/domain/questions';
import { pageOf } from './page';

export class MemoryQuestionStore implements QuestionStore {
  readonly questions = new Map<string, Question>();
  /** Open questions by id: their key in the open index, `<receivedAt>#<id>`. */
  private readonly open = new Map<string, string>();
  private readonly allowances = new Map<string, string>();
  private readonly slots = new Map<string, number>();

  /** The stored question, if `questionId` is well formed and known. */
  private row(questionId: string): Question | undefined {
    return splitQuestionId(questionId) ? this.questions.get(questionId) : undefined;
  }

  async add(question: Question): Promise<boolean> {
    if (!splitQuestionId(question.id)) throw new Error('malformed question id');
    if (this.questions.has(question.id)) return false;
    this.questions.set(question.id, structuredClone(question));
    if (question.status === 'open') this.open.set(question.id, `${question.receivedAt}#${question.id}`);
    return true;
  }

  async get(questionId: string): Promise<Question | undefined> {
    const row = this.row(questionId);
    return row ? structuredClone(row) : undefined;
  }

  async listForSubscriber(subscriberId: string): Promise<Question[]> {
    return [...this.questions.values()]
      .filter((q) => splitQuestionId(q.id)?.subscriberId === subscriberId)
      .map((q) => structuredClone(q))
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  async markForwarded(questionId: string, messageId: string): Promise<void> {
    const row = this.row(questionId);
    if (row) row.forwardedMessageId = messageId;
  }

  async recordAnswer(
    questionId: string,
    answer: string,
    answeredAt: string,
    responseMs: number,
    answeredBy: string,
  ) {
    const row = this.row(questionId);
    if (row?.status !== 'open') return false;
    Object.assign(row, {
      status: 'answered',
      answer,
      answeredAt,
      responseMs,
      answeredBy: answeredBy ?? 'email',
    });
    this.open.delete(questionId);
    return true;
  }

  async assign(questionId: string, assignee: string): Promise<boolean> {
    const row = this.row(questionId);
    if (row?.status !== 'open') return false;
    row.assignee = assignee;
    return true;
  }

  async listAnswered(since: string, limit?: number): Promise<string[]> {
    return [...this.questions.values()]
      .filter((q) => q.status === 'answered' && q.answeredAt !== undefined && q.answeredAt >= since)
      .sort((a, b) => `${b.answeredAt}#${b.id}`.localeCompare(`${a.answeredAt}#${a.id}`))
      .map((q) => q.id)
      .slice(0, limit);
  }

  async reopen(questionId: string, answeredAt: string): Promise<void> {
    const row = this.row(questionId);
    if (row?.status !== 'answered' || row.answeredAt !== answeredAt) return;
    row.status = 'open';
    delete row.answeredAt;
    delete row.responseMs;
    delete row.answeredBy;
    this.open.set(questionId, `${row.receivedAt}#${row.id}`);
  }

  async markSla(questionId: string, field: 'remindedAt' | 'escalatedAt', at: string): Promise<boolean> {
    const row = this.row(questionId);
    if (row?.status !== 'open' || row[field] !== undefined) return false;
    row[field] = at;
    return true;
  }

  async clearSla(questionId: string, field: 'remindedAt' | 'escalatedAt'): Promise<void> {
    const row = this.row(questionId);
    if (row) delete row[field];
  }

  async listOpen(receivedBy: string, cursor?: string): Promise<OpenQuestionPage> {
    const page = pageOf(
      [...this.open.values()].filter((key) => key <= `${receivedBy}#~`),
      cursor,
    );
    return { ids: page.keys.map((key) => key.slice(key.lastIndexOf('#') + 1)), cursor: page.cursor };
  }

  async takeAllowance(subscriberId: string, kind: string, now: Date, windowMs: number): Promise<boolean> {
    const key = `${subscriberId}#${kind}`;
    const last = this.allowances.get(key);
    if (last !== undefined && last > new Date(now.getTime() - windowMs).toISOString()) return false;
    this.allowances.set(key, now.toISOString());
    return true;
  }

  async takeQuestionSlot(subscriberId: string, now: Date, windowMs: number, limit: number): Promise<boolean> {
    const key = `${subscriberId}#${Math.floor(now.getTime() / windowMs)}`;
    const taken = this.slots.get(key) ?? 0;
    if (taken >= limit) return false;
    this.slots.set(key, taken + 1);
    return true;
  }
}
