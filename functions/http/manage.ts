/**
 * The manage page (`/manage`) and the archive of received emails (`/manage/emails`), opened from the
 * "manage your course" link in every course email: no account, the link's signed token is the key.
 */
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { composeCourseEmail, unsubscribeUrl } from '../app/compose-email';
import type { Deps } from '../app/deps';
import { ChangeBusyError, changeSchedule, receivedEmails, subscriberForToken } from '../app/manage';
import { InvalidTokenError, ValidationError } from '../domain/errors';
import { escapeHtml } from '../domain/render';
import { ChangeRefusedError, isPaused, MAX_RESTARTS, type RefusalReason } from '../domain/schedule-changes';
import type { Subscriber } from '../domain/subscriber';
import { verifiedId } from '../domain/tokens';
import { describeLocalTime } from '../domain/zoned-time';
import { isCrossSite, limitBody } from './middleware';
import { sendPage } from './pages';
import { parseManageForm, tokenParam } from './schemas';

const DONE: Record<string, string> = {
  update: 'Saved. Your next emails follow the new hour and time zone.',
  pause: 'Paused. Nothing is sent until the pause ends.',
  resume: 'Resumed. The course goes on with the email that was next.',
  restart: 'Started again. Lesson 1 comes at your next send hour.',
};

const REFUSED: Record<RefusalReason, string> = {
  stopped: 'Emails to this address have stopped for good, so the course cannot be changed.',
  'not-active':
    'The course is not running, so there is nothing to change. A finished course can be started again.',
  'not-paused': 'The course is not paused, so there is nothing to resume.',
  'restarts-used': `The course has been started again ${MAX_RESTARTS} times, the most we allow. You can still read every email you received.`,
};

function problem(c: Context, deps: Deps, status: ContentfulStatusCode, heading: string, message: string) {
  return sendPage(c, deps, 'manage-problem', status, { heading, message });
}

const invalidLink = (c: Context, deps: Deps) =>
  problem(
    c,
    deps,
    400,
    'This link is not valid',
    'The link is incomplete, was changed, or belongs to an address we no longer know.',
  );

/** The token of the request and its subscriber, or undefined for a missing, tampered or foreign token. */
async function fromToken(
  c: Context,
  deps: Deps,
): Promise<{ token: string; subscriber: Subscriber } | undefined> {
  const token = tokenParam(c.req.query('token'));
  if (!token) return undefined;
  try {
    return { token, subscriber: await subscriberForToken(deps, token) };
  } catch (error) {
    if (error instanceof InvalidTokenError) return undefined;
    throw error;
  }
}

/** The manage token of the request if its signature holds, without reading the subscriber. */
function signedToken(c: Context, deps: Deps): string | undefined {
  const token = tokenParam(c.req.query('token'));
  return token && verifiedId(deps.keys, 'manage', token, deps.clock.now().getTime()) ? token : undefined;
}

const hourLabel = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

function restartValues(subscriber: Subscriber): Record<string, string> {
  const left = MAX_RESTARTS - (subscriber.restarts ?? 0);
  return {
    restartHidden: left > 0 ? '' : 'hidden',
    restartNote:
      left > 0
        ? `Go back to lesson 1 at your next send hour. You can do this ${left} more time${left === 1 ? '' : 's'}; the emails you have had stay readable.`
        : REFUSED['restarts-used'],
  };
}

/** Where an active subscriber is and what comes next, in their own time. */
function activeValues(deps: Deps, subscriber: Subscriber): Record<string, string> {
  const now = deps.clock.now();
  const next = deps.steps[subscriber.step];
  const lastDay = deps.steps.at(-1)?.day ?? 0;
  const paused = isPaused(subscriber, now) && subscriber.pausedUntil;
  const zone = subscriber.timeZone;
  return {
    position: `Day ${deps.steps[subscriber.step - 1]?.day ?? 0} of ${lastDay}`,
    nextEmail:
      next && subscriber.nextSendAt
        ? `“${next.title}”, ${describeLocalTime(zone, Date.parse(subscriber.nextSendAt))}`
        : 'None',
    sendHourLabel: hourLabel(subscriber.sendHour),
    pausedHidden: paused ? '' : 'hidden',
    pausedUntil: paused ? describeLocalTime(zone, Date.parse(paused)) : '',
    hourOptions: Array.from(
      { length: 24 },
      (_, hour) =>
        `<option value="${hour}"${hour === subscriber.sendHour ? ' selected' : ''}>${hourLabel(hour)}</option>`,
    ).join(''),
    unsubscribeUrl: unsubscribeUrl(deps, subscriber.id, now),
  };
}

function endedState(subscriber: Subscriber): string {
  const when = subscriber.endedAt
    ? ` on ${describeLocalTime(subscriber.timeZone, Date.parse(subscriber.endedAt))}`
    : '';
  if (subscriber.status === 'completed') return `You finished the course${when}.`;
  if (subscriber.status === 'unsubscribed')
    return `You unsubscribed${when}. We send you nothing more, and that cannot be undone here.`;
  if (subscriber.status === 'pending') return 'Your address is not confirmed yet.';
  return `Emails to your address stopped${when}, because they could not be delivered or were reported. We send nothing more.`;
}

