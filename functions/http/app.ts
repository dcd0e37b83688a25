import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { confirm } from '../app/confirm';
import type { Deps } from '../app/deps';
import { subscribe } from '../app/subscribe';
import { isValidUnsubscribeToken, unsubscribe } from '../app/unsubscribe';
import { InvalidTokenError, ValidationError } from '../domain/errors';
import { escapeHtml } from '../domain/render';
import { RequestError, toHttpError } from './errors';
import { sendPage } from './pages';
import { parseSignup, tokenParam } from './schemas';

/** Largest request body the API reads. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Options of the HTTP app. */
export interface AppOptions {
  /** Every signup answer takes at least this long, so timing does not tell new addresses from known ones. */
  signupFloorMs?: number;
  /** Extra routes mounted at `/_dev` (local stack only). */
  devRoutes?: Hono | undefined;
}

const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

const ASSET_TYPES: Record<string, string> = {
  'site.css': 'text/css; charset=utf-8',
  'signup.js': 'text/javascript; charset=utf-8',
};

/**
 * The client's IP as the platform saw it: API Gateway's `sourceIp` in Lambda (hono/aws-lambda), the
 * socket's address under @hono/node-server. Forwarding headers are ignored: anyone can write them.
 */
function clientIp(c: Context): string | undefined {
  const env = c.env as
    | {
        event?: { requestContext?: { http?: { sourceIp?: unknown } } };
        incoming?: { socket?: { remoteAddress?: unknown } };
      }
    | undefined;
  const ip = env?.event?.requestContext?.http?.sourceIp ?? env?.incoming?.socket?.remoteAddress;
  return typeof ip === 'string' && ip.length > 0 && ip.length <= 64 ? ip : undefined;
}

/**
 * True for a request that a browser sent from another site. CORS does not stop a plain form post, so the
 * signup checks it itself: by `Sec-Fetch-Site` where the browser sends it, else by `Origin`. The site's
 * own form posts carry `Origin: null` (its Referrer-Policy is no-referrer), so `null` is not refused.
 * Requests from outside a browser carry neither header and are not cross-site.
 */
function isCrossSite(c: Context, siteOrigin: string): boolean {
  const fetchSite = c.req.header('sec-fetch-site');
  if (fetchSite !== undefined) return fetchSite !== 'same-origin' && fetchSite !== 'none';
  const origin = c.req.header('origin');
  return origin !== undefined && origin !== 'null' && origin !== siteOrigin;
}

