import type { Deps } from '../app/deps';
import { dispatchDue } from '../app/dispatch-due';
import { nextSweepAt, sweepOpenQuestions } from '../app/inbound/sweep-open-questions';
import type { TravelClock } from './clock';

/** What a jump forward did. */
export interface TravelReport {
  now: string;
  sent: number;
  /** Reminders (20 hours) and escalations (24 hours) of open questions sent on the way. */
  reminded: number;
  escalated: number;
}

/**
 * Moves the local clock forward by `hours`, stopping at every moment an email falls due on the way and
 * dispatching it then, so each email goes out at the time it would have in real life. It stops, too,
 * when an open question reaches its 20- or 24-hour mark, and runs the question sweep there.
 */
export async function travel(
  deps: Deps,
  clock: TravelClock,
  hours: number,
  /** Runs after each dispatch on the way (the local stack hands the sends' SES events over here). */
  afterDispatch: () => Promise<unknown> = async () => {},
): Promise<TravelReport> {
  const target = new Date(clock.now().getTime() + hours * 3600_000);
  let sent = 0;
  let reminded = 0;
  let escalated = 0;
  const sweep = async () => {
    const report = await sweepOpenQuestions(deps);
    reminded += report.reminded;
    escalated += report.escalated;
    return report.reminded + report.escalated;
  };
  for (let guard = 0; guard < 100_000; guard++) {
    const dues = await Promise.all(
      Array.from({ length: deps.settings.dueShards }, (_, shard) => deps.store.earliestDue(shard)),
    );
    dues.push(await nextSweepAt(deps));
    const earliest = dues.filter((due): due is string => due !== undefined).sort()[0];
    if (earliest === undefined || earliest > target.toISOString()) break;
    clock.moveTo(new Date(earliest));
    const report = await dispatchDue(deps);
    sent += report.sent;
    await afterDispatch();
    const swept = await sweep();
    if (report.sent === 0 && swept === 0) {
      // Due entries that cannot be sent right now (claimed elsewhere, throttled): let time move on a little.
      clock.moveTo(new Date(clock.now().getTime() + 1000));
    }
  }
  clock.moveTo(target);
  sent += (await dispatchDue(deps)).sent;
  await afterDispatch();
  await sweep();
  await afterDispatch();
  return { now: clock.now().toISOString(), sent, reminded, escalated };
}
