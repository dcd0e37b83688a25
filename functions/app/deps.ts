import type { CompiledTemplates, CourseStep } from '../domain/course';
import type {
  Clock,
  ConfirmationQueue,
  ConsoleStore,
  Mailer,
  QuestionStore,
  StatsStore,
  SubscriberStore,
} from '../domain/ports';
import type { PersonRecords } from '../domain/privacy';
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
  /** The first expert: where questions go when nobody else is assigned; '' when not configured. */
  expertAddress: string;
  /** Every expert (lower-case): they sign in to the console, are assigned questions and may answer them. */
  expertAddresses: string[];
  /** The operators (lower-case): they sign in to the console and see its operator pages. */
  operatorAddresses: string[];
  /** Who is told when a question has waited 24 hours (and may answer it too); defaults to the expert. */
  backupAddress: string;
  /** Questions per subscriber per 24 hours that are forwarded; more are kept and marked, not forwarded. */
  questionsPerDay: number;
}

/** Everything a use case needs, created once in the composition root. */
export interface Deps {
  store: SubscriberStore;
  questions: QuestionStore;
  /** Console sign-in links and sessions, notes, saved replies, the assignment turn. */
  console: ConsoleStore;
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
  /** The facts behind the operator's figures. */
  stats: StatsStore;
  /** Everything stored under one person, raw (the operator's lookup, export and erasure). */
  records: PersonRecords;
}
