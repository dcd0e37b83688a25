import { Hono } from 'hono';
import type { Deps, Settings } from '../app/deps';
import type { CompiledTemplates } from '../domain/course';
import { escapeHtml, type RenderedEmail, renderEmail } from '../domain/render';

export type SampleSettings = Pick<Settings, 'siteUrl' | 'postalAddress' | 'senderName'>;

/** Sample values for previews and test sends: what one subscriber would see. */
export function sampleValues(settings: SampleSettings): Record<string, string> {
  const site = settings.siteUrl;
  return {
    firstName: 'Alex',
    confirmUrl: `${site}/confirm?token=sample`,
    unsubscribeUrl: `${site}/unsubscribe?token=sample`,
    manageUrl: `${site}/manage?token=sample`,
    siteUrl: site,
    postalAddress: settings.postalAddress,
    senderName: settings.senderName,
  };
}

/** One email of the course rendered with sample data. */
export function renderSample(
  templates: CompiledTemplates,
  settings: SampleSettings,
  key: string,
): RenderedEmail | undefined {
  // Own keys only: `__proto__` or `constructor` are not emails.
  const email = Object.hasOwn(templates.emails, key) ? templates.emails[key] : undefined;
  return email ? renderEmail(email, sampleValues(settings)) : undefined;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1rem 2rem;color:#1d232b}
.cols{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1.5rem}
iframe{width:100%;height:80vh;border:1px solid #ccd}pre{white-space:pre-wrap;background:#f6f6f4;padding:1rem;height:80vh;overflow:auto;margin:0}
table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** `/_dev/emails`: every email of the manifest, and each one as HTML and text side by side. */
export function createEmailPreview(deps: Deps): Hono {
  const preview = new Hono();

  preview.get('/', (c) => {
    const rows = deps.templates.manifest.emails
      .map(
        (email) =>
          `<tr><td>${email.day ?? '–'}</td><td>${escapeHtml(email.kind)}</td><td><a href="/_dev/emails/${email.key}">${escapeHtml(email.key)}</a></td><td>${escapeHtml(email.subject)}</td><td>${escapeHtml(email.preheader)}</td></tr>`,
      )
      .join('');
    return c.html(
      page(
        'Course emails',
        `<h1>${escapeHtml(deps.templates.manifest.title)}: every email</h1><table><tr><th>day</th><th>kind</th><th>key</th><th>subject</th><th>preheader</th></tr>${rows}</table>`,
      ),
    );
  });

  preview.get('/:key/html', (c) => {
    const rendered = renderSample(deps.templates, deps.settings, c.req.param('key'));
    return rendered ? c.html(rendered.html) : c.text('No such email.', 404);
  });

  preview.get('/:key', (c) => {
    const key = c.req.param('key');
    const rendered = renderSample(deps.templates, deps.settings, key);
    if (!rendered) return c.text('No such email.', 404);
    return c.html(
      page(
        rendered.subject,
        `<p><a href="/_dev/emails">← all emails</a></p><h1>${escapeHtml(rendered.subject)}</h1><div class="cols"><iframe title="HTML part" src="/_dev/emails/${escapeHtml(key)}/html"></iframe><pre>${escapeHtml(rendered.text)}</pre></div>`,
      ),
    );
  });

  return preview;
}
