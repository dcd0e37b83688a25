import type { ConsentLog } from './privacy';
import type { RateLimiter, SignupLimits } from './rate-limit';
import type { BounceLedger, SuppressionList } from './suppression';

/** The ports that protect the sender and the people on the list: suppression, bounces, limits, consent. */
export interface Safeguards {
  suppressions: SuppressionList;
  bounces: BounceLedger;
  limiter: RateLimiter;
  limits: SignupLimits;
  consents: ConsentLog;
}
