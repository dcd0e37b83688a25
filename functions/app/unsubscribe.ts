import { verifiedId, verifyToken } from '../domain/tokens';
import { countExit } from './count';
import type { Deps } from './deps';

/**
 * Stops all mail to the token's subscriber at once (they leave the due index in the same write).
 * An invalid token throws InvalidTokenError; an unknown or already stopped subscriber is a no-op, so
 * the HTTP answer can be the same neutral page for all of them.
 */
export async function unsubscribe(deps: Deps, token: string): Promise<'unsubscribed' | 'unchanged'> {
  const now = deps.clock.now();
  const id = verifyToken(deps.keys, 'unsubscribe', token, now.getTime());
  const changed = await deps.store.stop(id, 'unsubscribed', now.toISOString());
  if (changed) deps.log.info('subscriber unsubscribed', { subscriberId: id });
  // Also when unchanged: a click after a crash between the stop and the count counts it (once).
  await countExit(deps, id);
  return changed ? 'unsubscribed' : 'unchanged';
}

/** True when the token is genuine (for the GET page, which never unsubscribes). */
export function isValidUnsubscribeToken(deps: Deps, token: string): boolean {
  return verifiedId(deps.keys, 'unsubscribe', token, deps.clock.now().getTime()) !== undefined;
}
