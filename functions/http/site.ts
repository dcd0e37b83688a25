/** The site's own pages: landing page, assets, the check-your-inbox page, health. */
import { Hono } from 'hono';
import type { Deps } from '../app/deps';
import { staticSiteFiles } from './static-site';

/**
 * The static site (served by the CDN in the cloud; here for the local stack and for a deployment
 * reached without it) with the CDN's caching headers, then health.
 */
export function siteRoutes(deps: Deps): Hono {
  const routes = new Hono();
  for (const file of staticSiteFiles(deps)) {
    routes.get(file.path, (c) =>
      c.body(file.body, 200, { 'Content-Type': file.contentType, 'Cache-Control': file.cacheControl }),
    );
  }
  // Any other asset name (an older build's) falls through to the app's not-found page.
  return routes.get('/health', (c) => c.json({ status: 'ok' }));
}
