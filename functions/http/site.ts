/** The site's own pages: landing page, assets, the check-your-inbox page, health. */
import { Hono } from 'hono';
import type { Deps } from '../app/deps';
import { sendPage } from './pages';

const ASSET_TYPES: Record<string, string> = {
  'site.css': 'text/css; charset=utf-8',
  'browser-zone.js': 'text/javascript; charset=utf-8',
  'signup.js': 'text/javascript; charset=utf-8',
  'manage.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/** Pages that answer everyone the same way. */
export function siteRoutes(deps: Deps): Hono {
  return new Hono()
    .get('/', (c) => sendPage(c, deps, 'landing'))
    .get('/check-inbox', (c) => sendPage(c, deps, 'check-inbox'))
    .get('/health', (c) => c.json({ status: 'ok' }))
    .get('/assets/:name', (c) => {
      const name = c.req.param('name');
      const content = deps.templates.pages[name]?.[0];
      const type = ASSET_TYPES[name];
      if (content === undefined || !type) return sendPage(c, deps, 'not-found', 404);
      return c.body(content, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=3600' });
    });
}
