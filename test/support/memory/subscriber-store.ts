/**
 * An in-memory `SubscriberStore` with the DynamoDB store's semantics (test/contract proves it): for the
 * fast test tier and the overhead bench. Every method changes state before its first `await`, so calls
 * that race (Promise.all) are applied one after the other, like conditional writes.
 */
import type {
  ChangeRecord,
  DuePage,
  PlanChange,
  RecordOutcome,
  SendRecord,
  SubscriberStore,
} from '../../../functions/domain/ports';
import { dueShard, type PendingChange, type Subscriber } from '../../../functions/domain/subscriber';
import { pageOf } from './page';

type Row = Subscriber & { leaseUntil?: string | undefined };

/** What a caller sees of a row: a copy, without the send lease (the store's own bookkeeping). */
function view({ leaseUntil: _lease, ...subscriber }: Row): Subscriber {
  return subscriber;
}

export class MemorySubscriberStore implements SubscriberStore {
  readonly rows = new Map<string, Row>();
  readonly byEmail = new Map<string, string>();
  readonly sends = new Map<string, SendRecord[]>();
  readonly changes = new Map<string, ChangeRecord[]>();
  /** Pending changes of details by `<subscriber id>#<change id>`. */
  readonly pendingChanges = new Map<string, PendingChange>();
  /** Calls by method name, to count requests per email. */
  readonly calls = new Map<string, number>();
  private readonly due: Map<number, Map<string, string>>;

  constructor(private readonly shards: number) {
    this.due = new Map(Array.from({ length: shards }, (_, shard) => [shard, new Map<string, string>()]));
  }

  private count(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }

  private shardOf(id: string): number {
    return dueShard(id, this.shards);
  }

  private index(row: Row): void {
    const shard = this.due.get(this.shardOf(row.id))!;
    if (row.status === 'active' && row.nextSendAt) shard.set(row.id, row.nextSendAt);
    else shard.delete(row.id);
  }

  async create(subscriber: Subscriber): Promise<boolean> {
    this.count('create');
    if (this.byEmail.has(subscriber.emailKey)) return false;
    this.byEmail.set(subscriber.emailKey, subscriber.id);
    this.rows.set(subscriber.id, { ...subscriber });
    return true;
  }

  async get(id: string): Promise<Subscriber | undefined> {
    this.count('get');
    const row = this.rows.get(id);
    return row ? view(row) : undefined;
  }

  async findByEmail(emailKey: string): Promise<Subscriber | undefined> {
    const id = this.byEmail.get(emailKey);
    return id ? this.get(id) : undefined;
  }

  async requestConfirmation(id: string, at: string, requestedBefore: string): Promise<boolean> {
    this.count('requestConfirmation');
    const row = this.rows.get(id);
    const last = row?.confirmationRequestedAt;
    if (row?.status !== 'pending' || (last && last >= requestedBefore)) return false;
    row.confirmationRequestedAt = at;
    return true;
  }

  async stampConfirmationSent(id: string, at: string): Promise<void> {
    this.count('stampConfirmationSent');
    const row = this.rows.get(id);
    if (row?.status === 'pending') row.confirmationSentAt = at;
  }

  async addPendingChange(id: string, change: PendingChange): Promise<void> {
    this.count('addPendingChange');
    this.pendingChanges.set(`${id}#${change.id}`, { ...change });
  }

  async getPendingChange(id: string, changeId: string): Promise<PendingChange | undefined> {
    const change = this.pendingChanges.get(`${id}#${changeId}`);
    return change ? { ...change } : undefined;
  }

  async activate(confirmed: Subscriber): Promise<boolean> {
    const row = this.rows.get(confirmed.id);
    if (row?.status !== 'pending') return false;
    const { status, confirmedAt, step, nextSendAt, firstName, timeZone, sendHour } = confirmed;
    Object.assign(row, { status, confirmedAt, step, firstName, timeZone, sendHour });
    if (status === 'active' && nextSendAt) row.nextSendAt = nextSendAt;
    else row.endedAt = confirmedAt;
    this.index(row);
    return true;
  }