/** The manage page as the subscriber's state allows: every control while active, only a restart once completed, nothing once stopped. */
function managePage(c: Context, deps: Deps, subscriber: Subscriber, token: string, done?: string) {
  const notice = done && Object.hasOwn(DONE, done) ? (DONE[done] ?? '') : '';
  const common = { firstName: subscriber.firstName, token, notice, noticeHidden: notice ? '' : 'hidden' };
  if (subscriber.status === 'active') {
    const values = { ...common, timeZone: subscriber.timeZone, ...activeValues(deps, subscriber) };
    return sendPage(
      c,
      deps,
      'manage',
      200,
      { ...values, ...restartValues(subscriber) },
      new Set(['hourOptions']),
    );
  }
  const state = endedState(subscriber);
  if (subscriber.status === 'completed')
    return sendPage(c, deps, 'manage-completed', 200, { ...common, state, ...restartValues(subscriber) });
  return sendPage(c, deps, 'manage-ended', 200, { firstName: subscriber.firstName, token, state });
}

/** Applies a posted change and answers with a 303 to the updated page, or a page naming the problem. */
async function postChange(c: Context, deps: Deps, token: string): Promise<Response> {
  try {
    const change = parseManageForm(c.req.header('content-type'), await c.req.text());
    await changeSchedule(deps, token, change);
    return c.redirect(`/manage?token=${token}&done=${change.action}`, 303);
  } catch (error) {
    if (error instanceof InvalidTokenError) return invalidLink(c, deps);
    if (error instanceof ValidationError)
      return problem(c, deps, 400, 'Please check your choice', Object.values(error.fields).join(' '));
    if (error instanceof ChangeRefusedError)
      return problem(c, deps, 409, 'That change is not possible now', REFUSED[error.reason]);
    if (error instanceof ChangeBusyError) {
      c.header('Retry-After', '60');
      return problem(c, deps, 503, 'An email is on its way to you', 'Please try again in a minute.');
    }
    throw error;
  }
}

/** The archive: every email received, each linking to the email as it was sent. */
async function archivePage(c: Context, deps: Deps, subscriber: Subscriber, token: string) {
  const items = (await receivedEmails(deps, subscriber.id)).map((send) => {
    const title = deps.steps.find((step) => step.key === send.key)?.title ?? send.key;
    const when = describeLocalTime(subscriber.timeZone, Date.parse(send.sentAt));
    const href = `/manage/emails/${encodeURIComponent(send.key)}?token=${token}`;
    return `<li><a href="${escapeHtml(href)}">${escapeHtml(title)}</a> <span class="hint">${escapeHtml(when)}</span></li>`;
  });
  const emailList = items.length > 0 ? items.join('') : '<li>No emails yet.</li>';
  return sendPage(
    c,
    deps,
    'manage-emails',
    200,
    { firstName: subscriber.firstName, token, emailList },
    new Set(['emailList']),
  );
}

/** `GET|POST /manage`, `GET /manage/emails`, `GET /manage/emails/:key`; a GET never changes anything. */
export function manageRoutes(deps: Deps, siteOrigin: string): Hono {
  return new Hono()
    .get('/manage', async (c) => {
      const found = await fromToken(c, deps);
      if (!found) return invalidLink(c, deps);
      return managePage(c, deps, found.subscriber, found.token, c.req.query('done'));
    })
    .post(
      '/manage',
      limitBody((c) => problem(c, deps, 413, 'That was too much', 'The form sent more than we accept.')),
      async (c) => {
        if (isCrossSite(c, siteOrigin))
          return problem(
            c,
            deps,
            403,
            'Change your course on our site',
            'The form was sent from another site.',
          );
        // The signature is checked here; the change reads the profile itself (and again on a retry).
        const token = signedToken(c, deps);
        if (!token) return invalidLink(c, deps);
        return postChange(c, deps, token);
      },
    )
    .get('/manage/emails', async (c) => {
      const found = await fromToken(c, deps);
      if (!found) return invalidLink(c, deps);
      return archivePage(c, deps, found.subscriber, found.token);
    })
    .get('/manage/emails/:key', async (c) => {
      const found = await fromToken(c, deps);
      if (!found) return invalidLink(c, deps);
      const key = c.req.param('key');
      const send = (await receivedEmails(deps, found.subscriber.id)).find((s) => s.key === key);
      if (!send) return sendPage(c, deps, 'not-found', 404);
      const email = composeCourseEmail(deps, found.subscriber, key, new Date(send.sentAt));
      c.header('X-Robots-Tag', 'noindex');
      return c.html(email.html.replace(/<head>/i, '<head><meta name="robots" content="noindex">'));
    });
}
