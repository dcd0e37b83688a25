/**
 * The operators' pages of the console: the insights (figures as charts at a glance, exact numbers beside
 * them) and the lookup of one person by address (their timeline and their next email).
 */
import { type Context, Hono } from 'hono';
import type { Deps } from '../app/deps';
import { checkRange, readFigures } from '../app/insights';
import { lookupPerson, type PersonLookup } from '../app/lookup';
import { ValidationError } from '../domain/errors';
import { emailTable, type Figures, percent as pct } from '../domain/figures';
import { emailAddressProblem } from '../domain/signup-rules';
import { localTime, utcTime } from '../domain/timeline';
import { type ConsoleEnv, requireStaff } from './console-auth';
import { formFields } from './console-form';
import { consolePage, h, type Safe } from './console-layout';
import { barChart, dayColumns, figureTable, stackedBar } from './insights-charts';

const minutes = (value: number | null) => (value === null ? '–' : `${Math.round(value)} min`);

function rangeForm(since: string, until: string, problem: string | undefined): Safe {
  return h`<form method="get" action="/console/insights" class="inline">
<label for="since">From</label> <input id="since" name="since" type="date" value="${since}">
<label for="until">to</label> <input id="until" name="until" type="date" value="${until}">
<button type="submit">Show</button></form>
${problem ? h`<p class="notice" role="alert">${problem}</p>` : ''}`;
}

const STEP_NAMES: Record<string, string> = {
  signedUp: 'Signed up',
  confirmed: 'Confirmed',
  receivedLesson1: 'Lesson 1',
  receivedLesson7: 'Lesson 7',
  completed: 'Completed',
};

function funnelSection(f: Figures): Safe {
  const n = f.funnel;
  const reached = (step: string) => n[step as 'confirmed'];
  const bars = [
    { label: 'Signed up', value: n.signedUp },
    ...n.dropOff.map((d) => ({
      label: STEP_NAMES[d.to] ?? d.to,
      value: reached(d.to),
      note: `${reached(d.to)} (−${d.lost})`,
    })),
  ];
  const exits = [
    { label: 'Unsubscribed', value: n.unsubscribed },
    { label: 'Bounced', value: n.bounced },
    { label: 'Complained', value: n.complained },
  ];
  const rows = n.dropOff.map((d) => [`${STEP_NAMES[d.from]} → ${STEP_NAMES[d.to]}`, d.lost, pct(d.rate)]);
  return h`<h2>Does the course hold people?</h2>
${barChart('Funnel: signed up, confirmed, lesson 1, lesson 7, completed', bars)}
${barChart('Exits: unsubscribed, bounced, complained', exits, 'bar-warm', n.signedUp)}
${figureTable('Drop-off between the steps', ['step', 'lost', 'share lost'], rows)}`;
}

function emailSection(f: Figures): Safe {
  const unsubscribes = f.emails.map((e) => ({
    label: e.key,
    value: e.unsubscribed,
    note: `${e.unsubscribed} (${pct(e.rates.unsubscribed)})`,
  }));
  const table = emailTable(f);
  return h`<h2>Which email loses people?</h2>
${barChart('Unsubscribes after each course email (share of those sent)', unsubscribes, 'bar-warm')}
${barChart(
  'Sent, per course email',
  f.emails.map((e) => ({ label: e.key, value: e.sent })),
)}
${figureTable('Per course email (rates over sent)', table.header, table.rows)}`;
}

function promiseSection(f: Figures): Safe {
  const q = f.questions;
  const figure = (label: string, value: string | number) => h`<div><dt>${label}</dt><dd>${value}</dd></div>`;
  return h`<h2>Is the 24-hour promise kept?</h2>
${stackedBar('Questions: answered within 24 hours, answered later, open', [
  { label: 'Within 24 h', value: q.answeredWithin24h, tone: 'bar' },
  { label: 'Later', value: q.answered - q.answeredWithin24h, tone: 'bar-warm' },
  { label: 'Open now', value: q.open, tone: 'bar-muted' },
])}
<dl class="figures">${figure('Asked', q.asked)}${figure('Answered', q.answered)}${figure('Within 24 h', q.answeredWithin24h)}${figure('Open now', q.open)}${figure('Overdue now', q.overdue)}${figure('Median', minutes(q.medianMinutesToAnswer))}${figure('90th percentile', minutes(q.p90MinutesToAnswer))}</dl>`;
}

