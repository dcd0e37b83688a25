/** What every `Safeguards` promises, whatever keeps the data. */
import { expect, it } from 'vitest';
import type { RateLimit } from '../../functions/domain/rate-limit';
import { at, type MakePorts, winners } from './ports';

const limit: RateLimit = { name: 'ip', limit: 3, windowMs: 600_000 };

export function safeguardsContract(make: MakePorts): void {
  it('suppresses an address once, keeping it suppressed', async () => {
    const { safeguards } = await make();
    const { suppressions } = safeguards;
    expect(await suppressions.isSuppressed('hash-a')).toBe(false);
    expect(await suppressions.suppress('hash-a', 'bounce', at(0))).toBe(true);
    expect(await suppressions.suppress('hash-a', 'complaint', at(1))).toBe(false);
    expect(await suppressions.isSuppressed('hash-a')).toBe(true);
    expect(await suppressions.isSuppressed('hash-b')).toBe(false);
  });

  it('lets exactly one of several racing suppressions of one address count as the first', async () => {
    const { safeguards } = await make();
    const suppress = () => safeguards.suppressions.suppress('hash-a', 'complaint', at(0));
    expect(await winners([suppress(), suppress(), suppress()], true)).toBe(1);
  });

  it('counts each transient bounce once, and starts again after a later delivery', async () => {
    const { bounces } = (await make()).safeguards;
    expect(await bounces.countTransient('ann', 'f1', at(1))).toBe(1);
    expect(await bounces.countTransient('ann', 'f1', at(1))).toBe(1);
    expect(await bounces.countTransient('ann', 'f2', at(2))).toBe(2);
    expect(await bounces.countTransient('bob', 'f9', at(2))).toBe(1);
    await bounces.resetTransient('ann', at(3));
    expect(await bounces.countTransient('ann', 'f3', at(4))).toBe(1);
  });

  it('forgives no bounce newer than a delivery, and counts no bounce older than one', async () => {
    const { bounces } = (await make()).safeguards;
    await bounces.countTransient('ann', 'f1', at(10));
    await bounces.resetTransient('ann', at(5));
    expect(await bounces.countTransient('ann', 'f2', at(11))).toBe(2);
    await bounces.resetTransient('ann', at(20));
    expect(await bounces.countTransient('ann', 'late', at(15))).toBe(0);
    await bounces.resetTransient('cat', at(20));
    expect(await bounces.countTransient('cat', 'f1', at(21))).toBe(1);
  });

  it('counts racing transient bounces each once', async () => {
    const { bounces } = (await make()).safeguards;
    const counts = await Promise.all(
      ['f1', 'f2', 'f3', 'f1'].map((id) => bounces.countTransient('ann', id, at(1))),
    );
    expect(Math.max(...counts)).toBe(3);
    expect(await bounces.countTransient('ann', 'f3', at(2))).toBe(3);
  });

  it('counts hits per limit, subject and window, racing hits included', async () => {
    const { limiter } = (await make()).safeguards;
    const window = new Date(at(0));
    const hits = await Promise.all([1, 2, 3, 4].map(() => limiter.hit(limit, 'client-a', window)));
    expect(hits.sort()).toEqual([1, 2, 3, 4]);
    expect(await limiter.hit(limit, 'client-b', window)).toBe(1);
    expect(await limiter.hit({ ...limit, name: 'ip-day' }, 'client-a', window)).toBe(1);
    expect(await limiter.hit(limit, 'client-a', new Date(at(10)))).toBe(1);
  });

  it('reads a count without adding a hit', async () => {
    const { limiter } = (await make()).safeguards;
    const window = new Date(at(0));
    expect(await limiter.count(limit, 'client-a', window)).toBe(0);
    await limiter.hit(limit, 'client-a', window);
    await limiter.hit(limit, 'client-a', window);
    expect(await limiter.count(limit, 'client-a', window)).toBe(2);
    expect(await limiter.count(limit, 'client-a', window)).toBe(2);
    expect(await limiter.count(limit, 'client-b', window)).toBe(0);
  });
}
