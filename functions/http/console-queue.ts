/** The queue (`/console/queue?view=`) and the figures of the 24-hour promise (`/console/figures`). */
import { Hono } from 'hono';
import {
  answeredQuestions,
  openQuestions,
  QUEUE_VIEWS,
  type QueueRow,
  type QueueView,
  queueRows,
} from '../app/console/questions';
import type { Deps } from '../app/deps';
import { durationText, type PromiseFigures, promiseFigures, timeLeftText, urgency } from '../domain/console';
import { staffName } from '../domain/staff';
import type { ConsoleEnv } from './console-auth';
import { consolePage, h, type Safe } from './console-layout';

const VIEW_LABELS: Record<QueueView, string> = {
  mine: 'Mine',
  unassigned: 'Unassigned',
  open: 'All open',
  answered: 'Answered',
};

/** The first line of a question, short enough for a row. */
function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '(no text)';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

function openRow(row: QueueRow, now: Date): Safe {
  const q = row.question;
  const state = urgency(q, now);
  const mark =
    state === 'ok'
      ? ''
      : h`<span class="badge ${state}">${state === 'overdue' ? 'Overdue' : 'At risk'}</span> `;
  return h`<li class="queue-row ${state}"><a href="/console/q/${row.ref}"><span class="who">${row.firstName}</span> <span class="day">day ${q.day}</span>
<span class="line">${firstLine(q.text)}</span></a>
<span class="due">${mark}${timeLeftText(q, now)}</span> <span class="assignee">${q.assignee ? staffName(q.assignee) : 'unassigned'}</span></li>`;
}

function answeredRow(row: QueueRow): Safe {
  const q = row.question;
  return h`<li class="queue-row"><a href="/console/q/${row.ref}"><span class="who">${row.firstName}</span> <span class="day">day ${q.day}</span>
<span class="line">${firstLine(q.text)}</span></a>
<span class="due">answered in ${durationText(q.responseMs ?? 0)}</span> <span class="assignee">by ${q.answeredBy ? staffName(q.answeredBy) : 'email'}</span></li>`;
}

function tabs(current: QueueView): Safe {
  const links = QUEUE_VIEWS.map(
    (view) =>
      h`<li><a href="/console/queue?view=${view}"${view === current ? h` aria-current="page"` : ''}>${VIEW_LABELS[view]}</a></li>`,
  );
  return h`<nav aria-label="Queue views"><ul class="tabs">${links}</ul></nav>`;
}

function percent(share: number | undefined): string {
  return share === undefined ? '–' : `${Math.round(share * 100)} %`;
}

function figuresRow(label: string, f: PromiseFigures): Safe {
  const time = (ms: number | undefined) => (ms === undefined ? '–' : durationText(ms));
  return h`<tr><th scope="row">${label}</th><td>${f.answered}</td><td>${time(f.medianMs)}</td><td>${time(f.p90Ms)}</td><td>${percent(f.within24h)}</td><td>${f.openNow}</td><td>${f.overdueNow}</td></tr>`;
}

async function figuresTables(deps: Deps): Promise<Safe[]> {
  const now = deps.clock.now();
  const open = await openQuestions(deps);
  const answered30 = await answeredQuestions(deps, new Date(now.getTime() - 30 * 86_400_000));
  return [7, 30].map((days) => {
    const since = new Date(now.getTime() - days * 86_400_000).toISOString();
    const answered = answered30.filter((q) => (q.answeredAt ?? '') >= since);
    const rows = [
      figuresRow('Everyone', promiseFigures(answered, open, now)),
      ...deps.settings.expertAddresses.map((expert) =>
        figuresRow(staffName(expert), promiseFigures(answered, open, now, expert)),
      ),
    ];
    return h`<div class="table-wrap"><table><caption>Last ${days} days</caption>
<thead><tr><th scope="col">Who</th><th scope="col">Answered</th><th scope="col">Median time</th><th scope="col">90th percentile</th><th scope="col">Within 24 h</th><th scope="col">Open now</th><th scope="col">Overdue now</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  });
}

/** The queue's views and the figures page. */
export function queueRoutes(deps: Deps): Hono<ConsoleEnv> {
  return new Hono<ConsoleEnv>()
    .get('/queue', async (c) => {
      const asked = c.req.query('view') as QueueView | undefined;
      const view: QueueView = asked && QUEUE_VIEWS.includes(asked) ? asked : 'mine';
      const staff = c.get('staff');
      const rows = await queueRows(deps, view, staff.email);
      const now = deps.clock.now();
      const list =
        rows.length === 0
          ? h`<p class="empty">Nothing here.</p>`
          : h`<ol class="queue">${rows.map((row) => (view === 'answered' ? answeredRow(row) : openRow(row, now)))}</ol>`;
      return consolePage(c, {
        title: `Queue: ${VIEW_LABELS[view]}`,
        staff,
        body: h`<h1>Questions</h1>${tabs(view)}
<p class="hint">${view === 'answered' ? 'Answered in the last 30 days, newest first.' : 'Sorted by deadline: 24 hours after the question arrived. At risk from 4 hours before it.'}</p>
${list}`,
      });
    })
    .get('/figures', async (c) =>
      consolePage(c, {
        title: 'Figures',
        staff: c.get('staff'),
        body: h`<h1>The 24-hour promise</h1>
<p class="hint">Time to answer runs from the question's arrival to the answer. Open and overdue count the questions open now, by assignee.</p>
${await figuresTables(deps)}`,
      }),
    );
}
