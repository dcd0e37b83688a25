import type { QuestionNote, SavedReply } from './console-records';
import type { InboundMail, Question } from './questions';
import type { Replan } from './schedule-changes';
import type { StaffSession } from './staff';
import type { StatFact } from './stat-facts';
import type { PendingChange, Subscriber, SubscriberStatus } from './subscriber';

/** An email ready to hand to the mail service. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  replyTo?: string | undefined;
  /** Extra headers (List-Unsubscribe, threading). */
  headers: { name: string; value: string }[];
  /** Tags the mail service attaches to its events (subscriber id, email key). */
  tags: Record<string, string>;
}

/** Sends email. Throws MailThrottledError (retry later) or MailRejectedError (this message never goes). */
export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** A confirmation email asked for by a signup: sent later, from a queue, at the account's send rate. */
export interface ConfirmationRequest {
  subscriberId: string;
  /** When the signup asked for it: a confirmation accepted by the mail service since then answers it. */
  requestedAt: string;
  /** The pending change whose details the email and its link carry, if any. */
  changeId?: string | undefined;
}

/**
 * Where signups leave their confirmation emails (SQS in the cloud, an in-process queue locally): each
 * request is delivered at least once, retried with backoff while the mail service throttles.
 */
export interface ConfirmationQueue {
  enqueue(request: ConfirmationRequest): Promise<void>;
}

/** The time, from one place, so tests and the local clock control can move it. */
export interface Clock {
  now(): Date;
}

/** A subscriber due for a step, as the due index lists them. */
export interface DueEntry {
  id: string;
  nextSendAt: string;
}

/** One page of due subscribers; `cursor` is set when more may follow. */
export interface DuePage {
  entries: DueEntry[];
  cursor?: string | undefined;
}

/** A course email that went out, as the send ledger keeps it. */
export interface SendRecord {
  step: number;
  key: string;
  messageId: string;
  sentAt: string;
  /** Which run of the course it belongs to: 0, then 1, 2… after each restart (absent for 0). */
  run?: number | undefined;
}

/** A change a subscriber made from the manage page, as their history keeps it. */
export interface ChangeRecord {
  at: string;
  action: string;
  /** What the change set (hour, zone, pause end, restart count) and the next email's new time. */
  details: Record<string, string | number>;
}

/** A change to write: the plan, the profile state it was computed from, its history line, and when. */
export interface PlanChange {
  /** What the profile must still be (status, step, version); any other state refuses the write. */
  expected: { status: SubscriberStatus; step: number; version: number };
  plan: Replan;
  record: ChangeRecord;
  now: string;
}

/** What recording a send did: recorded it, found it already recorded, or recorded it for a stopped subscriber. */
export type RecordOutcome = 'recorded' | 'duplicate' | 'stopped';

