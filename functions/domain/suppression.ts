import { createHash } from 'node:crypto';
import { normaliseEmail } from './subscriber';

/** Why an address receives no more mail from us. */
export type SuppressionReason = 'bounce' | 'complaint' | 'erased';

/** Transient bounces in a row (no delivery in between) after which an address is treated as dead. */
export const TRANSIENT_BOUNCE_LIMIT = 3;

/**
 * The suppression key of an address: SHA-256 of the normalised address, in hex. Unkeyed on purpose: it
 * must outlive a rotation of the signing key, and it is all that remains of a person after erasure.
 */
export function emailHash(email: string): string {
  return createHash('sha256').update(normaliseEmail(email)).digest('hex');
}

/** Addresses (by hash) that must never be mailed again, whatever happens to their subscriber record. */
export interface SuppressionList {
  isSuppressed(hash: string): Promise<boolean>;
  /** Adds an address; false when it was suppressed already (the first reason and time are kept). */
  suppress(hash: string, reason: SuppressionReason, at: string): Promise<boolean>;
}

/** Transient bounces of one subscriber, counted once per bounce notification. */
export interface BounceLedger {
  /**
   * Counts the transient bounce `feedbackId` at `at` (a replay is not counted again) and returns how many
   * transient bounces the subscriber has had since their last delivery.
   */
  countTransient(subscriberId: string, feedbackId: string, at: string): Promise<number>;
  /** A delivery at `at`: bounces that came before it no longer count. */
  resetTransient(subscriberId: string, at: string): Promise<void>;
}
