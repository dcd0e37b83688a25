/**
 * The schedule's promises through every change a subscriber can make, as properties: random sequences of
 * updates, pauses, resumes and restarts at random moments, in zones with half-hour and 45-minute offsets
 * and DST changes, posted as the manage page's form to the production app and checked on what the
 * dispatcher actually sent (the mailer and the send ledger). In process on the in-memory ports, which the
 * contract suite holds to the DynamoDB adapters; one world, one subscriber per run, time travel between
 * the changes. Racing changes against the stand-ins are test/integration/manage-race.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { confirm } from '../../functions/app/confirm';
import type { CourseStep } from '../../functions/domain/course';
import type { SendRecord } from '../../functions/domain/ports';
import { DAYTIME, gapBetween, keepsToDaytime } from '../../functions/domain/schedule';
import { MAX_PAUSE_DAYS, type ScheduleChange } from '../../functions/domain/schedule-changes';
import { newSubscriber } from '../../functions/domain/subscriber';
import { signToken } from '../../functions/domain/tokens';
import { instantOf, wallTimeAt } from '../../functions/domain/zoned-time';
import { travel } from '../../functions/local/time-travel';
import { testApp } from '../support/app';
import { memoryDeps } from '../support/memory/deps';

/** Half-hour, 45-minute, and DST zones (Lord Howe moves by half an hour; Chatham sits at +12:45). */
const ZONES = [
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Eucla',
  'America/St_Johns',
  'Australia/Adelaide',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Europe/London',
  'America/New_York',
];

/** Days of the year near which most DST changes fall (March, April, October, November). */
const SEASONS = [
  [3, 1],
  [3, 20],
  [9, 22],
  [10, 18],
] as const;

const HOUR = 3600_000;

const changeArb: fc.Arbitrary<ScheduleChange> = fc.oneof(
  fc.record({
    action: fc.constant('update' as const),
    sendHour: fc.integer({ min: 0, max: 23 }),
    timeZone: fc.constantFrom(...ZONES),
  }),
  fc.record({ action: fc.constant('pause' as const), days: fc.integer({ min: 1, max: MAX_PAUSE_DAYS }) }),
  fc.constant({ action: 'resume' as const }),
  fc.constant({ action: 'restart' as const }),
);

