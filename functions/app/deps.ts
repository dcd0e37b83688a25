import type { CompiledTemplates, CourseStep } from '../domain/course';
import type { Clock, ConfirmationQueue, Mailer, QuestionStore, SubscriberStore } from '../domain/ports';
import type { Safeguards } from '../domain/safeguards';
import type { SigningKeys } from '../domain/tokens';

/** Structured logging: ids and outcomes only, never addresses, names or message bodies. */
export interface Log {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** Product settings that come from configuration. */
export interface Settings {
  /** Public base URL of the site, without a trailing slash (links in emails point here). */
  siteUrl: string;
  senderName: string;
  postalAddress: string;
  /** Domain of reply addresses (`reply+<id>.<mac>@replyDomain`). */
  replyDomain: string;
  /** A pending address gets at most one confirmation email per this many milliseconds. */
  confirmResendMs: number;
  /** Partitions of the due index. */
  dueShards: number;
  /** How long a claim on a step lasts before another dispatcher may take it over. */
  leaseMs: number;
  /** Sends per second the SES account allows (the dispatcher stays under it). */
  maxSendRate: number;
  /** Our own sending address: mail from it is never a question (no loops). */
  fromAddress: string;
  /** Where questions go, and the only sender whose reply to an answer address is an answer; '' when not configured. */
  expertAddress: string;
  /** Who is told when a question has waited 24 hours (and may answer it too); defaults to the expert. */
  backupAddress: string;
  /** Questions per subscriber per 24 hours that are forwarded; more are kept and marked, not forwarded. */
  questionsPerDay: number;
}

/** Everything a use case needs, created once in the composition root. */
export interface Deps {
  store: SubscriberStore;
  questions: QuestionStore;
  mailer: Mailer;
  /** Confirmation emails asked for by signups, sent off the request path. */
  confirmations: ConfirmationQueue;
  clock: Clock;
  keys: SigningKeys;
  templates: CompiledTemplates;
  steps: CourseStep[];
  settings: Settings;
  newId: () => string;
  sleep: (ms: number) => Promise<void>;
  log: Log;
  /** Suppression, bounce counts, signup limits and consent records. */
  safeguards: Safeguards;
}
