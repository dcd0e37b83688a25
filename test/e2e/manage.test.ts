/** The manage page and the archive in a real browser: without JavaScript, and with it (the zone suggestion). */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack';
import { launchBrowser, seriousAxeViolations, withPage } from '../support/browser';
import { startTestStack } from '../support/stack';
import { confirmedSubscriber, uniqueEmail, welcomeManageLink } from './flows';

let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function manageLinkFor(label: string): Promise<string> {
  const email = uniqueEmail(label);
  await confirmedSubscriber(stack, email);
  return welcomeManageLink(stack, email);
}

const fact = (page: Page, name: string) =>
  page
    .locator('.facts div')
    .filter({ has: page.getByText(name, { exact: true }) })
    .locator('dd');

describe('the manage page without JavaScript', () => {
  it('changes the hour and zone, pauses and resumes with plain form posts, each answered by the updated page', async () => {
    const link = await manageLinkFor('nojs');
    await withPage(browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(link);
      await expect(page.locator('.zone-suggestion').isHidden()).resolves.toBe(true);
      await page.getByLabel('Time zone').fill('Asia/Kolkata');
      await page.getByLabel('Emails arrive at').selectOption('7');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved. Your next emails follow the new hour and time zone.').waitFor();
      expect(await fact(page, 'Your time zone and hour').textContent()).toBe('Asia/Kolkata, 07:00');
      expect(await fact(page, 'Your next email').textContent()).toMatch(/at 07:00$/);

      await page.getByLabel('Pause for').selectOption('3');
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByText(/^Paused until/).waitFor();
      await page.getByRole('button', { name: 'Resume now' }).click();
      await page.getByText('Resumed. The course goes on with the email that was next.').waitFor();
      expect(await page.getByText(/^Paused until/).isHidden()).toBe(true);
    });
  });

  it('shows a 400 page naming an unknown zone, and the course is unchanged', async () => {
    const link = await manageLinkFor('badzone');
    await withPage(browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(link);
      await page.getByLabel('Time zone').fill('Mars/Olympus_Mons');
      const answered = page.waitForResponse((response) => response.request().method() === 'POST');
      await page.getByRole('button', { name: 'Save' }).click();
      expect((await answered).status()).toBe(400);
      await page.getByText('Choose a time zone from the list, like Europe/Paris.').waitFor();
      await page.goto(link);
      expect(await fact(page, 'Your time zone and hour').textContent()).toBe('Europe/London, 08:00');
    });
  });

  it('lists the emails received and shows each as it was sent, not indexed', async () => {
    const link = await manageLinkFor('archive');
    await withPage(browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(link);
      await page.getByRole('link', { name: 'Read the emails you have received' }).click();
      const items = page.locator('ol.archive li');
      expect(await items.count()).toBe(1);
      const title = stack.deps.steps[0]?.title ?? '';
      const [response] = await Promise.all([
        page.waitForResponse(/\/manage\/emails\/welcome/),
        items.getByRole('link').click(),
      ]);
      expect(response.headers()['x-robots-tag']).toBe('noindex');
      expect(await page.locator('meta[name="robots"]').getAttribute('content')).toBe('noindex');
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      expect(await page.getByRole('link', { name: 'Manage your course' }).count()).toBe(1);
    });
  });
});

describe('the manage page with JavaScript', () => {
  it('offers the browser’s zone, fills it in on request, and is accessible with the offer shown', async () => {
    const link = await manageLinkFor('js');
    await withPage(browser, { timezoneId: 'Asia/Kathmandu', bypassCSP: true }, async (page) => {
      await page.goto(link);
      const offer = page.getByRole('button', { name: 'Use this device’s time zone: Asia/Kathmandu' });
      await offer.waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);
      await offer.click();
      expect(await page.getByLabel('Time zone').inputValue()).toBe('Asia/Kathmandu');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved. Your next emails follow the new hour and time zone.').waitFor();
      expect(await fact(page, 'Your time zone and hour').textContent()).toBe('Asia/Kathmandu, 08:00');
      expect(await offer.isHidden()).toBe(true);
    });
  });

  it('runs its script under the site’s Content-Security-Policy (no inline script), with no console error', async () => {
    const link = await manageLinkFor('csp');
    await withPage(browser, { timezoneId: 'Asia/Kolkata' }, async (page) => {
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(link);
      await page.getByRole('button', { name: /Asia\/Kolkata/ }).waitFor();
      expect(errors).toEqual([]);
    });
  });
});