/** Where subscribers, their sends and their place in the course are kept. */
export interface SubscriberStore {
  /** Creates a subscriber unless the address is already known; false when it was. */
  create(subscriber: Subscriber): Promise<boolean>;
  get(id: string): Promise<Subscriber | undefined>;
  findByEmail(emailKey: string): Promise<Subscriber | undefined>;
  /**
   * Takes a pending subscriber's resend window: stamps `confirmationRequestedAt`, only if the last request
   * is older than `requestedBefore`; false when it is not, or the subscriber is not pending.
   */
  requestConfirmation(id: string, at: string, requestedBefore: string): Promise<boolean>;
  /** Stamps `confirmationSentAt` on a pending subscriber: the mail service accepted a confirmation email. */
  stampConfirmationSent(id: string, at: string): Promise<void>;
  /** Keeps new details aside until the link that carries `change.id` is clicked (they expire with it). */
  addPendingChange(id: string, change: PendingChange): Promise<void>;
  getPendingChange(id: string, changeId: string): Promise<PendingChange | undefined>;
  /** Makes a pending subscriber active (or completed), with the confirmed details; false when they were not pending. */
  activate(confirmed: Subscriber): Promise<boolean>;
  /** Stops all mail to a subscriber at once; false when they were already stopped or unknown. */
  stop(id: string, status: 'unsubscribed' | 'bounced' | 'complained', at: string): Promise<boolean>;
  /** One page of subscribers whose next step is due at or before `now`, from one shard of the due index. */
  findDue(shard: number, now: string, cursor?: string): Promise<DuePage>;
  /** The earliest `nextSendAt` in one shard of the due index, if any (for local time travel). */
  earliestDue(shard: number): Promise<string | undefined>;
  /**
   * Claims the subscriber's current step for sending until `leaseUntil`, if they are active, due by
   * `now` and nobody else holds a live claim. Returns the claimed subscriber, or undefined.
   */
  claimDue(id: string, now: string, leaseUntil: string): Promise<Subscriber | undefined>;
  /** Lets go of a claim that did not send (throttled), so the next run may try again at once. */
  releaseStep(id: string, step: number): Promise<void>;
  /** Records a send and moves the subscriber on; a step is never recorded twice. */
  recordSend(
    id: string,
    record: SendRecord,
    next: { nextSendAt?: string | undefined; completed?: boolean },
  ): Promise<RecordOutcome>;
  /**
   * Writes the ledger row of a step the subscriber (as just read by the caller) has already moved past: a
   * crash came between the two writes of `recordSend`. False when the row is there or the profile given
   * is not past the step. It trusts that profile rather than reading it again: every delivery comes here.
   */
  completeLedger(subscriber: Pick<Subscriber, 'id' | 'step'>, record: SendRecord): Promise<boolean>;
  /**
   * Stamps `transientBounceAt` on an existing profile (the later of the stored and the given instant);
   * nothing for an unknown subscriber.
   */
  markTransientBounce(id: string, at: string): Promise<void>;
  /** Every send recorded for a subscriber, in run and step order. */
  listSends(id: string): Promise<SendRecord[]>;
  /**
   * Writes the subscriber's new plan (onto the due index) if the profile is still as `expected` and no
   * send holds a live claim at `now`, bumping its version; then adds `record` to their history. False when
   * the profile moved on or a send is in flight (read again and retry).
   */
  changePlan(id: string, change: PlanChange): Promise<boolean>;
  /** Every change recorded for a subscriber, oldest first. */
  listChanges(id: string): Promise<ChangeRecord[]>;
}

/** One page of open questions, oldest first; `cursor` is set when more may follow. */
export interface OpenQuestionPage {
  ids: string[];
  cursor?: string | undefined;
}

/** Where questions, their answers and the limits on automatic mail are kept. */
export interface QuestionStore {
  /** Stores a new question; false when a question with this id (the same message) is already stored. */
  add(question: Question): Promise<boolean>;
  get(questionId: string): Promise<Question | undefined>;
  /** Every question of a subscriber, oldest first. */
  listForSubscriber(subscriberId: string): Promise<Question[]>;
  /** Notes the SES message id of the email that took the question to the expert. */
  markForwarded(questionId: string, messageId: string): Promise<void>;
  /**
   * Stores the answer (and who gave it) and closes an open question, in one conditional write; false
   * when it was not open (answered already, held). This is what lets one answer out of two racing ones through.
   */
  recordAnswer(
    questionId: string,
    answer: string,
    answeredAt: string,
    responseMs: number,
    answeredBy: string,
  ): Promise<boolean>;
  /** Gives an open question to an expert (anyone may take one over); false when it is not open. */
  assign(questionId: string, assignee: string): Promise<boolean>;
  /** Ids of the questions answered at or after `since`, newest answer first; the first `limit` when given. */
  listAnswered(since: string, limit?: number): Promise<string[]>;
  /** Opens an answered question again (its answer could not be sent). */
  reopen(questionId: string, answeredAt: string): Promise<void>;
  /** Stamps a reminder or escalation on an open question, once; false when it was stamped already or closed. */
  markSla(questionId: string, field: 'remindedAt' | 'escalatedAt', at: string): Promise<boolean>;
  /** Takes a stamp back (the email could not be sent) so the next sweep tries again. */
  clearSla(questionId: string, field: 'remindedAt' | 'escalatedAt'): Promise<void>;
  /** Open questions received at or before `receivedBy`, oldest first, one page at a time. */
  listOpen(receivedBy: string, cursor?: string): Promise<OpenQuestionPage>;
  /**
   * Takes the one allowance of automatic mail of `kind` to a subscriber per window: true (and the
   * window restarts at `now`) when none was taken in the last `windowMs`.
   */
  takeAllowance(subscriberId: string, kind: string, now: Date, windowMs: number): Promise<boolean>;
  /**
   * Takes one of a subscriber's `limit` question slots in the fixed window (of `windowMs`, counted from
   * the epoch) that holds `now`: true when one was free. Atomic: racing calls never take more than `limit`.
   */
  takeQuestionSlot(subscriberId: string, now: Date, windowMs: number, limit: number): Promise<boolean>;
}

