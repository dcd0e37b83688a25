/** The operators' insights and lookup pages in a real browser: accessible, under the site's CSP, photographed. */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectSesEvent } from '../../functions/local/inject-ses-event';
import { COLOUR_RULES, launchBrowser, seriousAxeViolations, withPage } from '../support/browser';
import { browserSessionCookie, OPERATOR } from '../support/console';
import { emailsTo, header, linkIn, postJson, startTestStack, type TestStack } from '../support/stack';

const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');
const LOOKED_UP = 'asha@example.com';

let stack: TestStack;
let browser: Browser;

/** A small cohort a few days into the course: sources, a signup that never confirms, an unsubscribe, a bounce. */
async function seed() {
  const people = ['asha', 'ben', 'chen', 'dana', 'eli'].map((name) => `${name}@example.com`);
  for (const [i, email] of people.entries()) {
    const source = ['newsletter', 'podcast', undefined][i % 3];
    await postJson(stack, '/api/subscribe', { email, firstName: 'Kim', timeZone: 'Asia/Kathmandu', source });
    if (email === 'eli@example.com') continue; // never confirms
    const [confirmation] = await emailsTo(stack, email);
    await fetch(linkIn(confirmation?.body.text, `${stack.urls.app}/confirm?token=`));
  }
  await postJson(stack, '/_dev/clock', { advanceHours: 50 });
  const latest = (await emailsTo(stack, 'ben@example.com')).at(-1)!;
  await fetch(header(latest, 'List-Unsubscribe')!.slice(1, -1), { method: 'POST' });
  await stack.sesEvents.settle();
  await injectSesEvent(stack.deps, 'bounce', 'chen@example.com', stack.clock.now());
  await postJson(stack, '/_dev/clock', { advanceHours: 30 });
  await stack.sesEvents.settle();
}

/** Opens a console page signed in as the operator. */
async function signedIn(page: Page, path: string) {
  await page.context().addCookies([await browserSessionCookie(stack.deps, OPERATOR, stack.urls.app)]);
  await page.goto(`${stack.urls.app}${path}`);
}

const VISITS = [
  { name: 'console-insights', open: (page: Page) => signedIn(page, '/console/insights') },
  {
    name: 'console-lookup',
    open: async (page: Page) => {
      await signedIn(page, '/console/lookup');
      await page.getByLabel('Subscriber’s email address').fill(LOOKED_UP);
      await page.getByRole('button', { name: 'Look up' }).click();
      await page.getByRole('heading', { level: 2 }).first().waitFor();
    },
  },
];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchBrowser()]);
  await seed();
  await mkdir(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('operators’ insights and lookup in a browser', () => {
  it('the landing page keeps utm_source with the signup, cleaned as the API expects', async () => {
    await withPage(browser, {}, async (page) => {
      await page.goto(`${stack.urls.app}/?utm_source=Weekly%20Newsletter!&ref=ignored`);
      await page.getByLabel('First name').fill('Femi');
      await page.getByLabel('Email address').fill('femi@example.com');
      await page.getByRole('button', { name: 'Send me the course' }).click();
      await page.locator('#signup-done').waitFor();
    });
    expect(await stack.deps.store.findByEmail('femi@example.com')).toMatchObject({
      source: 'weekly-newsletter',
    });
  });

  it.each(VISITS)('$name: loads under the CSP with nothing blocked', async (visit) => {
    await withPage(browser, {}, async (page) => {
      const blocked: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
      });
      await visit.open(page);
      expect(await page.locator('h1').count()).toBe(1);
      expect(blocked).toEqual([]);
    });
  });

  it('insights: the charts say what they show, and the figures are there', async () => {
    await withPage(browser, {}, async (page) => {
      await signedIn(page, '/console/insights');
      expect(await page.getByRole('img', { name: /^Funnel/ }).count()).toBe(1);
      expect(await page.getByRole('img', { name: /^Questions: answered within 24 hours/ }).count()).toBe(1);
      const sources = page.getByRole('img', { name: 'Signups by source (utm_source or ref)' });
      expect(await sources.textContent()).toMatch(/newsletter.*podcast|podcast.*newsletter/s);
    });
  });

  it('lookup: the timeline and the next email, in UTC and the person’s time', async () => {
    await withPage(browser, {}, async (page) => {
      await VISITS[1]!.open(page);
      const timeline = page.getByRole('table', { name: 'Timeline' });
      expect(await timeline.textContent()).toContain('Signed up (source: newsletter)');
      expect(await timeline.textContent()).toContain('Delivered: lesson-1');
      expect(await page.locator('.facts').textContent()).toMatch(
        /[a-z]+-\d+ due \w{3} \d+ \w{3} \d\d:00 Asia\/Kathmandu \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\): day \d+ of the course, at \d\d:00 their time\./,
      );
    });
  });

  it.each(VISITS)(
    '$name: axe finds no serious or critical violation in light or dark mode',
    async (visit) => {
      const light = await withPage(browser, { bypassCSP: true, colorScheme: 'light' }, async (page) => {
        await visit.open(page);
        return seriousAxeViolations(page);
      });
      expect(light).toEqual([]);
      const dark = await withPage(browser, { bypassCSP: true, colorScheme: 'dark' }, async (page) => {
        await visit.open(page);
        return seriousAxeViolations(page, COLOUR_RULES);
      });
      expect(dark).toEqual([]);
    },
  );

  it.each(VISITS)(
    '$name: fits 375 px without sideways scrolling; screenshots at 375 and 1280 px',
    async (visit) => {
      await withPage(browser, { viewport: { width: 375, height: 900 } }, async (page) => {
        await visit.open(page);
        for (const width of [375, 1280]) {
          await page.setViewportSize({ width, height: 900 });
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect(overflow, `${visit.name} at ${width} px`).toBeLessThanOrEqual(0);
          const path = join(SCREENSHOTS, `${visit.name}-${width}.png`);
          const image = await page.screenshot({ path, fullPage: true });
          expect((await stat(path)).size).toBe(image.byteLength);
        }
      });
    },
  );
});
