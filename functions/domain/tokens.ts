import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidTokenError } from './errors';

/** What a token lets its bearer do; part of the MAC so a token for one purpose never works for another. */
export type TokenPurpose = 'confirm' | 'unsubscribe' | 'manage' | 'console-link' | 'console-session';

/** Signing keys: the current key signs; every key verifies (the previous one during rotation). */
export interface SigningKeys {
  current: string;
  previous?: string | undefined;
}

/** How long a token of each purpose stays valid, in seconds; `undefined` means it never expires. */
export const TOKEN_LIFETIME_SECONDS: Record<TokenPurpose, number | undefined> = {
  confirm: 7 * 24 * 3600,
  unsubscribe: undefined,
  // The manage link sits in every email; it works as long as the subscriber exists (erasure ends it).
  manage: undefined,
  // A console sign-in link works once (the store remembers its use) and only for 15 minutes.
  'console-link': 15 * 60,
  // A console session lasts a working day at most; signing in again is one email away.
  'console-session': 12 * 3600,
};

/** A subscriber id, optionally with `~<change id>` (a confirm link that carries new details). */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}(~[A-Za-z0-9_-]{1,64})?$/;

/** The subject of a confirm token: the subscriber, and the pending change its click applies, if any. */
export function confirmSubject(subscriberId: string, changeId?: string): string {
  return changeId ? `${subscriberId}~${changeId}` : subscriberId;
}

/** Splits a confirm token's subject into the subscriber id and the change id it carries, if any. */
export function readConfirmSubject(subject: string): { subscriberId: string; changeId?: string } {
  const [subscriberId = '', changeId] = subject.split('~');
  return changeId ? { subscriberId, changeId } : { subscriberId };
}

function mac(key: string, purpose: string, subscriberId: string, issuedAt: number): Buffer {
  return createHmac('sha256', key).update(`${purpose}|${subscriberId}|${issuedAt}`).digest();
}

/** Signs `purpose|subscriberId|issuedAt` (HMAC-SHA256) into `<id>.<issuedAt base36>.<mac base64url>`. */
export function signToken(
  keys: SigningKeys,
  purpose: TokenPurpose,
  subscriberId: string,
  issuedAtMs: number,
): string {
  const issuedAt = Math.floor(issuedAtMs / 1000);
  const signature = mac(keys.current, purpose, subscriberId, issuedAt).toString('base64url');
  return `${subscriberId}.${issuedAt.toString(36)}.${signature}`;
}

/** Verifies a token in constant time and returns the subscriber id it was issued for. */
export function verifyToken(keys: SigningKeys, purpose: TokenPurpose, token: string, nowMs: number): string {
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidTokenError('malformed');
  const [subscriberId = '', issuedText = '', signatureText = ''] = parts;
  const issuedAt = Number.parseInt(issuedText, 36);
  if (
    !ID_PATTERN.test(subscriberId) ||
    !/^[0-9a-z]{1,10}$/.test(issuedText) ||
    !Number.isSafeInteger(issuedAt)
  ) {
    throw new InvalidTokenError('malformed');
  }
  const given = Buffer.from(signatureText, 'base64url');
  const matches = verifyingKeys(keys).some((key) => {
    const expected = mac(key, purpose, subscriberId, issuedAt);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new InvalidTokenError('signature');
  const lifetime = TOKEN_LIFETIME_SECONDS[purpose];
  if (lifetime !== undefined && nowMs / 1000 > issuedAt + lifetime) throw new InvalidTokenError('expired');
  return subscriberId;
}

/** The id a genuine, unexpired token of `purpose` was issued for; undefined when it is not one. */
export function verifiedId(
  keys: SigningKeys,
  purpose: TokenPurpose,
  token: string,
  nowMs: number,
): string | undefined {
  try {
    return verifyToken(keys, purpose, token, nowMs);
  } catch (error) {
    if (error instanceof InvalidTokenError) return undefined;
    throw error;
  }
}

function shortMacWith(key: string, label: string, value: string): string {
  return createHmac('sha256', key).update(`${label}|${value}`).digest('hex').slice(0, 12);
}

/** A short, lower-case MAC that makes reply addresses unguessable (`reply+<id>.<mac>@domain`); mail systems may lower-case local parts. */
export function shortMac(keys: SigningKeys, label: string, value: string): string {
  return shortMacWith(keys.current, label, value);
}

/** Checks a short MAC against every key, in constant time. */
export function verifyShortMac(keys: SigningKeys, label: string, value: string, given: string): boolean {
  const actual = Buffer.from(given);
  return verifyingKeys(keys).some((key) => {
    const expected = Buffer.from(shortMacWith(key, label, value));
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  });
}

function verifyingKeys(keys: SigningKeys): string[] {
  return [keys.current, keys.previous].filter((key): key is string => Boolean(key));
}
