/** The operator's lookup of one person by address: their timeline and their next email. */
import { dayOf, personDigest } from '../domain/stat-facts';
import { normaliseEmail, type Subscriber } from '../domain/subscriber';
import { laterEmails, type NextEmail, nextEmail, type TimelineEntry, timelineOf } from '../domain/timeline';
import type { Deps } from './deps';

/** What the lookup shows. */
export interface PersonLookup {
  subscriber: Subscriber;
  timeline: TimelineEntry[];
  next: NextEmail;
  /** The emails after the next one, at their nominal times. */
  later: { key: string; at: string }[];
}

/** The days on which SES may have reported on a send: the day it went out and the day after. */
function reportDays(sentAt: string): string[] {
  return [dayOf(sentAt), dayOf(new Date(Date.parse(sentAt) + 86_400_000).toISOString())];
}

/**
 * Finds the person with this address: every item stored under them (whatever its type), the SES outcomes
 * of their course emails, and when the next one is due. Undefined when nobody has the address (or they
 * were erased).
 */
export async function lookupPerson(deps: Deps, email: string): Promise<PersonLookup | undefined> {
  const subscriber = await deps.store.findByEmail(normaliseEmail(email));
  if (!subscriber) return undefined;
  const items = await deps.records.itemsOf(subscriber.id);
  const days = new Set(
    items.flatMap((item) =>
      item.type === 'send' && typeof item.sentAt === 'string' ? reportDays(item.sentAt) : [],
    ),
  );
  const person = personDigest(subscriber.id);
  const facts = (await Promise.all([...days].map((day) => deps.stats.mailFactsOf(person, day)))).flat();
  return {
    subscriber,
    timeline: timelineOf(items, facts),
    next: nextEmail(subscriber, deps.steps),
    later: laterEmails(subscriber, deps.steps),
  };
}
