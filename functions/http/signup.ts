/** The signup API (`/api`): JSON from the landing page's script, or a plain form post without JavaScript. */
import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import type { Deps } from '../app/deps';
import { subscribe } from '../app/subscribe';
import { ValidationError } from '../domain/errors';
import { escapeHtml } from '../domain/render';
import { RequestError, toHttpError } from './errors';
import { type ClientAddress, limitBody, refuseCrossSite, timingFloor } from './middleware';
import { sendPage } from './pages';
import { parseSignup } from './schemas';

/** What the signup routes need besides the use cases' dependencies. */
export interface SignupOptions {
  /** Every signup answer takes at least this long, so timing does not tell new addresses from known ones. */
  floorMs: number;
  clientAddress: ClientAddress;
}

/** The body as JSON or as a form, or a RequestError naming what is wrong with it. */
async function readBody(c: Context): Promise<{ form: boolean; raw: unknown }> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return { form: true, raw: Object.fromEntries(new URLSearchParams(await c.req.text())) };
  }
  if (type !== 'application/json') {
    throw new RequestError(415, 'unsupported_media_type', 'Send application/json or a form post.');
  }
  try {
    return { form: false, raw: JSON.parse(await c.req.text()) };
  } catch {
    throw new RequestError(400, 'malformed_json', 'The request body is not valid JSON.');
  }
}

/**
 * A form post (a browser without JavaScript) gets pages, not JSON: the problems with its fields, or, at
 * a signup limit or a busy moment, when to try again (with the same status and Retry-After).
 */
function formAnswer(c: Context, deps: Deps, error: unknown): Response {
  if (error instanceof ValidationError) {
    const list = Object.values(error.fields)
      .map((message) => `<li>${escapeHtml(message)}</li>`)
      .join('');
    return sendPage(c, deps, 'signup-errors', 400, { errorList: list }, new Set(['errorList']));
  }
  const answer = toHttpError(error);
  if (answer.status !== 429 && answer.status !== 503) throw error;
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

/** `POST /api/subscribe`: starts a double opt-in; the answer is the same for every address. */
export function signupRoutes(deps: Deps, siteOrigin: string, options: SignupOptions): Hono {
  return new Hono()
    .use(
      '*',
      cors({
        origin: (origin) => (origin === siteOrigin ? origin : null),
        allowMethods: ['POST'],
        allowHeaders: ['Content-Type'],
        maxAge: 600,
      }),
    )
    .post(
      '/subscribe',
      timingFloor(options.floorMs),
      limitBody(),
      refuseCrossSite(siteOrigin, 'Sign up on the course site itself.'),
      async (c) => {
        const body = await readBody(c);
        try {
          const signup = parseSignup(body.raw);
          await subscribe(deps, {
            ...signup,
            honeypot: signup.website,
            clientIp: options.clientAddress(c),
            userAgent: c.req.header('user-agent'),
          });
        } catch (error) {
          if (body.form) return formAnswer(c, deps, error);
          throw error;
        }
        if (body.form) return c.redirect('/check-inbox', 303);
        return c.json(
          { status: 'pending', message: 'Check your inbox: we sent you a link to confirm your address.' },
          202,
        );
      },
    );
}
