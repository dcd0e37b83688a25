/** What every `SubscriberStore` promises, whatever keeps the data. */
import { describe, expect, it } from 'vitest';
import { MalformedCursorError } from '../../functions/adapters/dynamo-document';
import type { PlanChange, SubscriberStore } from '../../functions/domain/ports';
import type { Replan } from '../../functions/domain/schedule-changes';
import { dueShard } from '../../functions/domain/subscriber';
import { at, confirmed, type MakePorts, pending, SHARDS, storeActive, T0, winners } from './ports';

/** `count` ids that all fall in due-index shard 0, so one shard holds more than a page. */
function idsInShardZero(prefix: string, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; ids.length < count; i++)
    if (dueShard(`${prefix}${i}`, SHARDS) === 0) ids.push(`${prefix}${i}`);
  return ids;
}

/** Every id the due index lists for one shard at `now`, page after page. */
async function walkDue(
  store: SubscriberStore,
  shard: number,
  now: string,
  between?: (ids: string[]) => Promise<void>,
) {
  const seen: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.findDue(shard, now, cursor);
    seen.push(...page.entries.map((e) => e.id));
    pageSizes.push(page.entries.length);
    await between?.(page.entries.map((e) => e.id));
    cursor = page.cursor;
  } while (cursor);
  return { seen, pageSizes };
}

const send = (step: number, sentAt = at(1)) => ({
  step,
  key: `lesson-${step + 1}`,
  messageId: `m-${step}`,
  sentAt,
});

