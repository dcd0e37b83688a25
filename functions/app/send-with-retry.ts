import { MailThrottledError } from '../domain/errors';
import type { OutgoingEmail } from '../domain/ports';
import type { Deps } from './deps';

/** Backoff before each retry of a throttled send; after the last one the throttle error propagates. */
export const THROTTLE_BACKOFF_MS = [100, 400, 1600];

/** Sends one email, retrying only throttling, with exponential backoff and jitter. */
export async function sendWithRetry(
  deps: Pick<Deps, 'mailer' | 'sleep'>,
  email: OutgoingEmail,
): Promise<{ messageId: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.mailer.send(email);
    } catch (error) {
      const backoff = THROTTLE_BACKOFF_MS[attempt];
      if (!(error instanceof MailThrottledError) || backoff === undefined) throw error;
      await deps.sleep(backoff * (0.5 + Math.random()));
    }
  }
}
