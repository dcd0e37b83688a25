import { type DeliveryOutcome, deliverDueStep } from './deliver';
import type { Deps } from './deps';
import { Pacer } from './pacer';

/** Counts of what one dispatcher run did. */
export interface DispatchReport {
  sent: number;
  notDue: number;
  stopped: number;
  throttled: number;
  rejected: number;
  duplicate: number;
  /** Deliveries that failed unexpectedly; their lease expires and a later run retries them. */
  failed: number;
  /** True when the run stopped before the due index was empty (deadline or throttling). */
  remaining: boolean;
}

/** Limits of one run. */
export interface DispatchOptions {
  /** `performance.now()` value after which no new send starts (the Lambda timeout minus a margin). */
  deadline?: number | undefined;
  /** Shards to work on (default: all). */
  shards?: number[] | undefined;
  /** Workers taking shards off the list in parallel (default: one per shard). */
  workers?: number | undefined;
  /**
   * The pacer of this run's share of the account's send rate, shared with whatever else the caller sends
   * (a worker's queued confirmations). Default: a pacer of its own at the whole rate.
   */
  pacer?: Pacer | undefined;
}

const OUTCOME_FIELD: Record<DeliveryOutcome, keyof Omit<DispatchReport, 'remaining' | 'failed'>> = {
  sent: 'sent',
  'not-due': 'notDue',
  stopped: 'stopped',
  throttled: 'throttled',
  rejected: 'rejected',
  duplicate: 'duplicate',
};

/**
 * Sends every course step that is due at the clock's `now`: workers take shards of the due index off a
 * list, page through each (a query, never a scan) and deliver each entry, all sharing one pacer so the
 * account's send rate is never exceeded. Stops starting sends at the deadline, or when SES keeps throttling, and
 * leaves the rest for the next run.
 */
export async function dispatchDue(deps: Deps, options: DispatchOptions = {}): Promise<DispatchReport> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const pacer = options.pacer ?? new Pacer(deps.settings.maxSendRate);
  const report: DispatchReport = {
    sent: 0,
    notDue: 0,
    stopped: 0,
    throttled: 0,
    rejected: 0,
    duplicate: 0,
    failed: 0,
    remaining: false,
  };
  const shards = options.shards ?? Array.from({ length: deps.settings.dueShards }, (_, shard) => shard);
  const outOfTime = () => options.deadline !== undefined && performance.now() >= options.deadline;

  async function work(shard: number): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await deps.store.findDue(shard, nowIso, cursor);
      for (const entry of page.entries) {
        if (outOfTime()) {
          report.remaining = true;
          return;
        }
        let outcome: DeliveryOutcome;
        try {
          outcome = await deliverDueStep(deps, entry.id, now, () => pacer.take());
        } catch (error) {
          // One subscriber's failure must not stop the others; the claim's lease lets a later run retry.
          report.failed++;
          report.remaining = true;
          deps.log.error('delivery failed', { subscriberId: entry.id, error: (error as Error).name });
          continue;
        }
        report[OUTCOME_FIELD[outcome]]++;
        if (outcome === 'throttled') {
          // SES is still throttling after backoff: stop this worker; the next run continues.
          report.remaining = true;
          return;
        }
      }
      cursor = page.cursor;
    } while (cursor);
  }

  const queue = [...shards];
  const workers = Math.max(1, Math.min(options.workers ?? shards.length, shards.length));
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let shard = queue.shift(); shard !== undefined; shard = queue.shift()) await work(shard);
    }),
  );
  if (report.sent > 0 || report.remaining) deps.log.info('dispatch run', { ...report });
  return report;
}
