import type { CompiledEmail, TemplateParts } from './course';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML element or a quoted attribute. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** Splits a template at `{{name}}` placeholders: literal text at even indices, names at odd ones. */
export function splitPlaceholders(template: string): TemplateParts {
  return template.split(/\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/);
}

/** The placeholder names a template uses. */
export function placeholderNames(parts: TemplateParts): string[] {
  return parts.filter((_, index) => index % 2 === 1);
}

/**
 * Fills a split template. A missing value is an error (a half-filled email must never go out), and
 * every value passes through `escape` (HTML-escaping for HTML, identity for text).
 */
export function fill(
  parts: TemplateParts,
  values: Readonly<Record<string, string>>,
  escapeValue: (value: string, name: string) => string,
): string {
  let out = parts[0] ?? '';
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i] as string;
    const value = values[name];
    if (value === undefined) throw new Error(`template value "${name}" is missing`);
    out += escapeValue(value, name) + (parts[i + 1] ?? '');
  }
  return out;
}

const identity = (value: string) => value;

/** Subject, HTML and text of one email for one person. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Fills a precompiled email with one person's values. */
export function renderEmail(email: CompiledEmail, values: Readonly<Record<string, string>>): RenderedEmail {
  return {
    subject: fill(email.subject, values, identity),
    html: fill(email.html, values, escapeHtml),
    text: fill(email.text, values, identity),
  };
}

/** Fills a precompiled page; values are HTML-escaped unless listed in `trusted` (markup we built ourselves). */
export function renderPage(
  parts: TemplateParts,
  values: Readonly<Record<string, string>>,
  trusted: ReadonlySet<string> = new Set(),
): string {
  return fill(parts, values, (value, name) => (trusted.has(name) ? value : escapeHtml(value)));
}