  async stop(id: string, status: 'unsubscribed' | 'bounced' | 'complained', at: string): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || !['pending', 'active', 'completed'].includes(row.status)) return false;
    Object.assign(row, { status, endedAt: at, nextSendAt: undefined, leaseUntil: undefined });
    this.index(row);
    return true;
  }

  async findDue(shard: number, now: string, cursor?: string): Promise<DuePage> {
    this.count('findDue');
    const due = [...(this.due.get(shard) ?? new Map<string, string>())]
      .filter(([, nextSendAt]) => nextSendAt <= now)
      .map(([id, nextSendAt]) => `${nextSendAt}#${id}`);
    const page = pageOf(due, cursor);
    const entries = page.keys.map((key) => {
      const hash = key.lastIndexOf('#');
      return { id: key.slice(hash + 1), nextSendAt: key.slice(0, hash) };
    });
    return { entries, cursor: page.cursor };
  }

  async earliestDue(shard: number): Promise<string | undefined> {
    return [...(this.due.get(shard)?.values() ?? [])].sort()[0];
  }

  async claimDue(id: string, now: string, leaseUntil: string): Promise<Subscriber | undefined> {
    this.count('claimDue');
    const row = this.rows.get(id);
    if (row?.status !== 'active' || !row.nextSendAt || row.nextSendAt > now) return undefined;
    if (row.leaseUntil && row.leaseUntil >= now) return undefined;
    row.leaseUntil = leaseUntil;
    return view(row);
  }

  async releaseStep(id: string, step: number): Promise<void> {
    const row = this.rows.get(id);
    if (row?.step === step) row.leaseUntil = undefined;
  }

  async recordSend(
    id: string,
    record: SendRecord,
    next: { nextSendAt?: string; completed?: boolean },
  ): Promise<RecordOutcome> {
    this.count('recordSend');
    const row = this.rows.get(id);
    if (row?.step !== record.step) return 'duplicate';
    const outcome: RecordOutcome = row.status === 'active' ? 'recorded' : 'stopped';
    Object.assign(row, { step: record.step + 1, lastSentAt: record.sentAt, leaseUntil: undefined });
    if (outcome === 'recorded') {
      if (next.nextSendAt) row.nextSendAt = next.nextSendAt;
      else Object.assign(row, { status: 'completed', endedAt: record.sentAt, nextSendAt: undefined });
    }
    this.index(row);
    const ledger = this.sends.get(id) ?? [];
    if (!ledger.some((send) => send.step === record.step && (send.run ?? 0) === (record.run ?? 0)))
      ledger.push(record);
    this.sends.set(id, ledger);
    return outcome;
  }

  async completeLedger(subscriber: Pick<Subscriber, 'id' | 'step'>, record: SendRecord): Promise<boolean> {
    this.count('completeLedger');
    const ledger = this.sends.get(subscriber.id) ?? [];
    const sameRow = (send: SendRecord) => send.step === record.step && (send.run ?? 0) === (record.run ?? 0);
    if (subscriber.step <= record.step || ledger.some(sameRow)) return false;
    ledger.push(record);
    this.sends.set(subscriber.id, ledger);
    return true;
  }

  async markTransientBounce(id: string, at: string): Promise<void> {
    this.count('markTransientBounce');
    const row = this.rows.get(id);
    if (row && !(row.transientBounceAt && row.transientBounceAt >= at)) row.transientBounceAt = at;
  }

  async listSends(id: string): Promise<SendRecord[]> {
    return [...(this.sends.get(id) ?? [])].sort((a, b) => (a.run ?? 0) - (b.run ?? 0) || a.step - b.step);
  }

  async changePlan(id: string, { expected, plan, record, now }: PlanChange): Promise<boolean> {
    this.count('changePlan');
    const row = this.rows.get(id);
    if (!row || row.status !== expected.status || row.step !== expected.step) return false;
    if ((row.version ?? 0) !== expected.version || (row.leaseUntil && row.leaseUntil >= now)) return false;
    Object.assign(row, {
      ...plan,
      pausedUntil: plan.pausedUntil,
      version: expected.version + 1,
      endedAt: undefined,
    });
    this.index(row);
    this.changes.set(id, [...(this.changes.get(id) ?? []), record]);
    return true;
  }

  async listChanges(id: string): Promise<ChangeRecord[]> {
    return [...(this.changes.get(id) ?? [])];
  }
}
