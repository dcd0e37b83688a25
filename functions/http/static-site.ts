/**
 * The site's static files, exactly as the CDN serves them: the landing and check-your-inbox pages and
 * the fingerprinted assets, rendered once with the deployment's settings. The deploy publishes them to
 * S3 (infra/site-edge.ts); the local stack serves the same list with the same headers.
 */
import { type PageDeps, renderNamedPage } from './pages';

/** One file of the static site. */
export interface StaticFile {
  /** The URL path it answers, e.g. `/` or `/assets/site.0123456789.css`. */
  path: string;
  /** Its object key in the site bucket (`/` is the distribution's default root object). */
  key: string;
  body: string;
  contentType: string;
  cacheControl: string;
}

/** Fingerprinted assets never change under their name: a year, immutable. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** Pages change with a deploy (which also invalidates them at the edge): five minutes. */
export const PAGE_CACHE_CONTROL = 'public, max-age=300';

/** The root object of the distribution: what `/` serves. */
export const ROOT_OBJECT = 'index.html';

const ASSET_NAME = /^[a-z][a-z-]*\.[0-9a-f]{10}\.(css|js)$/;
const ASSET_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
};

/** Content type of a fingerprinted asset name, or undefined when the name is not one. */
export function assetType(name: string): string | undefined {
  const match = ASSET_NAME.exec(name);
  return match ? ASSET_TYPES[match[1] as string] : undefined;
}

/** The fingerprinted URL of a site asset (`site.css` → `/assets/site.<hash>.css`) in a build. */
export function assetUrl(pages: Record<string, string[]>, file: string): string {
  const [base, extension] = file.split('.');
  const name = Object.keys(pages).find(
    (key) => key.startsWith(`${base}.`) && key.endsWith(`.${extension}`) && assetType(key) !== undefined,
  );
  if (!name) throw new Error(`no built asset for ${file}`);
  return `/assets/${name}`;
}

/** Every static file of the site, rendered with the deployment's settings. */
export function staticSiteFiles(deps: PageDeps): StaticFile[] {
  const html = 'text/html; charset=utf-8';
  const pages: StaticFile[] = [
    { path: '/', key: ROOT_OBJECT, body: renderNamedPage(deps, 'landing') },
    { path: '/check-inbox', key: 'check-inbox', body: renderNamedPage(deps, 'check-inbox') },
  ].map((page) => ({ ...page, contentType: html, cacheControl: PAGE_CACHE_CONTROL }));
  const assets = Object.entries(deps.templates.pages).flatMap(([name, parts]) => {
    const contentType = assetType(name);
    if (!contentType) return [];
    const key = `assets/${name}`;
    return [{ path: `/${key}`, key, body: parts[0] ?? '', contentType, cacheControl: ASSET_CACHE_CONTROL }];
  });
  return [...pages, ...assets];
}
