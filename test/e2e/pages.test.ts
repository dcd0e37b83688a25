import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNamedPage } from '../../functions/http/pages';
import type { LocalStack } from '../../functions/local/stack';
import { COLOUR_RULES, launchBrowser, seriousAxeViolations, withPage } from '../support/browser';
import { startTestStack } from '../support/stack';
import { confirmedSubscriber, confirmLinkFor, uniqueEmail, welcomeManageLink } from './flows';

const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');

/** How to reach one page (or one state of the landing page) in a browser; `open` checks the HTTP status. */
interface Visit {
  name: string;
  open(page: Page): Promise<void>;
}

let stack: LocalStack;
let browser: Browser;
let alreadyConfirmedLink: string;
let unsubscribeLink: string;
let manageLink: string;
let stoppedManageLink: string;

async function goto(page: Page, path: string): Promise<number> {
  const response = await page.goto(path.startsWith('http') ? path : `${stack.urls.app}${path}`);
  return response?.status() ?? 0;
}

function expectStatus(actual: number, expected: number): void {
  expect(actual, 'HTTP status').toBe(expected);
}

const VISITS: Visit[] = [
  {
    name: 'landing',
    open: async (page) => expectStatus(await goto(page, '/'), 200),
  },
  {
    name: 'landing-field-errors',
    async open(page) {
      await goto(page, '/');
      await page.getByRole('button', { name: 'Send me the course' }).click();
      await page.locator('#email-error').waitFor();
    },
  },
  {
    name: 'landing-signed-up',
    async open(page) {
      await goto(page, '/');
      await page.getByLabel('First name').fill('Noor');
      await page.getByLabel('Email address').fill(uniqueEmail('inplace'));
      await page.getByRole('button', { name: 'Send me the course' }).click();
      await page.locator('#signup-done').waitFor();
    },
  },
  {
    name: 'check-inbox',
    open: async (page) => expectStatus(await goto(page, '/check-inbox'), 200),
  },
  {
    name: 'signup-errors',
    async open(page) {
      await goto(page, '/');
      // A plain form post, as a browser without JavaScript sends it (submit() skips the script's handler).
      const answered = page.waitForResponse(`${stack.urls.app}/api/subscribe`);
      await Promise.all([
        page.waitForURL(`${stack.urls.app}/api/subscribe`),
        page.evaluate(() => document.querySelector<HTMLFormElement>('form.signup')?.submit()),
      ]);
      expectStatus((await answered).status(), 400);
    },
  },
  {
    name: 'confirmed',
    async open(page) {
      expectStatus(await goto(page, await confirmLinkFor(stack, uniqueEmail('confirmed'), 'Maria')), 200);
    },
  },
  {
    name: 'already-confirmed',
    open: async (page) => expectStatus(await goto(page, alreadyConfirmedLink), 200),
  },
  {
    name: 'link-invalid',
    open: async (page) => expectStatus(await goto(page, '/confirm?token=not-a-real-token'), 400),
  },
  {
    name: 'unsubscribe',
    open: async (page) => expectStatus(await goto(page, unsubscribeLink), 200),
  },
  {
    name: 'unsubscribed',
    async open(page) {
      await goto(page, unsubscribeLink);
      await page.getByRole('button', { name: 'Unsubscribe' }).click();
      await page.getByRole('heading', { level: 1, name: /unsubscribed/ }).waitFor();
    },
  },
  {
    name: 'manage',
    open: async (page) => expectStatus(await goto(page, manageLink), 200),
  },
  {
    name: 'manage-emails',
    async open(page) {
      await goto(page, manageLink);
      await page.getByRole('link', { name: 'Read the emails you have received' }).click();
      await page.getByRole('heading', { level: 1, name: /Your emails/ }).waitFor();
    },
  },
  {
    name: 'manage-ended',
    open: async (page) => expectStatus(await goto(page, stoppedManageLink), 200),
  },
  {
    name: 'manage-problem',
    open: async (page) => expectStatus(await goto(page, '/manage?token=not-a-real-token'), 400),
  },
  {
    name: 'not-found',
    open: async (page) => expectStatus(await goto(page, '/no-such-page'), 404),
  },
  {
    name: 'try-later',
    async open(page) {
      // The local stack's signup limit is far above what a browser test reaches; serve the page exactly
      // as the signup route renders it for a form post over the limit (tested in abuse.test.ts).
      const url = `${stack.urls.app}/preview-of-the-try-later-page`;
      await page.route(url, (route) =>
        route.fulfill({
          status: 429,
          contentType: 'text/html; charset=utf-8',
          body: renderNamedPage(stack.deps, 'try-later', {
            message:
              'There have been too many signup attempts for now. You can try again in about 10 minutes.',
          }),
        }),
      );
      expectStatus(await goto(page, url), 429);
    },
  },
  {
    name: 'error',
    async open(page) {
      // A real 5xx needs a broken backend; serve the page exactly as the app's error handler renders it.
      const url = `${stack.urls.app}/preview-of-the-error-page`;
      await page.route(url, (route) =>
        route.fulfill({
          status: 500,
          contentType: 'text/html; charset=utf-8',
          body: renderNamedPage(stack.deps, 'error'),
        }),
      );
      expectStatus(await goto(page, url), 500);
    },
  },
];

function scrollOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchBrowser()]);
  const confirmed = await confirmedSubscriber(stack, uniqueEmail('again'));
  alreadyConfirmedLink = confirmed.confirmLink;
  unsubscribeLink = confirmed.unsubscribeLink;
  const managed = uniqueEmail('manage');
  await confirmedSubscriber(stack, managed);
  manageLink = await welcomeManageLink(stack, managed);
  const stopped = uniqueEmail('stopped');
  const stoppedLinks = await confirmedSubscriber(stack, stopped);
  stoppedManageLink = await welcomeManageLink(stack, stopped);
  await fetch(stoppedLinks.unsubscribeLink, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
  await mkdir(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Screenshots of the page as it is now, at 375 and 1280 px wide; the page is left at 1280 px. */
async function photograph(page: Page, name: string, colorScheme: 'light' | 'dark'): Promise<void> {
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    const path = join(SCREENSHOTS, `${name}-${width}${colorScheme === 'dark' ? '-dark' : ''}.png`);
    const image = await page.screenshot({ path, fullPage: true });
    expect((await stat(path)).size).toBe(image.byteLength);
  }
}

/** One h1, the three landmarks, and a skip link first that is visible on focus and moves focus to main. */
async function checkStructure(page: Page): Promise<void> {
  expect(await page.locator('h1').count()).toBe(1);
  for (const role of ['banner', 'main', 'contentinfo'] as const) {
    expect(await page.getByRole(role).count(), role).toBe(1);
  }
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  expect(
    await skip.evaluate((link) => link === document.querySelector('a[href], button, input, select')),
  ).toBe(true);
  await skip.focus();
  const box = await skip.boundingBox();
  expect(box && box.y >= 0 && box.x >= 0, 'the focused skip link is on screen').toBe(true);
  expect(await skip.evaluate((link) => getComputedStyle(link).outlineStyle)).not.toBe('none');
  await page.keyboard.press('Enter');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
}

// Each page is opened once per colour scheme (reaching some pages takes a signup or a confirmation), and
// everything is checked on that one visit: photographed first, untouched, then axe, then the keyboard.
describe('every page is accessible, fits every screen, and is photographed', () => {
  it.concurrent.each(VISITS)(
    '$name in light mode: screenshots at 375 and 1280 px; axe finds no serious or critical violation; one h1, header/main/footer landmarks, a skip link first; no sideways scrolling from 320 px up',
    async (visit) => {
      await withPage(browser, { bypassCSP: true, colorScheme: 'light' }, async (page) => {
        await visit.open(page);
        await photograph(page, visit.name, 'light');
        expect(await seriousAxeViolations(page), `${visit.name} in light mode, every rule`).toEqual([]);
        await checkStructure(page);
        // 320 px is a 1280 px window at 400% zoom; 640 px is the same window at 200%.
        for (const width of [320, 375, 640, 1280]) {
          await page.setViewportSize({ width, height: 900 });
          expect(await scrollOverflow(page), `${visit.name} at ${width} px`).toBeLessThanOrEqual(0);
        }
      });
    },
  );

  it.concurrent.each(VISITS)(
    '$name in dark mode: screenshots at 375 and 1280 px; axe finds no serious or critical colour violation',
    async (visit) => {
      await withPage(browser, { bypassCSP: true, colorScheme: 'dark' }, async (page) => {
        await visit.open(page);
        await photograph(page, visit.name, 'dark');
        // Dark mode changes colours only, so its pass runs the colour rules.
        expect(
          await seriousAxeViolations(page, COLOUR_RULES),
          `${visit.name} in dark mode, colour rules`,
        ).toEqual([]);
      });
    },
  );
});
