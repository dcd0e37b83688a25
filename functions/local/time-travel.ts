import type { Deps } from '../app/deps';
import { dispatchDue } from '../app/dispatch-due';
import type { TravelClock } from './clock';

/** What a jump forward did. */
export interface TravelReport {
  now: string;
  sent: number;
}

/**
 * Moves the local clock forward by `hours`, stopping at every moment an email falls due on the way and
 * dispatching it then, so each email goes out at the time it would have in real life.
 */
export async function travel(deps: Deps, clock: TravelClock, hours: number): Promise<TravelReport> {
  const target = new Date(clock.now().getTime() + hours * 3600_000);
  let sent = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    const dues = await Promise.all(
      Array.from({ length: deps.settings.dueShards }, (_, shard) => deps.store.earliestDue(shard)),
    );
    const earliest = dues.filter((due): due is string => due !== undefined).sort()[0];
    if (earliest === undefined || earliest > target.toISOString()) break;
    clock.moveTo(new Date(earliest));
    const report = await dispatchDue(deps);
    sent += report.sent;
    if (report.sent === 0) {
      // Due entries that cannot be sent right now (claimed elsewhere, throttled): let time move on a little.
      clock.moveTo(new Date(clock.now().getTime() + 1000));
    }
  }
  clock.moveTo(target);
  sent += (await dispatchDue(deps)).sent;
  return { now: clock.now().toISOString(), sent };
}
