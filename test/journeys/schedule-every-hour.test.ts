import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/app/deps';
import { dispatchDue } from '../../functions/app/dispatch-due';
import type { SendRecord } from '../../functions/domain/ports';
import { planForHour } from '../../functions/domain/schedule';
import { storeActiveSubscriber } from '../support/console';
import { type MemoryDeps, memoryDeps } from '../support/memory/deps';

/**
 * A month of hourly dispatcher runs for 72 people, on the in-memory ports (the contract suite holds them
 * to the DynamoDB adapters' behaviour, due-index paging included): the schedule's every case in seconds.
 * The same course through the real stand-ins, DST included, is test/integration/course-schedule.test.ts.
 *
 * Every send hour in three zones, all confirming on 22 September 2027: Chatham (UTC+12:45) moves its
 * clocks forward on 26 September, during the lessons, so one night is an hour short; Lord Howe (UTC+10:30)
 * moves its clocks by half an hour on 3 October; St John's is UTC-2:30, behind UTC instead of ahead.
 */
const ZONES = ['Pacific/Chatham', 'Australia/Lord_Howe', 'America/St_Johns'];
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
const START = new Date('2027-09-22T15:00:00Z');
/** The dispatcher runs once an hour here (every 5 minutes in the cloud): a send may be up to a tick late. */
const TICK_MS = 3600_000;
/**
 * The travel clock is real time plus an offset, so the time a busy machine spends inside a run is on the
 * clock too: a send may be that much later than its tick, and a lesson spaced from it that much earlier.
 */
const LATE_MS = TICK_MS + 60_000;
const HOUR_MS = 3600_000;

/** The earliest moment anyone is due, across the due index's shards. */
async function earliestDue(deps: Deps): Promise<number | undefined> {
  const dues = await Promise.all(
    Array.from({ length: deps.settings.dueShards }, (_, shard) => deps.store.earliestDue(shard)),
  );
  const times = dues.filter((due): due is string => due !== undefined).map((due) => Date.parse(due));
  return times.length > 0 ? Math.min(...times) : undefined;
}

interface Person {
  email: string;
  timeZone: string;
  sendHour: number;
}

const people: Person[] = ZONES.flatMap((timeZone) =>
  HOURS.map((sendHour) => ({
    email: `${timeZone.replace(/\W/g, '-').toLowerCase()}-${sendHour}@example.com`,
    timeZone,
    sendHour,
  })),
);