function growthSection(f: Figures): Safe {
  const series = (
    field: 'signups' | 'confirmations' | 'sends' | 'unsubscribes',
    title: string,
    tone?: string,
  ) =>
    h`<div><h3>${title}</h3>${dayColumns(
      `${title} per day`,
      f.daily.map((d) => ({ day: d.day, value: d[field] })),
      tone,
    )}</div>`;
  return h`<h2>Is the list growing?</h2>
<div class="series">${series('signups', 'Signups')}${series('confirmations', 'Confirmations')}${series('sends', 'Course emails sent')}${series('unsubscribes', 'Unsubscribes', 'bar-warm')}</div>
${barChart(
  'Signups by source (utm_source or ref)',
  f.sources.map((s) => ({ label: s.source, value: s.signups })),
)}
${figureTable(
  'Weekly signup cohorts: how far each got',
  ['week', 'signed up', 'confirmed', 'lesson 1', 'lesson 7', 'completed'],
  f.cohorts.map((c) => [c.week, c.signedUp, c.confirmed, c.receivedLesson1, c.receivedLesson7, c.completed]),
)}`;
}

/** `/console/insights`: operators only. `?since=&until=` (UTC days) narrows the range; all time by default. */
export function insightsRoutes(deps: Deps): Hono<ConsoleEnv> {
  return new Hono<ConsoleEnv>().use('*', requireStaff(deps, { role: 'operator' })).get('/', async (c) => {
    const asked = { since: c.req.query('since') || undefined, until: c.req.query('until') || undefined };
    let problem: string | undefined;
    try {
      checkRange(asked);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problem = Object.entries(error.fields)
        .map(([end, why]) => `${end === 'since' ? 'From' : 'To'}: ${why}`)
        .join(' ');
    }
    const f = await readFigures(deps, problem ? {} : asked);
    return consolePage(c, {
      title: 'Insights',
      staff: c.get('staff'),
      status: problem ? 400 : 200,
      body: h`<h1>Insights</h1>
<p class="hint">From replies, unsubscribes, bounces, complaints and completion: no open pixels, no rewritten links. Days are UTC, ${f.range.since} to ${f.range.until}.</p>
${rangeForm(asked.since ?? '', asked.until ?? '', problem)}
${funnelSection(f)}${emailSection(f)}${promiseSection(f)}${growthSection(f)}`,
    });
  });
}

function lookupResult(found: PersonLookup): Safe {
  const s = found.subscriber;
  const zone = s.timeZone;
  const next =
    'none' in found.next
      ? found.next.none
      : `${found.next.key} due ${localTime(found.next.at, zone)} ${zone} (${utcTime(found.next.at)}): ${found.next.why}.`;
  return h`<h2>${s.firstName} · ${s.status}</h2>
<dl class="facts"><dt>Time zone</dt><dd>${zone}, lessons at ${String(s.sendHour).padStart(2, '0')}:00</dd>
<dt>Source</dt><dd>${s.source ?? 'none'}</dd><dt>Next email</dt><dd>${next}</dd></dl>
${figureTable(
  'Timeline',
  ['what happened', 'UTC', `their time (${zone})`],
  found.timeline.map((e) => [e.what, utcTime(e.at), localTime(e.at, zone)]),
)}
${
  found.later.length > 0
    ? figureTable(
        'Scheduled after the next email (nominal times)',
        ['email', 'UTC', `their time (${zone})`],
        found.later.map((e) => [e.key, utcTime(e.at), localTime(e.at, zone)]),
      )
    : ''
}`;
}

function lookupForm(email: string, problem?: string): Safe {
  return h`<form method="post" action="/console/lookup" class="stack">
<label for="email">Subscriber’s email address</label>
<input id="email" name="email" type="email" autocomplete="off" spellcheck="false" required maxlength="254" value="${email}"${problem ? h` aria-invalid="true" aria-describedby="email-error"` : ''}>
${problem ? h`<p id="email-error" class="notice" role="alert">${problem}</p>` : ''}
<button type="submit">Look up</button></form>`;
}

/** `/console/lookup`: operators only. The address is posted, so it never sits in a URL or an access log. */
export function lookupRoutes(deps: Deps): Hono<ConsoleEnv> {
  const page = (c: Context<ConsoleEnv>, body: Safe, status: 200 | 400 | 404 = 200) =>
    consolePage(c, {
      title: 'Lookup',
      staff: c.get('staff'),
      status,
      body: h`<h1>Look up a subscriber</h1>${body}`,
    });
  return new Hono<ConsoleEnv>()
    .use('*', requireStaff(deps, { role: 'operator' }))
    .get('/', (c) => page(c, lookupForm('')))
    .post('/', async (c) => {
      const email = (await formFields(c)).email?.trim() ?? '';
      const problem = emailAddressProblem(email);
      if (problem) return page(c, lookupForm(email, problem), 400);
      const found = await lookupPerson(deps, email);
      if (!found)
        return page(
          c,
          h`${lookupForm(email)}<p class="notice" role="status">Nobody has this address (or they were erased).</p>`,
          404,
        );
      return page(c, h`${lookupForm(email)}${lookupResult(found)}`);
    });
}