function signupAndStop(make: MakePorts): void {
  it('keeps a subscriber findable by id and by address, and nothing for the unknown', async () => {
    const { subscribers } = await make();
    expect(await subscribers.create(pending('ann'))).toBe(true);
    expect(await subscribers.get('ann')).toEqual(pending('ann'));
    expect(await subscribers.findByEmail('ann@example.com')).toEqual(pending('ann'));
    expect(await subscribers.get('nobody')).toBeUndefined();
    expect(await subscribers.findByEmail('nobody@example.com')).toBeUndefined();
  });

  it('refuses a second subscriber with an address already known, and keeps the first', async () => {
    const { subscribers } = await make();
    await subscribers.create(pending('ann'));
    expect(await subscribers.create(pending('bob', 'ann@example.com'))).toBe(false);
    expect((await subscribers.findByEmail('ann@example.com'))?.id).toBe('ann');
    expect(await subscribers.get('bob')).toBeUndefined();
  });

  it('lets exactly one of several signups racing for one address in', async () => {
    const { subscribers } = await make();
    const ids = ['r1', 'r2', 'r3', 'r4'];
    const results = await Promise.all(ids.map((id) => subscribers.create(pending(id, 'race@example.com'))));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = ids[results.indexOf(true)];
    expect((await subscribers.findByEmail('race@example.com'))?.id).toBe(winner);
    for (const id of ids.filter((id) => id !== winner)) expect(await subscribers.get(id)).toBeUndefined();
  });

  it('takes the resend window of a pending subscriber once per window, changing nothing else', async () => {
    const { subscribers } = await make();
    await subscribers.create(pending('ann'));
    expect(await subscribers.requestConfirmation('ann', at(0), at(0))).toBe(true);
    expect(await subscribers.requestConfirmation('ann', at(5), at(-10))).toBe(false);
    expect(await subscribers.requestConfirmation('ann', at(5), at(0))).toBe(false);
    expect(await subscribers.requestConfirmation('ann', at(20), at(5))).toBe(true);
    expect(await subscribers.get('ann')).toEqual({ ...pending('ann'), confirmationRequestedAt: at(20) });
  });

  it('takes no resend window for a subscriber who is not pending, or unknown', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    expect(await subscribers.requestConfirmation('ann', at(1), at(1))).toBe(false);
    expect(await subscribers.requestConfirmation('nobody', at(1), at(1))).toBe(false);
  });

  it('lets exactly one of two racing resend requests through', async () => {
    const { subscribers } = await make();
    await subscribers.create(pending('ann'));
    const request = () => subscribers.requestConfirmation('ann', at(1), at(1));
    expect(await winners([request(), request()], true)).toBe(1);
  });

  it('stamps a sent confirmation on a pending subscriber only', async () => {
    const { subscribers } = await make();
    await subscribers.create(pending('ann'));
    await storeActive(subscribers, 'bob');
    await subscribers.stampConfirmationSent('ann', at(3));
    await subscribers.stampConfirmationSent('bob', at(3));
    await subscribers.stampConfirmationSent('nobody', at(3));
    expect((await subscribers.get('ann'))?.confirmationSentAt).toBe(at(3));
    expect((await subscribers.get('bob'))?.confirmationSentAt).toBeUndefined();
    expect(await subscribers.get('nobody')).toBeUndefined();
  });

  it('keeps pending changes aside by id, leaving the profile as it was', async () => {
    const { subscribers } = await make();
    await subscribers.create(pending('ann'));
    const change = {
      id: 'c1',
      firstName: 'Mallory',
      timeZone: 'Asia/Tokyo',
      sendHour: 3,
      requestedAt: at(20),
    };
    await subscribers.addPendingChange('ann', change);
    await subscribers.addPendingChange('ann', { ...change, id: 'c2', firstName: 'Anne' });
    expect(await subscribers.getPendingChange('ann', 'c1')).toEqual(change);
    expect((await subscribers.getPendingChange('ann', 'c2'))?.firstName).toBe('Anne');
    expect(await subscribers.getPendingChange('ann', 'c3')).toBeUndefined();
    expect(await subscribers.getPendingChange('bob', 'c1')).toBeUndefined();
    expect(await subscribers.get('ann')).toEqual(pending('ann'));
  });

  it('activates with the confirmed details, which may differ from those stored at signup', async () => {
    const { subscribers } = await make();
    await subscribers.create(pending('ann'));
    const active = { ...confirmed(pending('ann')), firstName: 'Anne', timeZone: 'Europe/Paris', sendHour: 6 };
    expect(await subscribers.activate(active)).toBe(true);
    expect(await subscribers.get('ann')).toEqual(active);
  });

  it('activates a pending subscriber once, onto the due index', async () => {
    const { subscribers } = await make();
    await subscribers.create(pending('ann'));
    const active = confirmed(pending('ann'));
    expect(await winners([subscribers.activate(active), subscribers.activate(active)], true)).toBe(1);
    expect(await subscribers.get('ann')).toEqual(active);
    expect(await subscribers.activate(active)).toBe(false);
    const shard = dueShard('ann', SHARDS);
    expect((await subscribers.findDue(shard, T0)).entries).toEqual([{ id: 'ann', nextSendAt: T0 }]);
  });

  it('completes at once a subscriber confirmed into a course with no steps, off the due index', async () => {
    const { subscribers } = await make();
    await subscribers.create(pending('ann'));
    const done = { ...pending('ann'), status: 'completed' as const, confirmedAt: T0, endedAt: T0 };
    expect(await subscribers.activate(done)).toBe(true);
    expect(await subscribers.get('ann')).toEqual(done);
    expect(await subscribers.earliestDue(dueShard('ann', SHARDS))).toBeUndefined();
  });

  it('stops a subscriber once: off the due index, never claimed again', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    expect(await subscribers.stop('ann', 'unsubscribed', at(1))).toBe(true);
    expect(await subscribers.stop('ann', 'complained', at(2))).toBe(false);
    expect(await subscribers.stop('nobody', 'bounced', at(2))).toBe(false);
    const stopped = await subscribers.get('ann');
    expect(stopped).toMatchObject({ status: 'unsubscribed', endedAt: at(1) });
    expect(stopped?.nextSendAt).toBeUndefined();
    expect((await subscribers.findDue(dueShard('ann', SHARDS), at(60))).entries).toEqual([]);
    expect(await subscribers.claimDue('ann', at(60), at(65))).toBeUndefined();
  });

  it('lets exactly one of several racing stops through, and keeps its reason', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    const reasons = ['unsubscribed', 'bounced', 'complained'] as const;
    const results = await Promise.all(reasons.map((reason) => subscribers.stop('ann', reason, at(1))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await subscribers.get('ann'))?.status).toBe(reasons[results.indexOf(true)]);
  });
}