describe('the schedule the dispatcher keeps, for every send hour in three zones', () => {
  let m: MemoryDeps;
  const sends = new Map<string, SendRecord[]>();
  const subjects = new Map<string, string[]>();

  beforeAll(async () => {
    m = memoryDeps({ MAX_SEND_RATE: 1000, DUE_SHARDS: 16 });
    m.clock.moveTo(START);
    const ids = new Map<string, string>();
    for (const person of people) ids.set(person.email, (await storeActiveSubscriber(m.deps, person)).id);
    // Thirty-one days of hourly dispatcher runs on the travel clock, skipping the hours when nothing is due.
    const end = START.getTime() + 31 * 24 * HOUR_MS;
    for (let tick = START.getTime(); tick <= end; ) {
      m.clock.moveTo(new Date(tick));
      await dispatchDue(m.deps);
      const next = await earliestDue(m.deps);
      if (next === undefined) break;
      tick = Math.max(
        tick + TICK_MS,
        START.getTime() + Math.ceil((next - START.getTime()) / TICK_MS) * TICK_MS,
      );
    }
    for (const [email, id] of ids) sends.set(email, await m.store.listSends(id));
    for (const email of m.mailer.sent)
      subjects.set(email.to, [...(subjects.get(email.to) ?? []), email.subject]);
  }, 120_000);

  afterAll(() => {
    expect(m.log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  const local = (person: Person, iso: string) => DateTime.fromISO(iso, { zone: person.timeZone });
  const at = (list: SendRecord[], key: string) => Date.parse(list.find((send) => send.key === key)!.sentAt);

  it('sends every subscriber every course email once, in manifest order', () => {
    const steps = m.deps.steps;
    for (const person of people) {
      expect(sends.get(person.email)!.map((send) => send.key)).toEqual(steps.map((step) => step.key));
      expect(subjects.get(person.email)).toEqual(
        steps.map((step) => m.deps.templates.manifest.emails.find((e) => e.key === step.key)!.subject),
      );
    }
  });

  it('never sends a check-in or follow-up between 21:00 and 08:00 local time', () => {
    const night: string[] = [];
    for (const person of people) {
      for (const send of sends.get(person.email)!) {
        const kind = m.deps.steps.find((step) => step.key === send.key)!.kind;
        if (kind !== 'checkin' && kind !== 'followup') continue;
        const hour = local(person, send.sentAt).hour;
        if (hour >= 21 || hour < 8)
          night.push(`${person.email} ${send.key} ${local(person, send.sentAt).toISO()}`);
      }
    }
    expect(night).toEqual([]);
  });

  it('keeps lessons at least 12 hours apart and every check-in or follow-up 6 hours from any lesson', () => {
    for (const person of people) {
      const list = sends.get(person.email)!;
      const kindOf = (key: string) => m.deps.steps.find((step) => step.key === key)!.kind;
      const lessons = list.filter((send) => kindOf(send.key) === 'lesson').map((s) => Date.parse(s.sentAt));
      lessons.slice(1).forEach((time, i) => {
        expect(time - lessons[i]!).toBeGreaterThanOrEqual(12 * HOUR_MS);
      });
      expect(lessons[0]! - at(list, 'welcome')).toBeGreaterThanOrEqual(12 * HOUR_MS);
      for (const send of list.filter((s) => ['checkin', 'followup'].includes(kindOf(s.key)))) {
        for (const lesson of lessons) {
          expect(Math.abs(Date.parse(send.sentAt) - lesson)).toBeGreaterThanOrEqual(6 * HOUR_MS);
        }
      }
    }
  });

  it('sends the day-3 check-in after lesson 3 and before lesson 4', () => {
    for (const person of people) {
      const list = sends.get(person.email)!;
      expect(at(list, 'checkin-3')).toBeGreaterThan(at(list, 'lesson-3'));
      expect(at(list, 'checkin-3')).toBeLessThan(at(list, 'lesson-4'));
    }
  });

  it('sends each lesson at the chosen local hour (later only past a DST gap or to keep the spacing)', () => {
    for (const person of people) {
      const list = sends.get(person.email)!;
      const confirmed = local(person, START.toISOString()).startOf('day');
      let previousLesson = at(list, 'welcome');
      list.forEach((send, index) => {
        if (!send.key.startsWith('lesson-')) return;
        const day = m.deps.steps[index]!.day;
        // luxon, the test's oracle, moves a wall time that does not exist forward past the gap.
        const nominal = confirmed.plus({ days: day }).set({ hour: person.sendHour }).toMillis();
        const previous = Date.parse(list[index - 1]!.sentAt);
        const gap = list[index - 1]!.key.startsWith('checkin') ? 6 * HOUR_MS : 0;
        const expected = Math.max(nominal, previousLesson + 12 * HOUR_MS, previous + gap);
        const sent = Date.parse(send.sentAt);
        expect(sent - expected, `${person.email} ${send.key}`).toBeGreaterThanOrEqual(0);
        expect(sent - expected, `${person.email} ${send.key}`).toBeLessThan(LATE_MS);
        previousLesson = sent;
      });
    }
  });

  it('sends check-ins and follow-ups on the day and at the time the confirm page states for the hour', () => {
    for (const person of people) {
      const list = sends.get(person.email)!;
      const confirmed = local(person, START.toISOString()).startOf('day');
      for (const planned of planForHour(m.deps.steps, person.sendHour)) {
        if (planned.kind !== 'checkin' && planned.kind !== 'followup') continue;
        const stated = confirmed
          .plus({ days: planned.day })
          .set({ hour: Number(planned.time.slice(0, 2)), minute: Number(planned.time.slice(3)) });
        const late = at(list, planned.key) - stated.toMillis();
        expect(late, `${person.email} ${planned.key}`).toBeGreaterThanOrEqual(0);
        expect(late, `${person.email} ${planned.key}`).toBeLessThan(LATE_MS);
      }
    }
  });
});