/** Turns raw MIME into an `InboundMail`. Throws `UnreadableMailError` when nothing can be made of it. */
export interface MailParser {
  parse(raw: Uint8Array): Promise<InboundMail>;
}

/** Where the mail server left raw inbound messages (S3 in the cloud), by the mail server's message id. */
export interface RawMailSource {
  read(messageId: string): Promise<Uint8Array>;
  /**
   * Files a stored message under its subscriber (`raw/<subscriberId>/<messageId>`), so that erasing a
   * person finds all of their raw mail by prefix.
   */
  fileUnder(messageId: string, subscriberId: string): Promise<void>;
}

/**
 * Where the facts behind the operator's figures are kept, one small item per fact, by UTC day. Writing a
 * fact twice changes nothing; reading a day is one query, never a scan.
 */
export interface StatsStore {
  /** Files a fact once; false when a fact with this day and id is there already. */
  note(fact: StatFact): Promise<boolean>;
  /** Every fact of one UTC day (`yyyy-mm-dd`). */
  factsOn(day: string): Promise<StatFact[]>;
  /** The mail facts (delivered, bounced, complained) of one person (by digest) on one day. */
  mailFactsOf(person: string, day: string): Promise<StatFact[]>;
  /** Notes a signup day: the first and the latest signup days bound "all time". */
  noteSignupDay(day: string): Promise<void>;
  /** The first and the latest signup days, if anyone signed up. */
  signupDays(): Promise<{ first: string; last: string } | undefined>;
}

/** What the console keeps besides questions: sign-in links, sessions, notes, saved replies, whose turn it is. */
export interface ConsoleStore {
  /** Remembers a sign-in link until it is used or `expiresAt` passes. */
  saveSignInLink(linkId: string, email: string, expiresAt: string): Promise<void>;
  /** Uses a sign-in link once: the address it was sent to, or undefined when used, expired or unknown. */
  useSignInLink(linkId: string, now: string): Promise<string | undefined>;
  saveSession(session: StaffSession): Promise<void>;
  /** The session, while it has not expired or ended. */
  getSession(sessionId: string, now: string): Promise<StaffSession | undefined>;
  endSession(sessionId: string): Promise<void>;
  /** The next number of the assignment rotation (1, 2, 3, ...), by one atomic increment. */
  nextTurn(): Promise<number>;
  /** Adds a note (or a record of a follow-up) to a question; kept with the subscriber's data. */
  addNote(note: QuestionNote): Promise<void>;
  /** A question's notes, oldest first. */
  listNotes(questionId: string): Promise<QuestionNote[]>;
  /** Every saved reply, by title. */
  listSavedReplies(): Promise<SavedReply[]>;
  /** Creates or replaces a saved reply. */
  putSavedReply(reply: SavedReply): Promise<void>;
  /** Deletes a saved reply; false when there was none with this id. */
  deleteSavedReply(replyId: string): Promise<boolean>;
  /** Keeps the raw message of a question (cut to a size an item holds), for the console's "raw" view. */
  keepRawMessage(questionId: string, raw: string): Promise<void>;
  getRawMessage(questionId: string): Promise<string | undefined>;
}
