/** Headless Chromium for the browser tests, from npm alone (`@sparticuz/chromium`) or a given binary. */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

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