const scenarioArb = fc.record({
  timeZone: fc.constantFrom(...ZONES),
  sendHour: fc.integer({ min: 0, max: 23 }),
  season: fc.integer({ min: 0, max: SEASONS.length - 1 }),
  seasonDay: fc.integer({ min: 0, max: 12 }),
  changes: fc.array(
    fc.record({ waitHours: fc.double({ min: 0, max: 120, noNaN: true }), change: changeArb }),
    {
      maxLength: 6,
    },
  ),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/** Where the subscriber's settings stood from `from` on. */
interface Setting {
  from: number;
  timeZone: string;
  sendHour: number;
}

/** What the test saw happen: the settings over time, and the windows in which nothing may go out. */
interface History {
  settings: Setting[];
  quiet: { from: number; until: number }[];
}

const world = memoryDeps();
const app = testApp(world.deps);
let people = 0;
/** Changes the app accepted, over all runs: the property must have exercised them. */
let changesMade = 0;

/** Moves the clock to the next `month`/`day` (plus `extra` days) at least a day ahead. */
function jumpToSeason(month: number, day: number, extra: number): void {
  const now = world.clock.now();
  let year = now.getUTCFullYear();
  let target = Date.UTC(year, month - 1, day + extra, 5);
  while (target < now.getTime() + 24 * HOUR) target = Date.UTC(++year, month - 1, day + extra, 5);
  world.clock.moveTo(new Date(target));
}

async function signUp(scenario: Scenario): Promise<{ id: string; email: string; token: string }> {
  const email = `p${people++}@example.com`;
  const now = world.clock.now();
  const pending = newSubscriber(
    world.deps.newId(),
    { email, firstName: 'Pat', timeZone: scenario.timeZone, sendHour: scenario.sendHour },
    now,
  );
  await world.deps.store.create(pending);
  await confirm(world.deps, signToken(world.deps.keys, 'confirm', pending.id, now.getTime()));
  return {
    id: pending.id,
    email,
    token: signToken(world.deps.keys, 'manage', pending.id, now.getTime()),
  };
}

/** Posts a change as the manage page's form would; true when it was made (303). */
async function post(token: string, change: ScheduleChange): Promise<boolean> {
  const fields = Object.fromEntries(Object.entries(change).map(([k, v]) => [k, String(v)]));
  const response = await app.request(`/manage?token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  expect([303, 409]).toContain(response.status);
  if (response.status === 303) changesMade += 1;
  return response.status === 303;
}

/** Plays the scenario against the stack and notes the settings and quiet windows it caused. */
async function play(scenario: Scenario, token: string, start: number): Promise<History> {
  const history: History = { settings: [{ from: start, ...scenario }], quiet: [] };
  const endQuiet = (at: number) => {
    const open = history.quiet.at(-1);
    if (open && open.until > at) open.until = at;
  };
  for (const { waitHours, change } of scenario.changes) {
    await travel(world.deps, world.clock, waitHours);
    const at = world.clock.now().getTime();
    if (!(await post(token, change))) continue;
    if (change.action === 'update') history.settings.push({ from: at, ...change });
    if (change.action === 'resume' || change.action === 'restart' || change.action === 'pause') endQuiet(at);
    if (change.action === 'pause') history.quiet.push({ from: at, until: at + change.days * 24 * HOUR });
  }
  return history;
}

const settingAt = (history: History, at: number) =>
  history.settings.filter((s) => s.from <= at).at(-1) ?? (history.settings[0] as Setting);

/** How late a send may be recorded after it fell due: the travelling clock keeps running meanwhile. */
const SLACK_MS = 60_000;

/** True when `at` is `hour`:00 in `zone` (or where a DST gap moved that hour forward), give or take the slack. */
function atLocalHour(zone: string, at: number, hour: number): boolean {
  return [at, at - SLACK_MS].some((near) => {
    const due = instantOf(zone, { ...wallTimeAt(zone, near), hour, minute: 0 });
    return at >= due && at - due < SLACK_MS;
  });
}

function localDate(zone: string, at: number): string {
  const { year, month, day } = wallTimeAt(zone, at);
  return `${year}-${month}-${day}`;
}

/** The rules, checked on the sends in the order they went out. */
function checkSends(sends: SendRecord[], history: History, steps: CourseStep[]): void {
  const kinds = new Map(steps.map((step) => [step.key, step]));
  for (const [index, send] of sends.entries()) {
    const at = Date.parse(send.sentAt);
    const step = kinds.get(send.key) as CourseStep;
    // In process a send and the next change can share a millisecond; a send stamped with the very instant
    // a pause was asked for went out before it (changes are posted between dispatcher runs).
    for (const quiet of history.quiet)
      expect(at <= quiet.from || at >= quiet.until, 'sent during a pause').toBe(true);
    const previous = sends[index - 1];
    if (!previous) continue;
    const before = kinds.get(previous.key) as CourseStep;
    const gap = at - Date.parse(previous.sentAt);
    expect(gap, `${previous.key} → ${send.key} too close`).toBeGreaterThanOrEqual(gapBetween(before, step));
    const setting = settingAt(history, at);
    if (keepsToDaytime(step)) {
      // Check-ins and follow-ups fall due in the local daytime (08:00–20:00) and so arrive before 21:00.
      expect(wallTimeAt(setting.timeZone, at).hour, `${send.key} at night`).toBeLessThan(21);
      expect(wallTimeAt(setting.timeZone, at).hour, `${send.key} at night`).toBeGreaterThanOrEqual(
        DAYTIME.firstHour,
      );
    }
    if (step.kind !== 'lesson') continue;
    // A lesson comes at the hour in force, unless the spacing after the email before it held it back.
    const heldBack = gap - gapBetween(before, step) < SLACK_MS;
    expect(atLocalHour(setting.timeZone, at, setting.sendHour) || heldBack, `${send.key} off its hour`).toBe(
      true,
    );
    const lastLesson = sends.slice(0, index).findLast((s) => kinds.get(s.key)?.kind === 'lesson');
    if (lastLesson)
      expect(localDate(setting.timeZone, at), 'two lessons on one day').not.toBe(
        localDate(setting.timeZone, Date.parse(lastLesson.sentAt)),
      );
  }
}

/** Each run of the course is its steps in order from where it started, none twice; the last one ends. */
function checkRuns(sends: SendRecord[], steps: CourseStep[], restarts: number): void {
  for (let run = 0; run <= restarts; run++) {
    const inRun = sends.filter((send) => (send.run ?? 0) === run).map((send) => send.step);
    const first = inRun[0] ?? 0;
    expect(inRun, `run ${run} skipped or repeated a step`).toEqual(inRun.map((_, i) => first + i));
    if (run === restarts) expect(inRun.at(-1)).toBe(steps.length - 1);
  }
}

describe('the schedule through random changes, on what the dispatcher sent', () => {
  it('keeps the local hour, the spacing, the pauses, and sends every email of each run once', async () => {
    const steps = world.deps.steps;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const [month, day] = SEASONS[scenario.season] ?? SEASONS[0];
        jumpToSeason(month, day, scenario.seasonDay);
        const start = world.clock.now().getTime();
        const person = await signUp(scenario);
        const history = await play(scenario, person.token, start);
        await travel(world.deps, world.clock, 24 * (45 + MAX_PAUSE_DAYS));
        const subscriber = await world.deps.store.get(person.id);
        expect(subscriber?.status).toBe('completed');
        const sends = (await world.deps.store.listSends(person.id)).sort((a, b) =>
          a.sentAt.localeCompare(b.sentAt),
        );
        const delivered = world.mailer.sent.filter((email) => email.to === person.email);
        expect(delivered.map((email) => email.subject)).toHaveLength(sends.length);
        checkSends(sends, history, steps);
        checkRuns(sends, steps, subscriber?.restarts ?? 0);
      }),
      // In process a run takes milliseconds, so more of them than a stack could afford.
      { numRuns: 40, endOnFailure: true },
    );
    expect(changesMade).toBeGreaterThan(20);
  }, 240_000);
});
