import { createHash, createHmac } from 'node:crypto';
import type { TemplateParts } from './course';
import type { SigningKeys } from './tokens';

/** Longest user agent kept in a consent record; the rest identifies a browser no better. */
export const USER_AGENT_MAX = 200;

/** What a person agreed to, and when: written at each signup that stores or changes their details. */
export interface ConsentRecord {
  at: string;
  /** `pseudonym(keys, 'ip', ip)`: proves a signup came from the same client, reveals no address. */
  ipHash?: string | undefined;
  userAgent?: string | undefined;
  /** Version of the signup page (and so of the consent text beside its button) the person saw. */
  textVersion: string;
}

/** Keeps consent records. */
export interface ConsentLog {
  record(subscriberId: string, consent: ConsentRecord): Promise<void>;
  /** Deletes the record of one signup (a signup that lost a race for its address stored nobody). */
  forget(subscriberId: string, at: string): Promise<void>;
}

/**
 * A keyed hash (HMAC-SHA256 with the current signing key, 32 hex characters) of an IP or an address, for
 * counters and consent records: stable while the key is, meaningless without it.
 */
export function pseudonym(keys: SigningKeys, label: string, value: string): string {
  return createHmac('sha256', keys.current).update(`${label}|${value}`).digest('hex').slice(0, 32);
}

/** A user agent fit to store: printable ASCII only, at most USER_AGENT_MAX characters; undefined when empty. */
export function storableUserAgent(raw: string | undefined): string | undefined {
  const cleaned = (raw ?? '')
    .replace(/[^\x20-\x7E]/g, '')
    .trim()
    .slice(0, USER_AGENT_MAX);
  return cleaned === '' ? undefined : cleaned;
}

/**
 * The version of the consent text: a digest of the compiled landing page, where the text sits beside the
 * signup button. Any change to the page makes a new version, so no edit can go unrecorded.
 */
export function consentTextVersion(landingPage: TemplateParts | undefined): string {
  return `landing-${createHash('sha256')
    .update(JSON.stringify(landingPage ?? []))
    .digest('hex')
    .slice(0, 16)}`;
}

/** Every item stored about one person, as the store keeps them (export), and their removal (erasure). */
export interface PersonRecords {
  /** The subscriber id the address points to, if any. */
  subscriberIdOf(emailKey: string): Promise<string | undefined>;
  /** Every item of the subscriber's partition (profile, sends, questions, consents, counters), raw. */
  itemsOf(subscriberId: string): Promise<Record<string, unknown>[]>;
  /** The address pointer item, raw. */
  pointerOf(emailKey: string): Promise<Record<string, unknown> | undefined>;
  /** Deletes every item of the subscriber's partition; returns how many were deleted. */
  deleteSubscriber(subscriberId: string): Promise<number>;
  /** Deletes the address pointer, if it still points to `subscriberId`. */
  deletePointer(emailKey: string, subscriberId: string): Promise<void>;
}

/** Raw inbound mail kept in object storage, by subscriber. */
export interface RawMailArchive {
  /** Deletes every object of the subscriber; returns how many were deleted. */
  deleteFor(subscriberId: string): Promise<number>;
  /** Lists the object keys of the subscriber (export). */
  listFor(subscriberId: string): Promise<string[]>;
}
