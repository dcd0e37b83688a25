import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templates } from '../../functions/compose';
import { renderEmail } from '../../functions/domain/render';
import { launchBrowser } from '../support/browser';

const VALUES = {
  firstName: 'Alexandria',
  unsubscribeUrl:
    'https://course.example.com/unsubscribe?token=abcdefghijklmnopqrstuvwxyz0123456789.abcdef.ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  manageUrl:
    'https://course.example.com/manage?token=abcdefghijklmnopqrstuvwxyz0123456789.abcdef.ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  confirmUrl:
    'https://course.example.com/confirm?token=abcdefghijklmnopqrstuvwxyz0123456789.abcdef.ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  siteUrl: 'https://course.example.com',
  postalAddress: '1 Example Street, Springfield 12345, USA',
  senderName: 'Sam from "It\'s not about you"',
};

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
  // The email is opened as a mail app would: no network.
  await page.route('**/*', (route) => route.abort());
});

afterAll(async () => {
  await browser?.close();
});

describe('every course email in a browser', () => {
  it.each(Object.keys(templates.emails))(
    '%s: no sideways scrolling at 375 and 600 px, and every image has alt text',
    async (key) => {
      const email = templates.emails[key];
      if (!email) throw new Error(`no compiled email ${key}`);
      const { html } = renderEmail(email, VALUES);
      for (const width of [375, 600]) {
        await page.setViewportSize({ width, height: 800 });
        await page.setContent(html);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${key} at ${width} px`).toBeLessThanOrEqual(0);
        expect(await page.locator('img:not([alt])').count()).toBe(0);
        expect(await page.locator('body').textContent()).toContain(VALUES.firstName);
      }
    },
  );
});
