/**
 * An in-memory `PersonRecords` over the in-memory stores: a subscriber's items as the single table would
 * hold them (profile, sends, questions, consents, each with its `type`), for the fast tier's lookup tests.
 */
import type { PersonRecords } from '../../../functions/domain/privacy';
import type { MemoryQuestionStore } from './question-store';
import type { MemoryConsentLog } from './safeguards';
import type { MemorySubscriberStore } from './subscriber-store';

export class MemoryPersonRecords implements PersonRecords {
  constructor(
    private readonly store: MemorySubscriberStore,
    private readonly questions: MemoryQuestionStore,
    private readonly consents: MemoryConsentLog,
  ) {}

  async subscriberIdOf(emailKey: string): Promise<string | undefined> {
    return this.store.byEmail.get(emailKey);
  }

  async itemsOf(subscriberId: string): Promise<Record<string, unknown>[]> {
    const profile = this.store.rows.get(subscriberId);
    if (!profile) return [];
    return [
      { type: 'subscriber', ...profile },
      ...(this.store.sends.get(subscriberId) ?? []).map((send) => ({ type: 'send', ...send })),
      ...[...this.questions.questions.values()]
        .filter((q) => q.subscriberId === subscriberId)
        .map((q) => ({ type: 'question', ...q })),
      ...(this.consents.records.get(subscriberId) ?? []).map((c) => ({ type: 'consent', ...c })),
    ];
  }

  async pointerOf(emailKey: string): Promise<Record<string, unknown> | undefined> {
    const subscriberId = this.store.byEmail.get(emailKey);
    return subscriberId ? { type: 'email', subscriberId } : undefined;
  }

  async deleteSubscriber(subscriberId: string): Promise<number> {
    const count = (await this.itemsOf(subscriberId)).length;
    this.store.rows.delete(subscriberId);
    this.store.sends.delete(subscriberId);
    for (const [id, q] of this.questions.questions)
      if (q.subscriberId === subscriberId) this.questions.questions.delete(id);
    this.consents.records.delete(subscriberId);
    return count;
  }

  async deletePointer(emailKey: string, subscriberId: string): Promise<void> {
    if (this.store.byEmail.get(emailKey) === subscriberId) this.store.byEmail.delete(emailKey);
  }
}
