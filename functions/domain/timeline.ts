/**
 * One person's timeline for the operator's lookup: everything stored under the subscriber, by type, in
 * time order, and when their next email is due and why. Items of a type this module does not know (added
 * later) still show, by their type and time.
 */
import type { CourseStep } from './course';
import { keepsToDaytime, plannedSendMillis } from './schedule';
import { gapBefore } from './schedule-changes';
import type { StatFact } from './stat-facts';
import { type Subscriber, scheduleAnchor } from './subscriber';

/** One thing that happened to the person. */
export interface TimelineEntry {
  at: string;
  what: string;
}

/** The next email and why it is due then; or why none is. */
export type NextEmail = { key: string; at: string; timeZone: string; why: string } | { none: string };

type Item = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function profileEntries(p: Item): [unknown, string][] {
  const ended = text(p.status) === 'completed' ? 'Completed the course' : `Left: ${text(p.status)}`;
  return [
    [p.createdAt, `Signed up (source: ${text(p.source) ?? 'none'})`],
    [p.confirmationSentAt, 'Confirmation email sent'],
    [p.confirmedAt, 'Confirmed'],
    [p.endedAt, ended],
  ];
}

function questionEntries(q: Item): [unknown, string][] {
  const minutes = typeof q.responseMs === 'number' ? Math.round(q.responseMs / 60_000) : undefined;
  const asked =
    text(q.status) === 'held'
      ? `Reply kept, not forwarded (${text(q.holdReason) ?? 'held'})`
      : `Asked a question (course day ${q.day})`;
  return [
    [q.receivedAt, asked],
    [q.remindedAt, 'Expert reminded (20 hours)'],
    [q.escalatedAt, 'Backup told (24 hours)'],
    [q.answeredAt, `Answered after ${minutes ?? '?'} minutes`],
  ];
}

/** A change's details as ` (hour 7, zone Asia/Kathmandu)`; empty when there are none. */
function detailsOf(details: unknown): string {
  if (!details || typeof details !== 'object') return '';
  const pairs = Object.entries(details as Record<string, unknown>).map(
    ([name, value]) => `${name} ${String(value)}`,
  );
  return pairs.length > 0 ? ` (${pairs.join(', ')})` : '';
}

/** The entries one stored item stands for. */
function entriesOf(item: Item): [unknown, string][] {
  switch (item.type) {
    case 'subscriber':
      return profileEntries(item);
    case 'send':
      return [[item.sentAt, `Sent ${text(item.key)}`]];
    case 'question':
      return questionEntries(item);
    case 'consent':
      return [[item.at, 'Consent recorded (signup form)']];
    case 'change':
      return [
        [item.at, `Changed by the subscriber: ${text(item.action) ?? 'settings'}${detailsOf(item.details)}`],
      ];
    default: {
      const at = Object.values(item).find((v) => typeof v === 'string' && ISO.test(v));
      const kind = text(item.kind) ?? text(item.change) ?? text(item.action);
      return [[at, `${text(item.type) ?? 'record'}${kind ? `: ${kind}` : ''}`]];
    }
  }
}

const FACT_WORDS: Partial<Record<StatFact['kind'], string>> = {
  delivered: 'Delivered',
  bounced: 'Bounced',
  complained: 'Marked as spam',
};

/** The person's timeline from their stored items and the SES outcomes of their emails, oldest first. */
export function timelineOf(items: Item[], mailFacts: StatFact[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const [at, what] of items.flatMap(entriesOf)) {
    if (typeof at === 'string' && ISO.test(at)) entries.push({ at, what });
  }
  for (const fact of mailFacts) {
    const word = FACT_WORDS[fact.kind];
    if (word && fact.at) entries.push({ at: fact.at, what: `${word}: ${fact.key}` });
  }
  return entries.sort((a, b) => a.at.localeCompare(b.at) || a.what.localeCompare(b.what));
}

/** When the person's next email is due, and why then. */
export function nextEmail(subscriber: Subscriber, steps: CourseStep[]): NextEmail {
  const step = steps[subscriber.step];
  const anchor = scheduleAnchor(subscriber);
  if (subscriber.status !== 'active' || !subscriber.nextSendAt || !step || !anchor) {
    return { none: `No email is due: the subscriber is ${subscriber.status}.` };
  }
  const hour = String(anchor.sendHour + step.hourOffset).padStart(2, '0');
  const onTime = `day ${step.day} of the course, at ${hour}:00 their time`;
  const daytime = keepsToDaytime(step) ? ' and within their daytime' : '';
  const due = Date.parse(subscriber.nextSendAt);
  // A minute's slack: a send recorded a moment after its hour is not "moved".
  const why =
    step.day === 0
      ? 'sent on confirmation'
      : subscriber.pausedUntil && due >= Date.parse(subscriber.pausedUntil)
        ? `${onTime}, after the pause they asked for`
        : due - plannedSendMillis(steps, subscriber.step, anchor) > 60_000
          ? `${onTime}, moved to keep ${gapBefore(steps, subscriber.step) / 3600_000} hours after the previous email${daytime}`
          : onTime;
  return { key: step.key, at: subscriber.nextSendAt, timeZone: subscriber.timeZone, why };
}

/**
 * The emails still to come after the next one, at their planned times (the schedule may move one later to
 * keep its gaps): empty unless the subscriber is active.
 */
export function laterEmails(subscriber: Subscriber, steps: CourseStep[]): { key: string; at: string }[] {
  const anchor = scheduleAnchor(subscriber);
  if (subscriber.status !== 'active' || !anchor) return [];
  return steps.slice(subscriber.step + 1).map((step, i) => ({
    key: step.key,
    at: new Date(plannedSendMillis(steps, subscriber.step + 1 + i, anchor)).toISOString(),
  }));
}

/** "Tue 08:00" in `zone`, with the date: "Tue 8 Dec 08:00". */
export function localTime(iso: string, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('hour')}:${part('minute')}`;
}

/** "2026-12-08 02:15 UTC". */
export function utcTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
