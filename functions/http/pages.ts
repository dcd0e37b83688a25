import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Deps, Settings } from '../app/deps';
import { renderPage } from '../domain/render';
import { TOKEN_LIFETIME_SECONDS } from '../domain/tokens';

/** Page names, as files under `templates/pages/`. */
export type PageName =
  | 'landing'
  | 'check-inbox'
  | 'confirmed'
  | 'already-confirmed'
  | 'link-invalid'
  | 'unsubscribe'
  | 'unsubscribed'
  | 'not-found'
  | 'signup-errors'
  | 'try-later'
  | 'error'
  | 'manage'
  | 'manage-ended'
  | 'manage-completed'
  | 'manage-emails'
  | 'manage-problem';

const TITLES: Record<PageName, string> = {
  landing: 'Stop taking "no" personally',
  'check-inbox': 'Check your inbox',
  confirmed: "You're in",
  'already-confirmed': "You're already in",
  'link-invalid': 'Link expired',
  unsubscribe: 'Unsubscribe',
  unsubscribed: 'Unsubscribed',
  'not-found': 'Not found',
  'signup-errors': 'Check your details',
  'try-later': 'Please try again later',
  error: 'Something went wrong',
  manage: 'Manage your course',
  'manage-ended': 'Manage your course',
  'manage-completed': 'Manage your course',
  'manage-emails': 'Your emails',
  'manage-problem': 'Nothing was changed',
};

/** Days a confirmation link works, as the pages promise it. */
const CONFIRM_LINK_DAYS = String(Math.round((TOKEN_LIFETIME_SECONDS.confirm ?? 0) / 86_400));

/** What rendering a page needs: the compiled templates and the settings pages show. */
export type PageDeps = Pick<Deps, 'templates'> & {
  settings: Pick<Settings, 'postalAddress' | 'confirmResendMs'>;
};

/** Renders a precompiled page; every value is HTML-escaped except those named in `trusted`. */
export function renderNamedPage(
  deps: PageDeps,
  name: PageName,
  values: Record<string, string> = {},
  trusted: ReadonlySet<string> = new Set(),
): string {
  const parts = deps.templates.pages[name];
  if (!parts) throw new Error(`no compiled page "${name}"`);
  return renderPage(
    parts,
    {
      pageTitle: TITLES[name],
      postalAddress: deps.settings.postalAddress,
      // Only the landing page belongs in search results; the others answer one person's link or form.
      robots: name === 'landing' ? 'index, follow' : 'noindex',
      confirmLinkDays: CONFIRM_LINK_DAYS,
      confirmResendMinutes: String(Math.ceil(deps.settings.confirmResendMs / 60_000)),
      ...values,
    },
    trusted,
  );
}

/** Answers with a page. */
export function sendPage(
  c: Context,
  deps: PageDeps,
  name: PageName,
  status: ContentfulStatusCode = 200,
  values: Record<string, string> = {},
  trusted?: ReadonlySet<string>,
): Response {
  return c.html(renderNamedPage(deps, name, values, trusted), status);
}
