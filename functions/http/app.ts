import { Hono } from 'hono';
import type { Deps } from '../app/deps';
import { consoleRoutes } from './console';
import { toHttpError } from './errors';
import { linkRoutes } from './links';
import { manageRoutes } from './manage';
import { type ClientAddress, requireOrigin, securityHeaders } from './middleware';
import { sendPage } from './pages';
import { signupRoutes } from './signup';
import { siteRoutes } from './site';

/** What the HTTP app needs from its runtime (Lambda or the local Node server). */
export interface AppOptions {
  /** Every signup answer takes at least this long, so timing does not tell new addresses from known ones. */
  signupFloorMs: number;
  /** The client's address, from the runtime's own connection info. */
  clientAddress: ClientAddress;
  /** Cloud: the secret CloudFront sends in `x-origin-verify`; requests without it are refused. */
  originSecret?: string | undefined;
}

/** The whole HTTP surface, as small sub-apps: site pages, the signup API, the links in emails, the manage page. */
export function createApp(deps: Deps, options: AppOptions): Hono {
  const siteOrigin = new URL(deps.settings.siteUrl).origin;
  const app = new Hono();
  app.use('*', securityHeaders());
  if (options.originSecret) app.use('*', requireOrigin(options.originSecret));
  app.route('/', siteRoutes(deps));
  app.route(
    '/api',
    signupRoutes(deps, siteOrigin, {
      floorMs: options.signupFloorMs,
      clientAddress: options.clientAddress,
    }),
  );
  app.route('/', linkRoutes(deps));
  app.route('/', manageRoutes(deps, siteOrigin));
  app.route(
    '/console',
    consoleRoutes(deps, { floorMs: options.signupFloorMs, clientAddress: options.clientAddress }),
  );

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