function dueIndex(make: MakePorts): void {
  it('lists in one shard only the subscribers due by now, earliest first', async () => {
    const { subscribers } = await make();
    const [a, b, c, later] = idsInShardZero('due', 4);
    await storeActive(subscribers, a!, at(30));
    await storeActive(subscribers, b!, at(10));
    await storeActive(subscribers, c!, at(20));
    await storeActive(subscribers, later!, at(90));
    const other = ['o0', 'o1', 'o2', 'o3', 'o4'].find((id) => dueShard(id, SHARDS) !== 0)!;
    await storeActive(subscribers, other, at(10));
    expect((await subscribers.findDue(0, at(30))).entries).toEqual([
      { id: b, nextSendAt: at(10) },
      { id: c, nextSendAt: at(20) },
      { id: a, nextSendAt: at(30) },
    ]);
    expect(await subscribers.earliestDue(0)).toBe(at(10));
    expect(await subscribers.earliestDue(dueShard(other, SHARDS))).toBe(at(10));
  });

  it('pages through a shard with more due subscribers than one page holds, each once', async () => {
    const { subscribers } = await make();
    const ids = idsInShardZero('page', 110);
    for (const [i, id] of ids.entries()) await storeActive(subscribers, id, at(i % 7));
    const { seen, pageSizes } = await walkDue(subscribers, 0, at(10));
    expect(pageSizes[0]).toBe(100);
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it('skips nobody when subscribers listed on one page are sent and move on before the next page', async () => {
    const { subscribers } = await make();
    const ids = idsInShardZero('move', 110);
    for (const id of ids) await storeActive(subscribers, id, T0);
    const { seen } = await walkDue(subscribers, 0, at(10), async (page) => {
      for (const id of page) {
        await subscribers.claimDue(id, at(1), at(6));
        await subscribers.recordSend(id, send(0), { nextSendAt: at(60) });
      }
    });
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it('refuses, by name, a due-index cursor it did not hand out', async () => {
    const { subscribers } = await make();
    await expect(subscribers.findDue(0, T0, 'not a cursor')).rejects.toThrow(MalformedCursorError);
  });
}

function claimsAndSends(make: MakePorts): void {
  it('claims a due subscriber for the lease, and refuses while the lease is live', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann', at(10));
    expect(await subscribers.claimDue('ann', at(9), at(14))).toBeUndefined();
    expect(await subscribers.claimDue('ann', at(10), at(15))).toEqual(confirmed(pending('ann'), at(10)));
    expect(await subscribers.claimDue('ann', at(12), at(17))).toBeUndefined();
    expect(await subscribers.claimDue('ann', at(15), at(20))).toBeUndefined();
    expect(await subscribers.claimDue('ann', at(16), at(21))).toEqual(confirmed(pending('ann'), at(10)));
    expect(await subscribers.get('ann')).toEqual(confirmed(pending('ann'), at(10)));
    expect(await subscribers.claimDue('nobody', at(16), at(21))).toBeUndefined();
  });

  it('lets exactly one of several racing claims hold the lease', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    const claims = [1, 2, 3, 4].map(() => subscribers.claimDue('ann', at(1), at(6)));
    expect((await Promise.all(claims)).filter(Boolean)).toHaveLength(1);
  });

  it('lets a released claim be taken again at once, but only when released for the current step', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    await subscribers.claimDue('ann', at(1), at(6));
    await subscribers.releaseStep('ann', 3);
    expect(await subscribers.claimDue('ann', at(2), at(7))).toBeUndefined();
    await subscribers.releaseStep('ann', 0);
    expect(await subscribers.claimDue('ann', at(2), at(7))).toBeDefined();
  });

  it('records a send once: the step moves on, the lease is let go, the ledger keeps it', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    await subscribers.claimDue('ann', at(1), at(6));
    expect(await subscribers.recordSend('ann', send(0), { nextSendAt: at(30) })).toBe('recorded');
    expect(await subscribers.recordSend('ann', send(0), { nextSendAt: at(30) })).toBe('duplicate');
    expect(await subscribers.get('ann')).toMatchObject({
      status: 'active',
      step: 1,
      lastSentAt: at(1),
      nextSendAt: at(30),
    });
    expect(await subscribers.listSends('ann')).toEqual([send(0)]);
    expect(await subscribers.claimDue('ann', at(2), at(7))).toBeUndefined();
    expect(await subscribers.claimDue('ann', at(30), at(35))).toMatchObject({ step: 1 });
    expect(await subscribers.recordSend('nobody', send(0), {})).toBe('duplicate');
  });

  it('completes the ledger of a step the profile moved past without its row, once, and of nothing else', async () => {
    const { subscribers } = await make();
    const ann = pending('ann');
    await subscribers.create(ann);
    await subscribers.activate({ ...confirmed(ann), step: 2 });
    const profile = (await subscribers.get('ann'))!;
    const racing = [1, 2, 3].map(() => subscribers.completeLedger(profile, send(1)));
    expect(await winners(racing, true)).toBe(1);
    expect(await subscribers.completeLedger(profile, send(1))).toBe(false);
    expect(await subscribers.completeLedger(profile, send(2))).toBe(false);
    expect(await subscribers.completeLedger({ ...profile, step: 1 }, send(1))).toBe(false);
    expect(await subscribers.listSends('ann')).toEqual([send(1)]);
    expect(await subscribers.get('ann')).toMatchObject({ step: 2 });
  });

  it('marks the latest transient bounce on the profile, never an older one over it, and no unknown subscriber', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    expect((await subscribers.get('ann'))?.transientBounceAt).toBeUndefined();
    await Promise.all([at(5), at(9), at(7)].map((when) => subscribers.markTransientBounce('ann', when)));
    expect(await subscribers.get('ann')).toMatchObject({ transientBounceAt: at(9), status: 'active' });
    await subscribers.markTransientBounce('ann', at(3));
    expect((await subscribers.get('ann'))?.transientBounceAt).toBe(at(9));
    await subscribers.markTransientBounce('nobody', at(9));
    expect(await subscribers.get('nobody')).toBeUndefined();
  });

  it('records exactly one of several racing sends of one step; the others are duplicates', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    const sends = [1, 2, 3].map(() => subscribers.recordSend('ann', send(0), { nextSendAt: at(30) }));
    expect((await Promise.all(sends)).sort()).toEqual(['duplicate', 'duplicate', 'recorded']);
    expect(await subscribers.listSends('ann')).toEqual([send(0)]);
  });

  it('completes a subscriber whose last step is recorded, off the due index', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    expect(await subscribers.recordSend('ann', send(0), { completed: true })).toBe('recorded');
    const done = await subscribers.get('ann');
    expect(done).toMatchObject({ status: 'completed', step: 1, endedAt: at(1) });
    expect(done?.nextSendAt).toBeUndefined();
    expect(await subscribers.earliestDue(dueShard('ann', SHARDS))).toBeUndefined();
  });

  it('records a send that was in flight when the subscriber stopped as stopped, keeping them stopped', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    await subscribers.claimDue('ann', at(1), at(6));
    await subscribers.stop('ann', 'unsubscribed', at(1));
    expect(await subscribers.recordSend('ann', send(0), { nextSendAt: at(30) })).toBe('stopped');
    const stopped = await subscribers.get('ann');
    expect(stopped).toMatchObject({ status: 'unsubscribed', step: 1, lastSentAt: at(1) });
    expect(stopped?.nextSendAt).toBeUndefined();
    expect(await subscribers.listSends('ann')).toEqual([send(0)]);
    expect(await subscribers.recordSend('ann', send(0), { nextSendAt: at(30) })).toBe('duplicate');
  });

  it('lists every send of a subscriber in step order', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    for (const step of [0, 1, 2])
      await subscribers.recordSend('ann', send(step), { nextSendAt: at(step + 2) });
    expect((await subscribers.listSends('ann')).map((s) => s.step)).toEqual([0, 1, 2]);
    expect(await subscribers.listSends('nobody')).toEqual([]);
  });
}

