/**
 * The operator's figures, tallied from facts (see stat-facts.ts): per course email, the funnel, the 24-hour
 * promise, daily series, weekly cohorts and signup sources. Pure: the same facts always give the same figures.
 */
import { type ExitStatus, NO_SOURCE, type StatFact } from './stat-facts';

/** One course email's figures; rates are over `sent` (0 when nothing was sent). */
export interface EmailFigures {
  key: string;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  /** Unsubscribes whose last received course email was this one. */
  unsubscribed: number;
  /** Questions asked by replying after this email (it was the last one received). */
  questions: number;
  rates: { delivered: number; bounced: number; complained: number; unsubscribed: number; questions: number };
}

/** How far people got, and how they left. */
export interface Funnel {
  signedUp: number;
  confirmed: number;
  receivedLesson1: number;
  receivedLesson7: number;
  completed: number;
  unsubscribed: number;
  bounced: number;
  complained: number;
  /** People lost between one step of the funnel and the next, and as a share of the earlier step. */
  dropOff: { from: string; to: string; lost: number; rate: number }[];
}

/** The 24-hour promise. `open` and `overdue` are now, whatever the range. */
export interface QuestionFigures {
  asked: number;
  answered: number;
  answeredWithin24h: number;
  open: number;
  overdue: number;
  medianMinutesToAnswer: number | null;
  p90MinutesToAnswer: number | null;
}

/** One day of the daily series. */
export interface DayFigures {
  day: string;
  signups: number;
  confirmations: number;
  sends: number;
  unsubscribes: number;
}

/** A weekly signup cohort and how far it got. */
export interface CohortFigures {
  week: string;
  signedUp: number;
  confirmed: number;
  receivedLesson1: number;
  receivedLesson7: number;
  completed: number;
}

/** Everything the operator sees. */
export interface Figures {
  range: { since: string; until: string };
  emails: EmailFigures[];
  funnel: Funnel;
  questions: QuestionFigures;
  daily: DayFigures[];
  cohorts: CohortFigures[];
  sources: { source: string; signups: number }[];
}

/** What tallying needs besides the facts. */
export interface TallyInput {
  facts: StatFact[];
  /** Course email keys in course order. */
  keys: string[];
  days: string[];
  open: number;
  overdue: number;
}

const FUNNEL_STEPS = ['signedUp', 'confirmed', 'receivedLesson1', 'receivedLesson7', 'completed'] as const;
type FunnelStep = (typeof FUNNEL_STEPS)[number];

/** Counts by a name, created on first use. */
class Counter<K> extends Map<K, number> {
  add(key: K, by = 1): void {
    this.set(key, (this.get(key) ?? 0) + by);
  }
  of(key: K): number {
    return this.get(key) ?? 0;
  }
}

const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);

/** Tallies the facts of a range into the operator's figures. */
export function tally(input: TallyInput): Figures {
  const mail = mailTally(input.facts);
  const exits = input.facts.filter((f) => f.kind === 'exit');
  const unsubscribedAfter = new Counter<string>();
  for (const exit of exits) if (exit.status === 'unsubscribed') unsubscribedAfter.add(exit.key ?? NO_SOURCE);
  const questionsAfter = new Counter<string>();
  for (const f of input.facts) if (f.kind === 'question') questionsAfter.add(f.key ?? NO_SOURCE);
  const emails = input.keys.map((key) => {
    const sent = mail.sent.get(key)?.size ?? 0;
    const counts = {
      delivered: mail.outcomes.of(`${key}#delivered`),
      bounced: mail.outcomes.of(`${key}#bounced`),
      complained: mail.outcomes.of(`${key}#complained`),
      unsubscribed: unsubscribedAfter.of(key),
      questions: questionsAfter.of(key),
    };
    const rates = Object.fromEntries(
      Object.entries(counts).map(([name, n]) => [name, ratio(n, sent)]),
    ) as EmailFigures['rates'];
    return { key, sent, ...counts, rates };
  });
  return {
    range: { since: input.days[0] ?? '', until: input.days.at(-1) ?? '' },
    emails,
    funnel: funnelOf(input, mail.sent, exits),
    questions: questionFigures(input),
    daily: dailySeries(input, mail.sentOn),
    cohorts: cohortsOf(input),
    sources: sourcesOf(input.facts),
  };
}

/** Who was sent each email (a delivery or a bounce says SES sent it), and the outcomes. */
function mailTally(facts: StatFact[]) {
  const sent = new Map<string, Set<string>>();
  const sentOn = new Map<string, Set<string>>();
  const outcomes = new Counter<string>();
  for (const f of facts) {
    if (f.kind !== 'delivered' && f.kind !== 'bounced' && f.kind !== 'complained') continue;
    if (!f.key) continue;
    outcomes.add(`${f.key}#${f.kind}`);
    if (f.kind === 'complained') continue;
    const who = `${f.person ?? f.id}`;
    if (!sent.has(f.key)) sent.set(f.key, new Set());
    sent.get(f.key)?.add(who);
    if (!sentOn.has(f.day)) sentOn.set(f.day, new Set());
    sentOn.get(f.day)?.add(`${who}#${f.key}`);
  }
  return { sent, sentOn, outcomes };
}

