import { createHash } from 'node:crypto';
import type { CourseStep } from './course';
import { dueAt, type ScheduleAnchor } from './schedule';

/**
 * Where a subscriber is in their life with us. pending → active → completed is the happy path;
 * unsubscribed, bounced and complained are final and stop all mail.
 */
export type SubscriberStatus = 'pending' | 'active' | 'completed' | 'unsubscribed' | 'bounced' | 'complained';

/** A person who signed up. Times are ISO-8601 strings in UTC. */
export interface Subscriber {
  id: string;
  email: string;
  /** Lower-cased address: the uniqueness key. */
  emailKey: string;
  firstName: string;
  timeZone: string;
  sendHour: number;
  status: SubscriberStatus;
  createdAt: string;
  /** When the latest confirmation email was asked for (a signup or an allowed resend); it may not be sent yet. */
  confirmationRequestedAt?: string | undefined;
  /** When the mail service last accepted a confirmation email. */
  confirmationSentAt?: string | undefined;
  confirmedAt?: string | undefined;
  /** Index of the next course step to send. */
  step: number;
  /** When `step` is due; set only while active. */
  nextSendAt?: string | undefined;
  lastSentAt?: string | undefined;
  endedAt?: string | undefined;
  /** Where the signup came from (`utm_source` or `ref` on the landing page URL), if it said. */
  source?: string | undefined;
  /**
   * The instant whose local date is day 0 of the current plan (see `scheduleAnchor`); set when the
   * subscriber changes their hour, zone or pace, else the plan runs from `confirmedAt`.
   */
  anchorAt?: string | undefined;
  /** Nothing is sent before this instant (a pause the subscriber asked for). */
  pausedUntil?: string | undefined;
  /** How often the subscriber started the course again; also the run number of their sends. */
  restarts?: number | undefined;
  /** Bumped by every change the subscriber makes, so two changes (or a change and a send) never interleave. */
  version?: number | undefined;
  /**
   * When the latest transient bounce was counted for this subscriber. Only then has a delivery a bounce
   * count to reset, so the delivery of everyone else's email reads nothing beyond this profile.
   */
  transientBounceAt?: string | undefined;
}

/** What a person gives us when signing up (already validated). */
export interface SignupInput {
  email: string;
  firstName: string;
  timeZone: string;
  sendHour: number;
  /** Where the signup came from, already validated; empty or absent when the landing page URL did not say. */
  source?: string | undefined;
}

/** The default local hour for lessons. */
export const DEFAULT_SEND_HOUR = 8;

/** A pending subscriber, before the confirmation email is sent. */
export function newSubscriber(id: string, input: SignupInput, now: Date): Subscriber {
  return {
    id,
    email: input.email,
    emailKey: normaliseEmail(input.email),
    firstName: input.firstName,
    timeZone: input.timeZone,
    sendHour: input.sendHour,
    status: 'pending',
    createdAt: now.toISOString(),
    step: 0,
    source: input.source || undefined,
  };
}

/** The uniqueness key of an address: trimmed and lower-cased (providers treat addresses case-blind). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** True when the subscriber may ask for a new confirmation email now (pending, and the resend window passed). */
export function mayResendConfirmation(subscriber: Subscriber, now: Date, windowMs: number): boolean {
  if (subscriber.status !== 'pending') return false;
  const last = subscriber.confirmationRequestedAt ?? subscriber.confirmationSentAt;
  if (!last) return true;
  return now.getTime() - Date.parse(last) >= windowMs;
}

/** The details a person may change by signing up again. */
export type SignupDetails = Pick<Subscriber, 'firstName' | 'timeZone' | 'sendHour'>;

/**
 * New details for a pending subscriber, asked for by a later signup of the same address (from anyone):
 * kept aside and applied only by a click on the confirmation link that carries this change's id.
 */
export interface PendingChange extends SignupDetails {
  id: string;
  requestedAt: string;
}

/** The details of a signup, as a change to keep aside; undefined when they are what the subscriber has. */
export function changeOfDetails(
  subscriber: Subscriber,
  details: SignupDetails,
  id: string,
  now: Date,
): PendingChange | undefined {
  const same =
    subscriber.firstName === details.firstName &&
    subscriber.timeZone === details.timeZone &&
    subscriber.sendHour === details.sendHour;
  return same ? undefined : { id, ...details, requestedAt: now.toISOString() };
}

/** The subscriber with a pending change's details applied (or as they are, without one). */
export function withChange(subscriber: Subscriber, change: PendingChange | undefined): Subscriber {
  if (!change) return subscriber;
  return { ...subscriber, firstName: change.firstName, timeZone: change.timeZone, sendHour: change.sendHour };
}

/** The subscriber once confirmed: active, with the first step due. Only a pending subscriber changes. */
export function confirmSubscriber(subscriber: Subscriber, steps: CourseStep[], now: Date): Subscriber {
  if (subscriber.status !== 'pending') return subscriber;
  const confirmedAt = now.toISOString();
  const first = steps[0];
  if (!first) return { ...subscriber, status: 'completed', confirmedAt, endedAt: confirmedAt };
  return {
    ...subscriber,
    status: 'active',
    confirmedAt,
    step: 0,
    nextSendAt: dueAt(steps, 0, { ...subscriber, confirmedAt }),
  };
}

/** What follows a send of `step` at `sentAt`: the next step and when it is due, or completion. */
export type Advance = { step: number; nextSendAt: string } | { step: number; completed: true };

/** Computes the subscriber's position after the step they are on was sent at `sentAt`. */
export function advanceAfterSend(subscriber: Subscriber, steps: CourseStep[], sentAt: string): Advance {
  const nextIndex = subscriber.step + 1;
  const next = steps[nextIndex];
  const anchor = scheduleAnchor(subscriber);
  if (!next || !anchor) return { step: nextIndex, completed: true };
  return { step: nextIndex, nextSendAt: dueAt(steps, nextIndex, anchor, sentAt) };
}

/** The anchor the subscriber's plan runs from: their zone and hour, and day 0 (re-anchored by changes). */
export function scheduleAnchor(subscriber: Subscriber): ScheduleAnchor | undefined {
  const confirmedAt = subscriber.anchorAt ?? subscriber.confirmedAt;
  if (!confirmedAt) return undefined;
  return { timeZone: subscriber.timeZone, sendHour: subscriber.sendHour, confirmedAt };
}

/** True when no more mail of any kind may go to this subscriber. */
export function isStopped(subscriber: Subscriber): boolean {
  return (
    subscriber.status === 'unsubscribed' ||
    subscriber.status === 'bounced' ||
    subscriber.status === 'complained'
  );
}

/** The due-index shard of a subscriber: stable for an id, and even across ids. */
export function dueShard(id: string, shards: number): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) % shards;
}
