/** Rules that hold across routes: security headers, body limits, the cross-site refusal, the timing floor. */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { RequestError } from './errors';

/** Largest request body the app reads. */
export const MAX_BODY_BYTES = 16 * 1024;

/** The client's address as the runtime saw it (never a forwarding header: anyone can write those). */
export type ClientAddress = (c: Context) => string | undefined;

/** An address as a runtime reported it, if it looks like one (at most 64 characters). */
export function plausibleAddress(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 64 ? value : undefined;
}

/**
 * The viewer's address from CloudFront's `CloudFront-Viewer-Address` header (`<ip>:<port>`, IPv6 not
 * bracketed). Trusted only behind requireOrigin: CloudFront writes it, and nothing else reaches the API.
 */
export function viewerAddress(header: string | undefined): string | undefined {
  const colon = header?.lastIndexOf(':') ?? -1;
  return header && colon > 0 ? plausibleAddress(header.slice(0, colon)) : undefined;
}

/**
 * The headers of every answer, pages and API alike: a strict Content-Security-Policy (no inline script
 * or style, same-origin resources), no referrer, no framing. The CDN's response headers policy sends the
 * same ones on the static files (infra/site-edge.ts).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  // No referrer to any other site; the site's own form posts carry its Origin (under `no-referrer`
  // browsers send `Origin: null`, which `isCrossSite` refuses).
  'Referrer-Policy': 'same-origin',
  'Strict-Transport-Security': 'max-age=15552000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'DENY',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
};

/** Where a course email is shown as it was sent: its MJML styles are inline, so only there are they allowed. */
export const EMAIL_VIEW_PREFIX = '/manage/emails/';

/** Sends SECURITY_HEADERS on every answer (with inline styles allowed only in an email shown online). */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    if (c.req.path.startsWith(EMAIL_VIEW_PREFIX)) {
      const csp = SECURITY_HEADERS['Content-Security-Policy'] as string;
      c.res.headers.set(
        'Content-Security-Policy',
        csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
      );
    }
  };
}

/** The header CloudFront adds to every request it forwards to the API, with the deployment's secret. */
export const ORIGIN_HEADER = 'x-origin-verify';

/**
 * Refuses (403 `direct_access`) a request without the deployment's origin secret: it reached the API
 * some way other than through the site's distribution (the default execute-api endpoint, say).
 */
export function requireOrigin(secret: string): MiddlewareHandler {
  const expected = Buffer.from(secret);
  return async (c, next) => {
    const given = Buffer.from(c.req.header(ORIGIN_HEADER) ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new RequestError(403, 'direct_access', 'Use the course site.');
    }
    await next();
  };
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
