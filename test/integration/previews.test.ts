import { describe, expect, it } from 'vitest';
import { sentEmails, useTestStack } from '../support/stack';
import { runTool } from '../support/tools';

/** Runs the send-test command without blocking this process (the SES stand-in lives here). */
function sendTest(args: string[], env: Record<string, string> = {}) {
  return runTool('functions/local/send-test.ts', args, env);
}

describe('operator previews and test sends', () => {
  const testStack = useTestStack();

  it('lists every email of the manifest at /_dev/emails', async () => {
    const html = await (await fetch(`${testStack().urls.app}/_dev/emails`)).text();
    for (const email of testStack().deps.templates.manifest.emails)
      expect(html).toContain(`href="/_dev/emails/${email.key}"`);
  });

  it('shows each email as HTML and text side by side, filled with sample data', async () => {
    for (const email of testStack().deps.templates.manifest.emails) {
      const page = await (await fetch(`${testStack().urls.app}/_dev/emails/${email.key}`)).text();
      expect(page).toContain('<iframe');
      expect(page).toContain('Alex');
      const html = await (await fetch(`${testStack().urls.app}/_dev/emails/${email.key}/html`)).text();
      expect(html).toContain('Alex');
      expect(html).not.toMatch(/\{\{\s*\w+\s*\}\}/);
    }
  });

  it('answers an unknown email key with 404', async () => {
    expect((await fetch(`${testStack().urls.app}/_dev/emails/nope`)).status).toBe(404);
  });

  it('sends one email through the configured SES with npm run send-test', async () => {
    const run = await sendTest(['--to', 'op@example.com', '--email', 'lesson-3'], {
      SES_PORT: new URL(testStack().urls.ses).port,
    });
    expect(run.status, run.stderr).toBe(0);
    const sent = (await sentEmails(testStack())).find((email) =>
      email.destination.to.includes('op@example.com'),
    );
    expect(sent?.subject).toBe(
      testStack().deps.templates.manifest.emails.find((e) => e.key === 'lesson-3')?.subject,
    );
  });

  it('refuses a test send to an unknown email with a clear message', async () => {
    const run = await sendTest(['--to', 'op@example.com', '--email', 'nope']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('no email "nope"');
  });
});

describe('the clock control', () => {
  const testStack = useTestStack();

  it.each([{}, { advanceHours: -1 }, { advanceHours: 'x' }, { advanceHours: 100_000 }])(
    'refuses %j with 400',
    async (body) => {
      const before = testStack().clock.now().getTime();
      const response = await fetch(`${testStack().urls.app}/_dev/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ fields: { advanceHours: expect.any(String) } });
      expect(testStack().clock.now().getTime() - before).toBeLessThan(60_000);
    },
  );

  it.each([
    ['a form post', { 'content-type': 'application/x-www-form-urlencoded' }, 'advanceHours=24'],
    ['plain text', { 'content-type': 'text/plain' }, '{"advanceHours":24}'],
    ['no content type', {}, '{"advanceHours":24}'],
    [
      'JSON sent by another site',
      { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
      '{"advanceHours":24}',
    ],
  ])('refuses %s to move the clock with 415, and the clock stays', async (_label, headers, body) => {
    const before = testStack().clock.now().getTime();
    const response = await fetch(`${testStack().urls.app}/_dev/clock`, { method: 'POST', headers, body });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: 'unsupported_media_type' });
    expect(testStack().clock.now().getTime() - before).toBeLessThan(60_000);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'answers a preview of "%s" (not an email) with 404, not an error',
    async (key) => {
      for (const path of [`/_dev/emails/${key}`, `/_dev/emails/${key}/html`]) {
        expect((await fetch(`${testStack().urls.app}${path}`)).status).toBe(404);
      }
    },
  );

  it('moves the clock forward and reports the new time', async () => {
    const before = testStack().clock.now().getTime();
    const response = await fetch(`${testStack().urls.app}/_dev/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceHours: 5 }),
    });
    const body = (await response.json()) as { now: string; sent: number };
    expect(Date.parse(body.now) - before).toBeGreaterThanOrEqual(5 * 3600_000);
    expect(body.sent).toBe(0);
  });
});