function wait(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** The whole HTTP surface: landing page, signup API, confirm and unsubscribe links, health. */
export function createApp(deps: Deps, options: AppOptions = {}): Hono {
  const app = new Hono();
  const floor = options.signupFloorMs ?? 0;

  const strictHeaders = secureHeaders({
    contentSecurityPolicy: CSP,
    referrerPolicy: 'no-referrer',
    xFrameOptions: 'DENY',
    crossOriginResourcePolicy: 'same-origin',
  });
  // Local previews show compiled emails, whose inline styles a strict policy would block.
  const devHeaders = secureHeaders({ referrerPolicy: 'no-referrer', xFrameOptions: 'SAMEORIGIN' });
  app.use('*', (c, next) =>
    c.req.path.startsWith('/_dev/') && options.devRoutes ? devHeaders(c, next) : strictHeaders(c, next),
  );

  // Only the site's own pages may call the API from a browser. The site URL is read per request: the
  // local stack learns its port after the app is built.
  const siteOrigin = () => new URL(deps.settings.siteUrl).origin;
  app.use(
    '/api/*',
    cors({
      origin: (origin) => (origin === siteOrigin() ? origin : null),
      allowMethods: ['POST'],
      allowHeaders: ['Content-Type'],
      maxAge: 600,
    }),
  );

  app.get('/health', (c) => c.json({ status: 'ok' }));

  app.get('/assets/:name', (c) => {
    const name = c.req.param('name');
    const content = deps.templates.pages[name]?.[0];
    const type = ASSET_TYPES[name];
    if (content === undefined || !type) return sendPage(c, deps, 'not-found', 404);
    return c.body(content, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=3600' });
  });

  app.get('/', (c) => sendPage(c, deps, 'landing'));

  app.post(
    '/api/subscribe',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new RequestError(
          413,
          'body_too_large',
          `The request body must be at most ${MAX_BODY_BYTES / 1024} KB.`,
        );
      },
    }),
    async (c) => {
      const started = performance.now();
      if (isCrossSite(c, siteOrigin())) {
        throw new RequestError(403, 'cross_site', 'Sign up on the course site itself.');
      }
      const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      const isForm = type === 'application/x-www-form-urlencoded';
      try {
        let raw: unknown;
        if (type === 'application/json') {
          const text = await c.req.text();
          try {
            raw = JSON.parse(text);
          } catch {
            throw new RequestError(400, 'malformed_json', 'The request body is not valid JSON.');
          }
        } else if (isForm) {
          raw = Object.fromEntries(new URLSearchParams(await c.req.text()));
        } else {
          throw new RequestError(415, 'unsupported_media_type', 'Send application/json or a form post.');
        }
        const signup = parseSignup(raw);
        await subscribe(deps, {
          ...signup,
          honeypot: signup.website,
          clientIp: clientIp(c),
          userAgent: c.req.header('user-agent'),
        });
      } catch (error) {
        if (isForm && error instanceof ValidationError) {
          const list = Object.values(error.fields)
            .map((message) => `<li>${escapeHtml(message)}</li>`)
            .join('');
          return sendPage(c, deps, 'signup-errors', 400, { errorList: list }, new Set(['errorList']));
        }
        // A form post (a browser without JavaScript) that meets a signup limit or a busy moment gets a
        // page saying so, with the same status and Retry-After as the JSON answer.
        const answer = toHttpError(error);
        if (isForm && (answer.status === 429 || answer.status === 503)) {
          const seconds = answer.retryAfter ?? 60;
          c.header('Retry-After', String(seconds));
          const minutes = Math.max(1, Math.ceil(seconds / 60));
          const reason =
            answer.status === 429
              ? 'There have been too many signup attempts for now.'
              : 'We are sending a lot of email right now.';
          return sendPage(c, deps, 'try-later', answer.status, {
            message: `${reason} You can try again in about ${minutes} minute${minutes === 1 ? '' : 's'}.`,
          });
        }
        throw error;
      }
      await wait(floor - (performance.now() - started));
      if (isForm) return c.redirect('/check-inbox', 303);
      return c.json(
        { status: 'pending', message: 'Check your inbox: we sent you a link to confirm your address.' },
        202,
      );
    },
  );

  app.get('/check-inbox', (c) => sendPage(c, deps, 'check-inbox'));

  app.get('/confirm', async (c) => {
    const token = tokenParam(c.req.query('token'));
    try {
      if (!token) throw new InvalidTokenError('malformed');
      const outcome = await confirm(deps, token);
      if (outcome.kind === 'stopped') return sendPage(c, deps, 'unsubscribed');
      return sendPage(c, deps, outcome.kind, 200, {
        firstName: outcome.subscriber.firstName,
        firstLessonAt: outcome.firstLessonAt ?? 'tomorrow morning',
        timeZone: outcome.subscriber.timeZone,
        checkinTimes: outcome.checkinTimes,
      });
    } catch (error) {
      if (error instanceof InvalidTokenError) return sendPage(c, deps, 'link-invalid', 400);
      throw error;
    }
  });

  app.get('/unsubscribe', (c) => {
    const token = tokenParam(c.req.query('token'));
    // Never unsubscribes: mail scanners prefetch links. An invalid token gets the same page.
    return sendPage(c, deps, 'unsubscribe', 200, {
      token: token && isValidUnsubscribeToken(deps, token) ? token : '',
    });
  });

  app.post(
    '/unsubscribe',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => sendPage(c, deps, 'unsubscribed') }),
    async (c) => {
      const token = tokenParam(c.req.query('token'));
      try {
        if (token) await unsubscribe(deps, token);
      } catch (error) {
        if (!(error instanceof InvalidTokenError)) throw error;
      }
      return sendPage(c, deps, 'unsubscribed');
    },
  );

  if (options.devRoutes) app.route('/_dev', options.devRoutes);

  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json({ error: 'not_found', message: 'There is no such endpoint.' }, 404)
      : sendPage(c, deps, 'not-found', 404),
  );

  app.onError((error, c) => {
    const { status, body, retryAfter } = toHttpError(error);
    if (status >= 500) deps.log.error('request failed', { path: c.req.path, error: error.name });
    if (retryAfter) c.header('Retry-After', String(retryAfter));
    if (status >= 500 && !c.req.path.startsWith('/api/')) return sendPage(c, deps, 'error', status);
    return c.json(body, status);
  });

  return app;
}
