import type { Clock } from '../domain/ports';
import type { PersonRecords, RawMailArchive } from '../domain/privacy';
import { normaliseEmail } from '../domain/subscriber';
import { emailHash, type SuppressionList } from '../domain/suppression';
import type { Log } from './deps';

/** What the operator's export and erasure need: no mailer, no signing key. */
export interface AdminDeps {
  records: PersonRecords;
  suppressions: SuppressionList;
  /** Raw inbound mail; absent when no bucket is configured (the local stack). */
  rawMail?: RawMailArchive | undefined;
  clock: Clock;
  log: Log;
}

/** Everything stored about one person (a data-subject access request). */
export interface PersonExport {
  email: string;
  subscriberId: string | undefined;
  /** The `EMAIL#` item that points from the address to the subscriber. */
  pointer: Record<string, unknown> | undefined;
  /** Every item of the subscriber: profile, sends, questions and answers, consent records, bounce counts. */
  items: Record<string, unknown>[];
  /** Keys of raw inbound mail objects. */
  rawMail: string[];
  /** True when the address is on the suppression list (only its hash is stored there). */
  suppressed: boolean;
}

/** What an erasure removed. */
export interface ErasureReport {
  subscriberId: string | undefined;
  itemsDeleted: number;
  rawMailDeleted: number;
  /** Always true afterwards: the hashed address stays suppressed so the person is not mailed again. */
  suppressed: true;
}

/** Gathers every item stored about the person with this address. */
export async function exportPerson(deps: AdminDeps, email: string): Promise<PersonExport> {
  const emailKey = normaliseEmail(email);
  const pointer = await deps.records.pointerOf(emailKey);
  const subscriberId = typeof pointer?.subscriberId === 'string' ? pointer.subscriberId : undefined;
  return {
    email: emailKey,
    subscriberId,
    pointer,
    items: subscriberId ? await deps.records.itemsOf(subscriberId) : [],
    rawMail: subscriberId && deps.rawMail ? await deps.rawMail.listFor(subscriberId) : [],
    suppressed: await deps.suppressions.isSuppressed(emailHash(emailKey)),
  };
}

/**
 * Erases the person with this address: every item of their partition, their raw inbound mail and the
 * address pointer, keeping only the hashed suppression entry so they are never mailed again. The
 * suppression is written first and the pointer deleted last, so an erasure that stops half way is
 * finished by running it again, and never leaves a person who can be mailed but not found.
 */
export async function erasePerson(deps: AdminDeps, email: string): Promise<ErasureReport> {
  const emailKey = normaliseEmail(email);
  await deps.suppressions.suppress(emailHash(emailKey), 'erased', deps.clock.now().toISOString());
  const subscriberId = await deps.records.subscriberIdOf(emailKey);
  let itemsDeleted = 0;
  let rawMailDeleted = 0;
  if (subscriberId) {
    if (deps.rawMail) rawMailDeleted = await deps.rawMail.deleteFor(subscriberId);
    itemsDeleted = await deps.records.deleteSubscriber(subscriberId);
    await deps.records.deletePointer(emailKey, subscriberId);
    itemsDeleted += 1;
  }
  deps.log.info('person erased', { subscriberId, itemsDeleted, rawMailDeleted });
  return { subscriberId, itemsDeleted, rawMailDeleted, suppressed: true };
}
