/**
 * The expert's console (`/console`): sign-in by emailed link, then the queue, questions, saved replies,
 * figures and the operators' pages, each its own sub-app behind `requireStaff`.
 */
import { type Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { requestSignIn, signInLinkValid, staffFromSession, startSession } from '../app/console/sign-in';
import type { Deps } from '../app/deps';
import { RateLimitedError } from '../domain/rate-limit';
import {
  type ConsoleEnv,
  clearSessionCookie,
  requireStaff,
  returnPath,
  SESSION_COOKIE,
  setSessionCookie,
} from './console-auth';
import { formFields } from './console-form';
import { insightsRoutes, lookupRoutes } from './console-insights';
import { consolePage, h, type Safe } from './console-layout';
import { questionRoutes } from './console-question';
import { queueRoutes } from './console-queue';
import { savedReplyRoutes } from './console-replies';
import { teamRoutes } from './console-team';
import { type ClientAddress, limitBody, refuseCrossSite, timingFloor } from './middleware';

/** What the console needs from its runtime. */
export interface ConsoleOptions {
  /** Every sign-in answer takes at least this long, so timing does not tell staff addresses from others. */
  floorMs: number;
  clientAddress: ClientAddress;
}

/** Largest body a signed-in console post may have. */
const CONSOLE_BODY_BYTES = 256 * 1024;

const EMAIL = /^[^\s@<>,]{1,64}@[^\s@<>,]{1,190}\.[^\s@<>,]{2,}$/;

function signInForm(message?: Safe, next?: string): Safe {
  return h`<div class="console-narrow">
<h1>Sign in to the expert console</h1>
${message ?? h`<p>Enter your address. If it may use the console, we email you a link that signs you in. The link works once, for 15 minutes.</p>`}
<form class="stack" method="post" action="/console">
${next ? h`<input type="hidden" name="next" value="${next}">` : ''}
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254">
<button type="submit">Email me a sign-in link</button>
</form>
</div>`;
}

function linkInvalid(c: Context): Response {
  return consolePage(c, {
    title: 'Sign-in link not valid',
    status: 400,
    body: signInForm(
      h`<p class="notice" role="alert">This sign-in link has expired or was used already. Ask for a new one below.</p>`,
    ),
  });
}

/** `POST /console`: emails a sign-in link to staff; the same page for any address (429 over the limits). */
async function askForLink(c: Context, deps: Deps, options: ConsoleOptions): Promise<Response> {
  const fields = await formFields(c);
  const email = fields.email?.trim() ?? '';
  const next = returnPath(fields.next);
  if (!EMAIL.test(email)) {
    const problem = h`<p class="notice" role="alert">Enter an email address like name@example.com.</p>`;
    return consolePage(c, { title: 'Sign in', status: 400, body: signInForm(problem, next) });
  }
  try {
    await requestSignIn(deps, { email, clientIp: options.clientAddress(c), next });
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    c.header('Retry-After', String(error.retryAfterSeconds));
    const wait = h`<p class="notice" role="alert">There have been too many sign-in attempts. Try again in about ${Math.ceil(error.retryAfterSeconds / 60)} minutes.</p>`;
    return consolePage(c, { title: 'Please try again later', status: 429, body: signInForm(wait, next) });
  }
  const sent = h`<p class="notice" role="status">If ${email} may use the console, a sign-in link is on its way to it. It works once, for 15 minutes.</p>`;
  return consolePage(c, { title: 'Check your inbox', body: signInForm(sent) });
}

/** The sign-in pages: open to everyone, and the same answer for every address. */
function signInRoutes(deps: Deps, options: ConsoleOptions): Hono {
  const siteOrigin = new URL(deps.settings.siteUrl).origin;
  const sameSiteOnly = refuseCrossSite(siteOrigin, 'Sign in on the console itself.');
  return new Hono()
    .get('/', async (c) => {
      // Someone signed in already (a bookmark of /console) goes straight to the queue.
      if (await staffFromSession(deps, getCookie(c, SESSION_COOKIE)))
        return c.redirect('/console/queue', 303);
      return consolePage(c, {
        title: 'Sign in',
        body: signInForm(undefined, returnPath(c.req.query('next'))),
      });
    })
    .post('/', timingFloor(options.floorMs), sameSiteOnly, limitBody(), (c) => askForLink(c, deps, options))
    .get('/sign-in', (c) => {
      const token = c.req.query('token') ?? '';
      // Opening the link only shows a button: mail scanners open links too, and must not use it up.
      if (!signInLinkValid(deps, token)) return linkInvalid(c);
      const next = returnPath(c.req.query('next'));
      const action = `/console/sign-in?${new URLSearchParams({ token, ...(next ? { next } : {}) })}`;
      return consolePage(c, {
        title: 'Sign in',
        body: h`<div class="console-narrow"><h1>Sign in to the expert console</h1>
<form method="post" action="${action}"><button type="submit">Sign in</button></form></div>`,
      });
    })
    .post('/sign-in', sameSiteOnly, async (c) => {
      const session = await startSession(deps, c.req.query('token') ?? '');
      if (!session) return linkInvalid(c);
      setSessionCookie(c, deps, session.cookie, session.maxAgeSeconds);
      return c.redirect(returnPath(c.req.query('next')) ?? '/console/queue', 303);
    });
}

/** Every console page and action; all but sign-in need a session (see `requireStaff`). */
export function consoleRoutes(deps: Deps, options: ConsoleOptions): Hono {
  const signedIn = new Hono<ConsoleEnv>()
    .use('*', requireStaff(deps))
    // An answer may be 50,000 characters (MAX_ANSWER_CHARS), form-encoded: more than the site's 16 KB.
    .use('*', limitBody(undefined, CONSOLE_BODY_BYTES))
    .post('/sign-out', async (c) => {
      await deps.console.endSession(c.get('staff').sessionId);
      clearSessionCookie(c, deps);
      return c.redirect('/console', 303);
    })
    .route('/', queueRoutes(deps))
    .route('/q', questionRoutes(deps))
    .route('/replies', savedReplyRoutes(deps))
    .route('/team', teamRoutes(deps))
    .route('/insights', insightsRoutes(deps))
    .route('/lookup', lookupRoutes(deps));
  return new Hono().route('/', signInRoutes(deps, options)).route('/', signedIn);
}
