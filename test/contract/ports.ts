/** The ports a contract suite runs against, and the fixtures every suite shares. */
import type { ConsoleStore, QuestionStore, SubscriberStore } from '../../functions/domain/ports';
import { type Question, questionIdFor } from '../../functions/domain/questions';
import type { Safeguards } from '../../functions/domain/safeguards';
import { newSubscriber, type Subscriber } from '../../functions/domain/subscriber';

/** Partitions of the due index in every store under contract. */
export const SHARDS = 2;

/** One implementation's ports, fresh and empty each time `make` is called. */
export interface PortSet {
  subscribers: SubscriberStore;
  questions: QuestionStore;
  console: ConsoleStore;
  safeguards: Safeguards;
}

export type MakePorts = () => Promise<PortSet>;

/** A fixed moment, and moments at offsets from it in minutes. */
export const T0 = '2026-03-02T08:00:00.000Z';
export function at(minutes: number): string {
  return new Date(Date.parse(T0) + minutes * 60_000).toISOString();
}

/** A pending subscriber with the id `id` (and, unless given, the address `<id>@example.com`). */
export function pending(id: string, email = `${id}@example.com`): Subscriber {
  return newSubscriber(id, { email, firstName: 'Fay', timeZone: 'UTC', sendHour: 8 }, new Date(T0));
}

/** The same subscriber confirmed at T0, with step 0 due at `nextSendAt`. */
export function confirmed(subscriber: Subscriber, nextSendAt = T0): Subscriber {
  return { ...subscriber, status: 'active', confirmedAt: T0, step: 0, nextSendAt };
}

/** Stores an active subscriber with step 0 due at `nextSendAt`; throws if the store refuses. */
export async function storeActive(store: SubscriberStore, id: string, nextSendAt = T0): Promise<Subscriber> {
  const subscriber = pending(id);
  if (!(await store.create(subscriber)) || !(await store.activate(confirmed(subscriber, nextSendAt)))) {
    throw new Error(`could not store ${id} as an active subscriber`);
  }
  return confirmed(subscriber, nextSendAt);
}

/** An open question of `subscriberId`, received `minutes` after T0. */
export function question(subscriberId: string, messageKey: string, minutes = 0): Question {
  return {
    id: questionIdFor(subscriberId, messageKey),
    subscriberId,
    receivedAt: at(minutes),
    status: 'open',
    day: 2,
    subject: 'Re: Lesson 2',
    text: `Question ${messageKey}`,
    truncated: false,
    attachments: [],
    references: [],
  };
}

/** Runs `calls` at once and counts how many returned `value`. */
export async function winners<T>(calls: Promise<T>[], value: T): Promise<number> {
  return (await Promise.all(calls)).filter((result) => result === value).length;
}
