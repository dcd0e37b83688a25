import { DomainError, InvalidTokenError } from '../domain/errors';
import type { ChangeRecord, SendRecord } from '../domain/ports';
import { replan, type ScheduleChange } from '../domain/schedule-changes';
import type { Subscriber } from '../domain/subscriber';
import { verifyToken } from '../domain/tokens';
import type { Deps } from './deps';

/** Attempts at a change before giving up: each waits for an email in flight to be recorded. */
const CHANGE_ATTEMPTS = 8;
const CHANGE_RETRY_MS = 250;

/** An email is being sent to the subscriber right now, for longer than a change waits; try again soon. */
export class ChangeBusyError extends DomainError {
  constructor() {
    super('An email is on its way to you right now.');
    this.name = 'ChangeBusyError';
  }
}

/** The subscriber a manage token stands for; InvalidTokenError when it is tampered, foreign or erased. */
export async function subscriberForToken(deps: Deps, token: string): Promise<Subscriber> {
  const id = verifyToken(deps.keys, 'manage', token, deps.clock.now().getTime());
  const subscriber = await deps.store.get(id);
  if (!subscriber) throw new InvalidTokenError('signature');
  return subscriber;
}

function describeChange(change: ScheduleChange, subscriber: Subscriber): ChangeRecord['details'] {
  const plan = {
    ...(subscriber.nextSendAt ? { nextSendAt: subscriber.nextSendAt } : {}),
    ...(subscriber.pausedUntil ? { pausedUntil: subscriber.pausedUntil } : {}),
  };
  if (change.action === 'update') return { sendHour: change.sendHour, timeZone: change.timeZone, ...plan };
  if (change.action === 'pause') return { days: change.days, ...plan };
  if (change.action === 'restart') return { restarts: subscriber.restarts ?? 0, ...plan };
  return plan;
}

/**
 * Applies a subscriber's change: read, re-plan (pure), write conditionally on the state read and on no
 * send being in flight, then record it in their history. A change that meets a send waits for it to be
 * recorded and re-plans from what was sent, so the two resolve to one consistent state.
 * Throws ChangeRefusedError (the state does not allow it) or ChangeBusyError.
 */
export async function changeSchedule(deps: Deps, token: string, change: ScheduleChange): Promise<Subscriber> {
  for (let attempt = 0; attempt < CHANGE_ATTEMPTS; attempt++) {
    const subscriber = await subscriberForToken(deps, token);
    const now = deps.clock.now();
    const plan = replan(subscriber, deps.steps, change, now);
    const updated: Subscriber = { ...subscriber, ...plan, endedAt: undefined };
    const record = { at: now.toISOString(), action: change.action, details: describeChange(change, updated) };
    const expected = { status: subscriber.status, step: subscriber.step, version: subscriber.version ?? 0 };
    if (await deps.store.changePlan(subscriber.id, { expected, plan, record, now: now.toISOString() })) {
      deps.log.info('subscriber changed their course', {
        subscriberId: subscriber.id,
        action: change.action,
      });
      return { ...updated, version: expected.version + 1 };
    }
    await deps.sleep(CHANGE_RETRY_MS);
  }
  throw new ChangeBusyError();
}

/** The emails a subscriber has received, in course order, each once (its latest send after restarts). */
export async function receivedEmails(deps: Deps, subscriberId: string): Promise<SendRecord[]> {
  const latest = new Map<string, SendRecord>();
  for (const send of await deps.store.listSends(subscriberId)) latest.set(send.key, send);
  return [...latest.values()].sort((a, b) => a.step - b.step);
}
