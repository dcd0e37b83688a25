/**
 * The use cases' dependencies on in-memory ports (which pass the same contract suite as the DynamoDB
 * adapters): the fast tier's stand-in for the local stack, with no server, socket or file.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Deps } from '../../../functions/app/deps';
import { sendConfirmation } from '../../../functions/app/send-confirmation';
import { settingsFrom, templates } from '../../../functions/compose';
import type { Config } from '../../../functions/config';
import { courseSteps } from '../../../functions/domain/course';
import { signupLimits } from '../../../functions/domain/rate-limit';
import { TravelClock } from '../../../functions/local/clock';
import { localConfig } from '../../../functions/local/config';
import { LocalConfirmationQueue } from '../../../functions/local/confirmation-queue';
import { memoryLog } from '../log';
import { MemoryConsoleStore } from './console-store';
import { RecordingMailer } from './mailer';
import { MemoryPersonRecords } from './person-records';
import { MemoryQuestionStore } from './question-store';
import { memorySafeguards } from './safeguards';
import { MemoryStatsStore } from './stats';
import { MemorySubscriberStore } from './subscriber-store';

/** In-memory deps, with handles on each port for assertions. */
export function memoryDeps(overrides: Partial<Config> = {}) {
  const config = localConfig('http://localhost:3000', overrides);
  const store = new MemorySubscriberStore(config.DUE_SHARDS);
  const questions = new MemoryQuestionStore();
  const consoleStore = new MemoryConsoleStore();
  const mailer = new RecordingMailer();
  const safeguards = memorySafeguards(signupLimits(config.SIGNUPS_PER_CLIENT));
  const clock = new TravelClock();
  const stats = new MemoryStatsStore();
  const log = memoryLog();
  // The local stack's queue, retrying at once: the fast tier never waits on a timer it can skip.
  const confirmations = new LocalConfirmationQueue({
    ratePerSecond: 1000,
    visibilityTimeoutMs: 1,
    log,
  });
  const deps: Deps = {
    store,
    questions,
    console: consoleStore,
    mailer,
    confirmations,
    clock,
    keys: { current: randomBytes(32).toString('base64url') },
    templates,
    steps: courseSteps(templates.manifest),
    settings: settingsFrom(config),
    newId: () => randomUUID().replaceAll('-', ''),
    // Retries back off without waiting: the fast tier never sleeps.
    sleep: async () => {},
    log,
    safeguards,
    stats,
    records: new MemoryPersonRecords(store, questions, safeguards.consents),
  };
  confirmations.consume((request) => sendConfirmation(deps, request));
  return {
    deps,
    config,
    store,
    questions,
    consoleStore,
    mailer,
    safeguards,
    clock,
    log,
    confirmations,
    stats,
  };
}

/** What `memoryDeps` returns. */
export type MemoryDeps = ReturnType<typeof memoryDeps>;

/** Everything the in-memory ports hold, as plain data: equal snapshots mean nothing was stored. */
export function snapshot(m: MemoryDeps): string {
  return JSON.stringify({
    subscribers: [...m.store.rows.entries()],
    emails: [...m.store.byEmail.entries()],
    sends: [...m.store.sends.entries()],
    changes: [...m.store.changes.entries()],
    questions: [...m.questions.questions.entries()],
    suppressed: [...m.safeguards.suppressions.entries.entries()],
    hits: [...m.safeguards.limiter.hits.entries()],
    consents: [...m.safeguards.consents.records.entries()],
    facts: [...m.stats.facts.entries()],
    pendingChanges: [...m.store.pendingChanges.entries()],
  });
}
