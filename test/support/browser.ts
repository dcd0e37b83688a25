/** Headless Chromium for the browser tests, from npm alone (`@sparticuz/chromium`) or a given binary. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type axe from 'axe-core';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';

/**
 * Flags for a desktop test run. The `args` that @sparticuz/chromium exports are tuned for Lambda
 * (single process, no zygote), so they are not used here.
 */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** The Chromium binary: `CHROMIUM_PATH`, else the one bundled in @sparticuz/chromium (unpacked into /tmp). */
export async function chromiumExecutable(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return await (await import('@sparticuz/chromium')).default.executablePath();
  } catch (error) {
    if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
    throw error;
  }
}

/** Launches a fresh headless browser (playwright gives it its own temporary user-data dir). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumExecutable(), args: CHROMIUM_ARGS, headless: true });
}

/** An axe-core finding, reduced to what a failing assertion should show. */
export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The axe rules that depend on colour alone: enough for a second pass in the other colour scheme. */
export const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/**
 * Runs axe-core (every rule, or only `rules`) on the page and returns its serious and critical
 * violations. The page's context needs `bypassCSP: true`: the app's policy (script-src 'self') would
 * block the injected script.
 */
export async function seriousAxeViolations(page: Page, rules?: string[]): Promise<AxeFinding[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const results = await page.evaluate(
    (runOnly) => (window as unknown as { axe: typeof axe }).axe.run(document, runOnly ? { runOnly } : {}),
    rules,
  );
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
}

/** Runs `run` on a page of a new browser context (London time unless `options` say otherwise), then closes it. */
export async function withPage<T>(
  browser: Browser,
  options: BrowserContextOptions,
  run: (page: Page) => Promise<T>,
): Promise<T> {
  const context = await browser.newContext({ timezoneId: 'Europe/London', ...options });
  try {
    return await run(await context.newPage());
  } finally {
    await context.close();
  }
}
