import { DomainError } from './errors';

/** At most `limit` hits per fixed window of `windowMs`; `name` tells the counters of each limit apart. */
export interface RateLimit {
  name: string;
  limit: number;
  windowMs: number;
}

/** The limits on signups (see README "Abuse resistance"). */
export interface SignupLimits {
  /** Valid signups per client (hashed IP). */
  perClient: RateLimit[];
  /** Valid signups per address (hashed), whoever sends them. */
  perAddress: RateLimit[];
  /** Confirmation emails per address: over it, signups get the normal answer and no email. */
  confirmationsPerAddress: RateLimit;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * The signup limits for `perClient` valid signups per client in ten minutes (five times as many a day).
 * A person signs up once or twice; a client that signs up ten addresses in ten minutes is a script. Each
 * address may be signed up five times an hour, and, with the 15-minute resend window, gets at most three
 * confirmation emails a day however many clients ask for them.
 */
export function signupLimits(perClient: number): SignupLimits {
  return {
    perClient: [
      { name: 'ip', limit: perClient, windowMs: 10 * MINUTE },
      { name: 'ip-day', limit: perClient * 5, windowMs: DAY },
    ],
    perAddress: [{ name: 'email', limit: 5, windowMs: 60 * MINUTE }],
    confirmationsPerAddress: { name: 'confirm', limit: 3, windowMs: DAY },
  };
}

/** The limits of a deployment (SIGNUPS_PER_CLIENT's default). */
export const SIGNUP_LIMITS: SignupLimits = signupLimits(10);

/** The fixed window holding `now`: when it started, and the whole seconds until the next one. */
export function fixedWindow(now: Date, windowMs: number): { start: Date; retryAfterSeconds: number } {
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  return {
    start: new Date(start),
    retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now.getTime()) / 1000)),
  };
}

/** Counters of hits in fixed windows, which expire on their own. */
export interface RateLimiter {
  /**
   * Counts one hit on `subject` (a hash, never an address or IP) for `limit` in the window starting at
   * `windowStart`, and returns the number of hits in that window so far, this one included.
   */
  hit(limit: RateLimit, subject: string, windowStart: Date): Promise<number>;
  /** The hits on `subject` for `limit` in the window starting at `windowStart`, without counting one. */
  count(limit: RateLimit, subject: string, windowStart: Date): Promise<number>;
}

/** A client or an address went over a limit; `retryAfterSeconds` says when the window ends. */
export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many signups. Please try again later.');
    this.name = 'RateLimitedError';
  }
}
