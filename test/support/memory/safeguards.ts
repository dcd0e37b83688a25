/**
 * In-memory safeguards with the DynamoDB adapters' semantics (test/contract proves it): suppression
 * list, bounce ledger, rate-limit counters and consent log. State changes before any `await`, so racing
 * calls are applied one after the other.
 */
import type { ConsentLog, ConsentRecord } from '../../../functions/domain/privacy';
import {
  type RateLimit,
  type RateLimiter,
  SIGNUP_LIMITS,
  type SignupLimits,
} from '../../../functions/domain/rate-limit';
import type { Safeguards } from '../../../functions/domain/safeguards';
import type { BounceLedger, SuppressionList, SuppressionReason } from '../../../functions/domain/suppression';

export class MemorySuppressionList implements SuppressionList {
  readonly entries = new Map<string, { reason: SuppressionReason; at: string }>();

  async isSuppressed(hash: string): Promise<boolean> {
    return this.entries.has(hash);
  }

  async suppress(hash: string, reason: SuppressionReason, at: string): Promise<boolean> {
    if (this.entries.has(hash)) return false;
    this.entries.set(hash, { reason, at });
    return true;
  }
}

interface BounceRow {
  transientIds: Set<string>;
  lastBounceAt: string;
  deliveredAt?: string;
}

export class MemoryBounceLedger implements BounceLedger {
  private readonly rows = new Map<string, BounceRow>();

  async countTransient(subscriberId: string, feedbackId: string, at: string): Promise<number> {
    const row = this.rows.get(subscriberId);
    const fresh = !row?.transientIds.has(feedbackId) && !(row?.deliveredAt && row.deliveredAt >= at);
    if (!fresh) return row?.transientIds.size ?? 0;
    const counted = row ?? { transientIds: new Set<string>(), lastBounceAt: at };
    counted.transientIds.add(feedbackId);
    counted.lastBounceAt = at;
    this.rows.set(subscriberId, counted);
    return counted.transientIds.size;
  }

  async resetTransient(subscriberId: string, at: string): Promise<void> {
    const row = this.rows.get(subscriberId);
    if (!row || row.transientIds.size === 0 || row.lastBounceAt >= at) return;
    row.transientIds.clear();
    row.deliveredAt = at;
  }
}

export class MemoryRateLimiter implements RateLimiter {
  readonly hits = new Map<string, number>();

  async hit(limit: RateLimit, subject: string, windowStart: Date): Promise<number> {
    const key = `${limit.name}#${subject}#${windowStart.toISOString()}`;
    const hits = (this.hits.get(key) ?? 0) + 1;
    this.hits.set(key, hits);
    return hits;
  }

  async count(limit: RateLimit, subject: string, windowStart: Date): Promise<number> {
    return this.hits.get(`${limit.name}#${subject}#${windowStart.toISOString()}`) ?? 0;
  }
}

export class MemoryConsentLog implements ConsentLog {
  /** Records by subscriber; one per signup time, as the table keys them. */
  readonly records = new Map<string, ConsentRecord[]>();

  async record(subscriberId: string, consent: ConsentRecord): Promise<void> {
    const kept = (this.records.get(subscriberId) ?? []).filter((r) => r.at !== consent.at);
    this.records.set(subscriberId, [...kept, { ...consent }]);
  }

  async forget(subscriberId: string, at: string): Promise<void> {
    const kept = (this.records.get(subscriberId) ?? []).filter((r) => r.at !== at);
    if (kept.length > 0) this.records.set(subscriberId, kept);
    else this.records.delete(subscriberId);
  }
}

/** Every safeguard in memory; the concrete parts are exposed so tests can look inside. */
export function memorySafeguards(limits: SignupLimits = SIGNUP_LIMITS) {
  return {
    suppressions: new MemorySuppressionList(),
    bounces: new MemoryBounceLedger(),
    limiter: new MemoryRateLimiter(),
    limits,
    consents: new MemoryConsentLog(),
  } satisfies Safeguards;
}
