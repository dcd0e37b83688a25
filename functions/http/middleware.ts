/** Rules that hold across routes: security headers, body limits, the cross-site refusal, the timing floor. */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { RequestError } from './errors';

/** Largest request body the app reads. */
export const MAX_BODY_BYTES = 16 * 1024;

/** The client's address as the runtime saw it (never a forwarding header: anyone can write those). */
export type ClientAddress = (c: Context) => string | undefined;

/** An address as a runtime reported it, if it looks like one (at most 64 characters). */
export function plausibleAddress(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 64 ? value : undefined;
}

/** Where a course email is shown as it was sent: its MJML styles are inline, so only there are they allowed. */
export const EMAIL_VIEW_PREFIX = '/manage/emails/';

const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", (c: Context) => (c.req.path.startsWith(EMAIL_VIEW_PREFIX) ? "'unsafe-inline'" : '')],
  imgSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

/**
 * A strict Content-Security-Policy with no inline script (inline styles only in an email shown online),
 * no framing, same-origin resources. The Referrer-Policy `same-origin` sends no referrer to any other
 * site, and lets the site's own form posts carry the site's Origin (under `no-referrer` browsers send
 * `Origin: null`, which `isCrossSite` refuses).
 */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: CSP,
    referrerPolicy: 'same-origin',
    xFrameOptions: 'DENY',
    crossOriginResourcePolicy: 'same-origin',
  });
}

/** Refuses a body over `maxBytes` (default `MAX_BODY_BYTES`): with a 413 naming the limit, or with `onTooLarge`'s answer. */
export function limitBody(
  onTooLarge?: (c: Context) => Response,
  maxBytes: number = MAX_BODY_BYTES,
): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      if (onTooLarge) return onTooLarge(c);
      throw new RequestError(
        413,
        'body_too_large',
        `The request body must be at most ${maxBytes / 1024} KB.`,
      );
    },
  });
}

/**
 * True for a request that a browser sent from another site. CORS does not stop a plain form post, so
 * posts check it themselves: by `Sec-Fetch-Site` where the browser sends it, else by `Origin`. Without
 * `Sec-Fetch-Site` (older browsers), `Origin: null` is cross-site: it is what a sandboxed frame or a
 * `data:` page elsewhere sends, while the site's own pages (Referrer-Policy `same-origin`) send their
 * origin. Requests from outside a browser carry neither header and are not cross-site.
 */
export function isCrossSite(c: Context, siteOrigin: string): boolean {
  const fetchSite = c.req.header('sec-fetch-site');
  if (fetchSite !== undefined) return fetchSite !== 'same-origin' && fetchSite !== 'none';
  const origin = c.req.header('origin');
  return origin !== undefined && origin !== siteOrigin;
}

/** Refuses a post a browser sent from another site with 403 `cross_site`. */
export function refuseCrossSite(siteOrigin: string, message: string): MiddlewareHandler {
  return async (c, next) => {
    if (isCrossSite(c, siteOrigin)) throw new RequestError(403, 'cross_site', message);
    await next();
  };
}

/**
 * Holds every answer to at least `floorMs`, whatever it was, so that timing does not tell a new address
 * from a known one.
 */
export function timingFloor(floorMs: number): MiddlewareHandler {
  return async (_c, next) => {
    const started = performance.now();
    await next();
    const left = floorMs - (performance.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  };
}