function funnelOf(input: TallyInput, sent: Map<string, Set<string>>, exits: StatFact[]): Funnel {
  const count = (kind: StatFact['kind']) => input.facts.filter((f) => f.kind === kind).length;
  const exitsBy = (status: ExitStatus) => exits.filter((f) => f.status === status).length;
  const last = input.keys.at(-1) ?? '';
  const steps: Record<FunnelStep, number> = {
    signedUp: count('signup'),
    confirmed: count('confirmed'),
    receivedLesson1: sent.get('lesson-1')?.size ?? 0,
    receivedLesson7: sent.get('lesson-7')?.size ?? 0,
    completed: sent.get(last)?.size ?? 0,
  };
  const dropOff = FUNNEL_STEPS.slice(1).map((to, i) => {
    const from = FUNNEL_STEPS[i] as FunnelStep;
    const lost = Math.max(0, steps[from] - steps[to]);
    return { from, to, lost, rate: ratio(lost, steps[from]) };
  });
  return {
    ...steps,
    unsubscribed: exitsBy('unsubscribed'),
    bounced: exitsBy('bounced'),
    complained: exitsBy('complained'),
    dropOff,
  };
}

/** The value at quantile `q` (nearest rank); the median averages the middle two of an even list. */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  if (q === 0.5 && sorted.length % 2 === 0) {
    const mid = sorted.length / 2;
    return ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  }
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

const oneDecimal = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

function questionFigures(input: TallyInput): QuestionFigures {
  const minutes = input.facts
    .filter((f) => f.kind === 'answered' && typeof f.minutes === 'number')
    .map((f) => f.minutes as number)
    .sort((a, b) => a - b);
  return {
    asked: input.facts.filter((f) => f.kind === 'question').length,
    answered: minutes.length,
    answeredWithin24h: minutes.filter((m) => m <= 24 * 60).length,
    open: input.open,
    overdue: input.overdue,
    medianMinutesToAnswer: oneDecimal(quantile(minutes, 0.5)),
    p90MinutesToAnswer: oneDecimal(quantile(minutes, 0.9)),
  };
}

function dailySeries(input: TallyInput, sentOn: Map<string, Set<string>>): DayFigures[] {
  const by = new Counter<string>();
  for (const f of input.facts) {
    if (f.kind === 'exit' && f.status !== 'unsubscribed') continue;
    by.add(`${f.day}#${f.kind}`);
  }
  return input.days.map((day) => ({
    day,
    signups: by.of(`${day}#signup`),
    confirmations: by.of(`${day}#confirmed`),
    sends: sentOn.get(day)?.size ?? 0,
    unsubscribes: by.of(`${day}#exit`),
  }));
}

function cohortsOf(input: TallyInput): CohortFigures[] {
  const last = input.keys.at(-1) ?? '';
  const by = new Map<string, CohortFigures>();
  const cohort = (week: string) => {
    const found = by.get(week) ?? {
      week,
      signedUp: 0,
      confirmed: 0,
      receivedLesson1: 0,
      receivedLesson7: 0,
      completed: 0,
    };
    by.set(week, found);
    return found;
  };
  const received = new Set<string>();
  for (const f of input.facts) {
    if (!f.cohort) continue;
    if (f.kind === 'signup') cohort(f.cohort).signedUp += 1;
    if (f.kind === 'confirmed') cohort(f.cohort).confirmed += 1;
    if (f.kind !== 'delivered' && f.kind !== 'bounced') continue;
    // A delivery and a later bounce of the same email are one email received.
    if (received.has(`${f.person}#${f.key}`)) continue;
    received.add(`${f.person}#${f.key}`);
    if (f.key === 'lesson-1') cohort(f.cohort).receivedLesson1 += 1;
    if (f.key === 'lesson-7') cohort(f.cohort).receivedLesson7 += 1;
    if (f.key === last) cohort(f.cohort).completed += 1;
  }
  return [...by.values()].sort((a, b) => a.week.localeCompare(b.week));
}

function sourcesOf(facts: StatFact[]): { source: string; signups: number }[] {
  const by = new Counter<string>();
  for (const f of facts) if (f.kind === 'signup') by.add(f.source ?? NO_SOURCE);
  return [...by]
    .map(([source, signups]) => ({ source, signups }))
    .sort((a, b) => b.signups - a.signups || a.source.localeCompare(b.source));
}

/** A rate as a percentage with one decimal ("12.5 %"). */
export const percent = (rate: number) => `${(rate * 100).toFixed(1)} %`;

/** The per-email table, as the terminal and the console both show it: its header and one row per email. */
export function emailTable(f: Figures): { header: string[]; rows: (string | number)[][] } {
  return {
    header: [
      'email',
      'sent',
      'delivered',
      'bounced',
      'complained',
      'unsubscribed',
      'questions',
      'unsubscribe rate',
      'question rate',
    ],
    rows: f.emails.map((e) => [
      e.key,
      e.sent,
      e.delivered,
      e.bounced,
      e.complained,
      e.unsubscribed,
      e.questions,
      percent(e.rates.unsubscribed),
      percent(e.rates.questions),
    ]),
  };
}