/** A plan a change would write: step `step` due at `nextSendAt`. */
const plan = (step: number, nextSendAt: string, extra: Partial<Replan> = {}): Replan => ({
  status: 'active',
  step,
  sendHour: 18,
  timeZone: 'Asia/Kathmandu',
  anchorAt: T0,
  nextSendAt,
  restarts: 0,
  ...extra,
});
const change = (minutes: number, action = 'update') => ({
  at: at(minutes),
  action,
  details: { sendHour: 18 },
});
const activeAt = (step: number) => ({ status: 'active' as const, step, version: 0 });
/** A change of `planned`, expecting `expected`, made `minutes` after T0 (or at `nowMinutes`). */
const planChange = (
  expected: PlanChange['expected'],
  planned: Replan,
  minutes: number,
  action = 'update',
  nowMinutes = minutes,
): PlanChange => ({ expected, plan: planned, record: change(minutes, action), now: at(nowMinutes) });

function subscriberChanges(make: MakePorts): void {
  it('writes a change once onto the due index, bumps the version, and keeps it in the history', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann', at(10));
    const paused = plan(0, at(600), { pausedUntil: at(500) });
    expect(await subscribers.changePlan('ann', planChange(activeAt(0), paused, 1, 'pause'))).toBe(true);
    expect(await subscribers.get('ann')).toMatchObject({ ...paused, version: 1 });
    expect(await subscribers.claimDue('ann', at(20), at(25))).toBeUndefined();
    expect(await subscribers.findDue(dueShard('ann', SHARDS), at(599))).toEqual({ entries: [] });
    expect(await subscribers.earliestDue(dueShard('ann', SHARDS))).toBe(at(600));
    expect(await subscribers.changePlan('ann', planChange(activeAt(0), plan(0, at(30)), 2))).toBe(false);
    const resumed = plan(0, at(30));
    expect(
      await subscribers.changePlan('ann', planChange({ ...activeAt(0), version: 1 }, resumed, 3, 'resume')),
    ).toBe(true);
    expect((await subscribers.get('ann'))?.pausedUntil).toBeUndefined();
    expect(await subscribers.listChanges('ann')).toEqual([change(1, 'pause'), change(3, 'resume')]);
    expect(await subscribers.listChanges('nobody')).toEqual([]);
  });

  it('refuses a change while a send holds a live claim, and takes it once the send is recorded', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    await subscribers.claimDue('ann', at(1), at(6));
    expect(await subscribers.changePlan('ann', planChange(activeAt(0), plan(0, at(900)), 2))).toBe(false);
    await subscribers.recordSend('ann', send(0), { nextSendAt: at(30) });
    expect(await subscribers.changePlan('ann', planChange(activeAt(0), plan(0, at(900)), 3))).toBe(false);
    expect(await subscribers.changePlan('ann', planChange(activeAt(1), plan(1, at(900)), 3))).toBe(true);
    expect(await subscribers.get('ann')).toMatchObject({ step: 1, nextSendAt: at(900), lastSentAt: at(1) });
  });

  it('lets exactly one of several racing changes from one read through', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    const changes = [1, 2, 3].map((n) =>
      subscribers.changePlan('ann', planChange(activeAt(0), plan(0, at(n * 100)), n, 'update', 1)),
    );
    expect((await Promise.all(changes)).filter(Boolean)).toHaveLength(1);
    expect(await subscribers.listChanges('ann')).toHaveLength(1);
  });

  it('restarts a completed subscriber back onto the due index, and refuses a stopped one', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    await subscribers.recordSend('ann', send(0), { completed: true });
    const restart = plan(0, at(100), { restarts: 1 });
    const completed = { status: 'completed' as const, step: 1, version: 0 };
    expect(await subscribers.changePlan('ann', planChange(completed, restart, 2, 'restart'))).toBe(true);
    const back = await subscribers.get('ann');
    expect(back).toMatchObject({ status: 'active', step: 0, restarts: 1, nextSendAt: at(100) });
    expect(back?.endedAt).toBeUndefined();
    expect(await subscribers.earliestDue(dueShard('ann', SHARDS))).toBe(at(100));
    await subscribers.stop('ann', 'unsubscribed', at(3));
    expect(await subscribers.changePlan('ann', planChange({ ...activeAt(0), version: 1 }, restart, 4))).toBe(
      false,
    );
  });

  it('keeps the sends of each run of the course apart in the ledger', async () => {
    const { subscribers } = await make();
    await storeActive(subscribers, 'ann');
    await subscribers.recordSend('ann', send(0), { nextSendAt: at(2) });
    await subscribers.changePlan(
      'ann',
      planChange(activeAt(1), plan(0, at(5), { restarts: 1 }), 3, 'restart'),
    );
    const again = { ...send(0, at(5)), run: 1 };
    expect(await subscribers.recordSend('ann', again, { nextSendAt: at(900) })).toBe('recorded');
    expect(await subscribers.listSends('ann')).toEqual([send(0), again]);
  });
}

export function subscriberStoreContract(make: MakePorts): void {
  describe('signup, confirmation and stop', () => signupAndStop(make));
  describe('the due index', () => dueIndex(make));
  describe('claims and sends', () => claimsAndSends(make));
  describe("the subscriber's own changes", () => subscriberChanges(make));
}
