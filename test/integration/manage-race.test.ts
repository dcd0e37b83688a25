/**
 * A subscriber's change racing the dispatcher's send, on the real stand-ins (dynalite's conditional writes,
 * the SES stand-in): the two resolve to one consistent state, and a pause never lets a claimed email out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDueStep } from '../../functions/app/deliver';
import { changeSchedule } from '../../functions/app/manage';
import type { Subscriber } from '../../functions/domain/subscriber';
import { signToken } from '../../functions/domain/tokens';
import { wallTimeAt } from '../../functions/domain/zoned-time';
import { travel } from '../../functions/local/time-travel';
import { activeSubscriber, emailsTo, startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let people = 0;

beforeAll(async () => {
  stack = await startTestStack();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

/** A subscriber whose welcome went out and whose lesson 1 is due now, with their manage token. */
async function dueForLessonOne(): Promise<{ subscriber: Subscriber; token: string; email: string }> {
  const email = `race${people++}@example.com`;
  const active = await activeSubscriber(stack, { email, timeZone: 'Asia/Kathmandu' });
  await travel(stack.deps, stack.clock, 0);
  const current = (await stack.deps.store.get(active.id)) as Subscriber;
  stack.clock.moveTo(new Date(current.nextSendAt ?? ''));
  const token = signToken(stack.deps.keys, 'manage', active.id, 0);
  return { subscriber: current, token, email };
}

describe('a change racing a send', () => {
  it('a pause posted while the dispatcher holds the claim waits for the send, then moves the next email past the pause', async () => {
    const { subscriber, token, email } = await dueForLessonOne();
    let pausing: Promise<Subscriber> | undefined;
    const outcome = await deliverDueStep(stack.deps, subscriber.id, stack.clock.now(), async () => {
      pausing = changeSchedule(stack.deps, token, { action: 'pause', days: 4 });
      // Give the pause time to meet the live claim before the email goes out.
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    const paused = await pausing;
    expect(outcome).toBe('sent');
    const stored = (await stack.deps.store.get(subscriber.id)) as Subscriber;
    expect(stored).toMatchObject({ step: subscriber.step + 1, version: 1, pausedUntil: paused?.pausedUntil });
    expect(Date.parse(stored.nextSendAt ?? '')).toBeGreaterThanOrEqual(Date.parse(stored.pausedUntil ?? ''));
    expect(await stack.deps.store.listChanges(subscriber.id)).toHaveLength(1);
    const sentBefore = (await emailsTo(stack, email)).length;
    await travel(stack.deps, stack.clock, 24 * 3.9);
    expect(await emailsTo(stack, email)).toHaveLength(sentBefore);
  });

  it('resolves every race of a new hour with a send to the send once and the new hour for what follows', async () => {
    const people = await Promise.all([1, 2, 3, 4, 5, 6].map(() => dueForLessonOne()));
    const now = stack.clock.now();
    await Promise.all(
      people.flatMap(({ subscriber, token }, i) => {
        const send = deliverDueStep(stack.deps, subscriber.id, now);
        const change = changeSchedule(stack.deps, token, {
          action: 'update',
          sendHour: 19,
          timeZone: 'Asia/Kolkata',
        });
        return i % 2 === 0 ? [send, change] : [change, send];
      }),
    );
    for (const { subscriber, email } of people) {
      const stored = (await stack.deps.store.get(subscriber.id)) as Subscriber;
      const sends = await stack.deps.store.listSends(subscriber.id);
      // Either the send came first (lesson 1 sent, lesson 2 planned at the new hour) or the change did (lesson 1 moved).
      expect(sends.map((send) => send.step)).toEqual(Array.from({ length: stored.step }, (_, step) => step));
      expect(await emailsTo(stack, email)).toHaveLength(sends.length);
      expect(stored).toMatchObject({ sendHour: 19, timeZone: 'Asia/Kolkata', version: 1 });
      const local = wallTimeAt('Asia/Kolkata', Date.parse(stored.nextSendAt ?? ''));
      expect([local.hour, local.minute]).toEqual([19, 0]);
    }
  });
});
