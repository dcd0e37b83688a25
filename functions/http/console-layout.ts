/**
 * The console's page frame: an HTML tag that escapes every value unless it is already `Safe`, the
 * navigation (with the role each link needs), and one function that answers with a whole page.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import compiled from '../../templates/dist/compiled';
import { escapeHtml } from '../domain/render';
import type { Staff, StaffRole } from '../domain/staff';
import { assetUrl } from './static-site';

/** Markup that is already safe to put in a page (built by `h`). */
export class Safe {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

function piece(value: unknown): string {
  if (value instanceof Safe) return value.html;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** An HTML template: every interpolated value is escaped, except `Safe` markup and arrays of it. */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Safe {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += piece(value) + (strings[index + 1] ?? '');
  });
  return new Safe(out);
}

/** A link in the console's navigation; one with a `role` is shown only to people who have it. */
export interface NavLink {
  href: string;
  label: string;
  role?: StaffRole;
}

/** The console's navigation. An operator page adds its link here with `role: 'operator'`. */
export const CONSOLE_NAV: NavLink[] = [
  { href: '/console/queue', label: 'Queue' },
  { href: '/console/replies', label: 'Saved replies' },
  { href: '/console/figures', label: 'Figures' },
  { href: '/console/team', label: 'Team', role: 'operator' },
  { href: '/console/insights', label: 'Insights', role: 'operator' },
  { href: '/console/lookup', label: 'Lookup', role: 'operator' },
];

function nav(staff: Staff, current: string): Safe {
  const links = CONSOLE_NAV.filter((link) => !link.role || staff.roles.includes(link.role)).map(
    (link) =>
      h`<li><a href="${link.href}"${current.startsWith(link.href) ? new Safe(' aria-current="page"') : ''}>${link.label}</a></li>`,
  );
  return h`<nav class="console-nav" aria-label="Console"><ul>${links}</ul>
<form method="post" action="/console/sign-out"><span class="who">${staff.email}</span> <button type="submit" class="link-button">Sign out</button></form></nav>`;
}

/** What a console page shows: its title, the signed-in person (none on the sign-in pages), its body. */
export interface ConsolePageParts {
  title: string;
  staff?: Staff | undefined;
  body: Safe;
  status?: ContentfulStatusCode;
}

/** The console's stylesheets under this build's fingerprinted names (the CDN caches them for a year). */
const STYLESHEETS = {
  site: assetUrl(compiled.pages, 'site.css'),
  console: assetUrl(compiled.pages, 'console.css'),
};

/** Answers with a whole console page (never cached: it shows people's questions). */
export function consolePage(c: Context, parts: ConsolePageParts): Response {
  const page = h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="color-scheme" content="light dark">
<title>${parts.title} · Expert console</title>
<link rel="stylesheet" href="${STYLESHEETS.site}">
<link rel="stylesheet" href="${STYLESHEETS.console}">
</head>
<body class="console">
<a class="skip-link" href="#main">Skip to main content</a>
<header class="console-header"><p class="console-brand"><a href="/console/queue">Expert console</a></p>
${parts.staff ? nav(parts.staff, c.req.path) : ''}</header>
<main id="main" tabindex="-1">
${parts.body}
</main>
</body>
</html>`;
  c.header('Cache-Control', 'no-store');
  return c.html(page.html, parts.status ?? 200);
}
