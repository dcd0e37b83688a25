/** What every `StatsStore` promises, whatever keeps the data. */
import { expect, it } from 'vitest';
import type { StatFact } from '../../functions/domain/stat-facts';
import { type MakePorts, winners } from './ports';

const fact = (day: string, id: string, extra: Partial<StatFact> = {}): StatFact => ({
  day,
  id,
  kind: 'signup',
  cohort: '2026-W10',
  source: 'none',
  ...extra,
});

export function statsStoreContract(make: MakePorts): void {
  it('files a fact once: writing it again, even with other values, changes nothing', async () => {
    const { stats } = await make();
    expect(await stats.note(fact('2026-03-02', 'signup#a', { source: 'newsletter' }))).toBe(true);
    expect(await stats.note(fact('2026-03-02', 'signup#a', { source: 'podcast' }))).toBe(false);
    expect(await stats.note(fact('2026-03-03', 'signup#a'))).toBe(true);
    expect(await stats.factsOn('2026-03-02')).toEqual([
      fact('2026-03-02', 'signup#a', { source: 'newsletter' }),
    ]);
    expect(await stats.factsOn('2026-03-04')).toEqual([]);
  });

  it('lets exactly one of several racing writes of one fact count', async () => {
    const { stats } = await make();
    const note = () => stats.note(fact('2026-03-02', 'confirmed#a', { kind: 'confirmed' }));
    expect(await winners([note(), note(), note()], true)).toBe(1);
    expect(await stats.factsOn('2026-03-02')).toHaveLength(1);
  });

  it('finds one person’s mail facts of a day by their digest, and no one else’s', async () => {
    const { stats } = await make();
    const mail = (person: string, key: string, kind: 'delivered' | 'bounced') =>
      fact('2026-03-02', `mail#${person}#${key}#${kind}`, {
        kind,
        key,
        person,
        at: '2026-03-02T08:00:01.000Z',
      });
    await stats.note(mail('p1', 'welcome', 'delivered'));
    await stats.note(mail('p1', 'lesson-1', 'bounced'));
    await stats.note(mail('p10', 'welcome', 'delivered'));
    const found = await stats.mailFactsOf('p1', '2026-03-02');
    expect(found.map((f) => f.id).sort()).toEqual(['mail#p1#lesson-1#bounced', 'mail#p1#welcome#delivered']);
  });

  it('keeps the first signup day and follows the latest', async () => {
    const { stats } = await make();
    expect(await stats.signupDays()).toBeUndefined();
    await stats.noteSignupDay('2026-03-02');
    await stats.noteSignupDay('2026-03-05');
    expect(await stats.signupDays()).toEqual({ first: '2026-03-02', last: '2026-03-05' });
    // A resend counts an older signup again: the last day stays where it was.
    await stats.noteSignupDay('2026-03-03');
    expect(await stats.signupDays()).toEqual({ first: '2026-03-02', last: '2026-03-05' });
  });
}
