/**
 * A subscriber's change racing the dispatcher's send, on the real stand-ins (dynalite's conditional writes,
 * the SES stand-in): the two resolve to one consistent state, and a pause never lets a claimed email out.
 */
import { describe, expect, it } from 'vitest';
import { deliverDueStep } from '../../functions/app/deliver';
import { changeSchedule } from '../../functions/app/manage';
import type { Subscriber } from '../../functions/domain/subscriber';
import { signToken } from '../../functions/domain/tokens';
import { wallTimeAt } from '../../functions/domain/zoned-time';
import { travel } from '../../functions/local/time-travel';
import { activeSubscriber, emailsTo, useTestStack } from '../support/stack';

const testStack = useTestStack();
let people = 0;

/** A subscriber whose welcome went out and whose lesson 1 is due now, with their manage token. */
async function dueForLessonOne(): Promise<{ subscriber: Subscriber; token: string; email: string }> {
  const email = `race${people++}@example.com`;
  const active = await activeSubscriber(testStack(), { email, timeZone: 'Asia/Kathmandu' });
  await travel(testStack().deps, testStack().clock, 0);
  const current = (await testStack().deps.store.get(active.id)) as Subscriber;
  testStack().clock.moveTo(new Date(current.nextSendAt ?? ''));
  const token = signToken(testStack().deps.keys, 'manage', active.id, 0);
  return { subscriber: current, token, email };
}

describe('a change racing a send', () => {
  it('a pause posted while the dispatcher holds the claim waits for the send, then moves the next email past the pause', async () => {
    const { subscriber, token, email } = await dueForLessonOne();
    let pausing: Promise<Subscriber> | undefined;
    const outcome = await deliverDueStep(
      testStack().deps,
      subscriber.id,
      testStack().clock.now(),
      async () => {
        pausing = changeSchedule(testStack().deps, token, { action: 'pause', days: 4 });
        // Give the pause time to meet the live claim before the email goes out.
        await new Promise((resolve) => setTimeout(resolve, 300));
      },
    );
    const paused = await pausing;
    expect(outcome).toBe('sent');
    const stored = (await testStack().deps.store.get(subscriber.id)) as Subscriber;
    expect(stored).toMatchObject({ step: subscriber.step + 1, version: 1, pausedUntil: paused?.pausedUntil });
    expect(Date.parse(stored.nextSendAt ?? '')).toBeGreaterThanOrEqual(Date.parse(stored.pausedUntil ?? ''));
    expect(await testStack().deps.store.listChanges(subscriber.id)).toHaveLength(1);
    const sentBefore = (await emailsTo(testStack(), email)).length;
    await travel(testStack().deps, testStack().clock, 24 * 3.9);
    expect(await emailsTo(testStack(), email)).toHaveLength(sentBefore);
  });

  it('resolves every race of a new hour with a send to the send once and the new hour for what follows', async () => {
    const people = await Promise.all([1, 2, 3, 4, 5, 6].map(() => dueForLessonOne()));
    const now = testStack().clock.now();
    await Promise.all(
      people.flatMap(({ subscriber, token }, i) => {
        const send = deliverDueStep(testStack().deps, subscriber.id, now);
        const change = changeSchedule(testStack().deps, token, {
          action: 'update',
          sendHour: 19,
          timeZone: 'Asia/Kolkata',
        });
        return i % 2 === 0 ? [send, change] : [change, send];
      }),
    );
    for (const { subscriber, email } of people) {
      const stored = (await testStack().deps.store.get(subscriber.id)) as Subscriber;
      const sends = await testStack().deps.store.listSends(subscriber.id);
      // Either the send came first (lesson 1 sent, lesson 2 planned at the new hour) or the change did (lesson 1 moved).
      expect(sends.map((send) => send.step)).toEqual(Array.from({ length: stored.step }, (_, step) => step));
      expect(await emailsTo(testStack(), email)).toHaveLength(sends.length);
      expect(stored).toMatchObject({ sendHour: 19, timeZone: 'Asia/Kolkata', version: 1 });
      const local = wallTimeAt('Asia/Kolkata', Date.parse(stored.nextSendAt ?? ''));
      expect([local.hour, local.minute]).toEqual([19, 0]);
    }
  });
});
