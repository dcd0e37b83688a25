/** An in-memory `StatsStore` with the DynamoDB store's semantics (test/contract proves it). */
import type { StatsStore } from '../../../functions/domain/ports';
import { mailFactPrefix, type StatFact } from '../../../functions/domain/stat-facts';

export class MemoryStatsStore implements StatsStore {
  /** Facts by `<day>|<id>`. */
  readonly facts = new Map<string, StatFact>();
  private days: { first: string; last: string } | undefined;

  async note(fact: StatFact): Promise<boolean> {
    const key = `${fact.day}|${fact.id}`;
    if (this.facts.has(key)) return false;
    this.facts.set(key, structuredClone(fact));
    return true;
  }

  async factsOn(day: string): Promise<StatFact[]> {
    return [...this.facts.values()]
      .filter((f) => f.day === day)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((f) => structuredClone(f));
  }

  async mailFactsOf(person: string, day: string): Promise<StatFact[]> {
    return (await this.factsOn(day)).filter((f) => f.id.startsWith(mailFactPrefix(person)));
  }

  async noteSignupDay(day: string): Promise<void> {
    if (this.days && this.days.last >= day) return;
    this.days = { first: this.days?.first ?? day, last: day };
  }

  async signupDays(): Promise<{ first: string; last: string } | undefined> {
    return this.days ? { ...this.days } : undefined;
  }
}
