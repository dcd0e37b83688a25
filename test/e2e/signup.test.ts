import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templates } from '../../functions/compose';
import { courseSteps } from '../../functions/domain/course';
import { describeCheckins } from '../../functions/domain/schedule';
import { timeZoneProblem } from '../../functions/domain/signup-rules';
import type { LocalStack } from '../../functions/local/stack';
import { launchBrowser, withPage } from '../support/browser';
import { emailsTo, startTestStack } from '../support/stack';
import { confirmedSubscriber, latestConfirmLink, uniqueEmail } from './flows';

let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function openLanding(page: Page): Promise<void> {
  const response = await page.goto(`${stack.urls.app}/`);
  expect(response?.status()).toBe(200);
}

async function fillSignup(page: Page, firstName: string, email: string): Promise<void> {
  await page.getByLabel('First name').fill(firstName);
  await page.getByLabel('Email address').fill(email);
}

const submit = (page: Page) => page.getByRole('button', { name: 'Send me the course' });

describe('signing up on the landing page', () => {
  it('with JavaScript, signs up in place: the success message shows without a page load', async () => {
    const email = uniqueEmail('js');
    await withPage(browser, {}, async (page) => {
      await openLanding(page);
      const navigations: string[] = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigations.push(frame.url());
      });
      await fillSignup(page, 'Asha', email);
      await page.getByLabel('Lessons arrive at').selectOption('7');
      await submit(page).click();

      const done = page.locator('#signup-done');
      await done.waitFor();
      expect(await done.getByRole('heading').textContent()).toBe('Almost there, Asha');
      expect(await done.textContent()).toContain('Check your inbox');
      expect(await page.locator('form.signup').isHidden()).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('signup-done-heading');
      expect(navigations).toEqual([]);
      expect(page.url()).toBe(`${stack.urls.app}/`);
    });
    const stored = await stack.deps.store.findByEmail(email);
    expect(stored).toMatchObject({
      status: 'pending',
      firstName: 'Asha',
      timeZone: 'Europe/London',
      sendHour: 7,
    });
    expect(await emailsTo(stack, email)).toHaveLength(1);
  });

  it('without JavaScript, the form post lands on the check-inbox page and keeps the default UTC zone', async () => {
    const email = uniqueEmail('nojs');
    await withPage(browser, { javaScriptEnabled: false, timezoneId: 'Asia/Tokyo' }, async (page) => {
      await openLanding(page);
      expect(await page.getByLabel('Time zone').inputValue()).toBe('UTC');
      await fillSignup(page, 'Ben', email);
      await Promise.all([page.waitForURL(`${stack.urls.app}/check-inbox`), submit(page).click()]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your inbox');
      expect(await page.getByRole('heading', { name: 'Didn’t get it?' }).count()).toBe(1);
    });
    expect(await stack.deps.store.findByEmail(email)).toMatchObject({
      status: 'pending',
      firstName: 'Ben',
      timeZone: 'UTC',
    });
  });

  it('fills in the time zone the browser reports (Asia/Kolkata) and stores it with the signup', async () => {
    const email = uniqueEmail('kolkata');
    await withPage(browser, { timezoneId: 'Asia/Kolkata' }, async (page) => {
      await openLanding(page);
      expect(await page.getByLabel('Time zone').inputValue()).toBe('Asia/Kolkata');
      await fillSignup(page, 'Priya', email);
      await submit(page).click();
      await page.locator('#signup-done').waitFor();
    });
    expect((await stack.deps.store.findByEmail(email))?.timeZone).toBe('Asia/Kolkata');
  });

  it('lets the person change the detected time zone before signing up', async () => {
    const email = uniqueEmail('moved');
    await withPage(browser, { timezoneId: 'Asia/Kolkata' }, async (page) => {
      await openLanding(page);
      await fillSignup(page, 'Ola', email);
      await page.getByLabel('Time zone').fill('America/Chicago');
      await submit(page).click();
      await page.locator('#signup-done').waitFor();
    });
    expect((await stack.deps.store.findByEmail(email))?.timeZone).toBe('America/Chicago');
  });

  it('shows each error from the API next to its field, linked by aria-describedby and marked aria-invalid', async () => {
    await withPage(browser, {}, async (page) => {
      await openLanding(page);
      await page.getByLabel('Email address').fill('not-an-email');
      await page.getByLabel('Time zone').fill('Mars/Olympus_Mons');
      const answer = page.waitForResponse(`${stack.urls.app}/api/subscribe`);
      await submit(page).click();
      const response = await answer;
      expect(response.status()).toBe(400);
      const { fields } = (await response.json()) as { fields: Record<string, string> };
      expect(Object.keys(fields).sort()).toEqual(['email', 'firstName', 'timeZone']);

      for (const [name, message] of Object.entries(fields)) {
        const input = page.locator(`#${name}`);
        await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
        const describedBy = (await input.getAttribute('aria-describedby'))?.split(' ') ?? [];
        const error = page.locator(`#${name}-error`);
        expect(describedBy).toContain(`${name}-error`);
        expect(await error.isVisible()).toBe(true);
        expect(await error.textContent()).toBe(message);
        // Next to its field: in the same field group as the input.
        expect(
          await error.evaluate((node, id) => node.closest('.field')?.querySelector(`#${id}`) !== null, name),
        ).toBe(true);
      }
      expect(await page.locator('#sendHour').getAttribute('aria-invalid')).toBeNull();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('firstName');

      // Corrected, the same form goes through and the errors are gone.
      await fillSignup(page, 'Kim', uniqueEmail('fixed'));
      await page.getByLabel('Time zone').fill('Europe/Paris');
      await submit(page).click();
      await page.locator('#signup-done').waitFor();
      expect(await page.locator('[aria-invalid="true"]').count()).toBe(0);
    });
  });

  it('sends one request when the submit button is double-clicked', async () => {
    const email = uniqueEmail('double');
    const requests = await withPage(browser, {}, async (page) => {
      await openLanding(page);
      let count = 0;
      page.on('request', (request) => {
        if (request.url() === `${stack.urls.app}/api/subscribe`) count += 1;
      });
      // Hold the answer back so the second click lands while the first request is still on its way.
      await page.route(`${stack.urls.app}/api/subscribe`, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await route.continue();
      });
      await fillSignup(page, 'Dee', email);
      await submit(page).dblclick();
      await page.keyboard.press('Enter');
      await page.locator('#signup-done').waitFor();
      await page.waitForLoadState('networkidle');
      return count;
    });
    expect(requests).toBe(1);
    expect(await emailsTo(stack, email)).toHaveLength(1);
  });
});

describe('the links in the emails', () => {
  it('opens the confirmed page from the confirmation link the SES stand-in received', async () => {
    const email = uniqueEmail('confirm');
    await withPage(browser, { timezoneId: 'America/New_York' }, async (page) => {
      await openLanding(page);
      await fillSignup(page, 'Carmen', email);
      await page.getByLabel('Lessons arrive at').selectOption('22');
      await submit(page).click();
      await page.locator('#signup-done').waitFor();

      const response = await page.goto(await latestConfirmLink(stack, email));
      expect(response?.status()).toBe(200);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe("You're in, Carmen");
      const facts = await page.locator('.facts').textContent();
      expect(facts).toContain('America/New_York');
      // The check-in times for 22:00, not the default hour's.
      expect(facts).toContain(describeCheckins(stack.deps.steps, 22));
      expect(describeCheckins(stack.deps.steps, 22)).not.toBe(describeCheckins(stack.deps.steps, 8));
    });
    expect((await stack.deps.store.findByEmail(email))?.status).toBe('active');
  });

  it('unsubscribes with the one button of the page the welcome email’s List-Unsubscribe link opens', async () => {
    const email = uniqueEmail('leave');
    const { unsubscribeLink } = await confirmedSubscriber(stack, email);
    await withPage(browser, {}, async (page) => {
      await page.goto(unsubscribeLink);
      const buttons = page.getByRole('button');
      expect(await buttons.count()).toBe(1);
      // Opening the page (as a mail scanner would) changes nothing.
      expect((await stack.deps.store.findByEmail(email))?.status).toBe('active');
      await buttons.click();
      await page.getByRole('heading', { level: 1, name: 'You’re unsubscribed' }).waitFor();
    });
    expect((await stack.deps.store.findByEmail(email))?.status).toBe('unsubscribed');
  });
});

describe('the landing page itself', () => {
  it('weighs under 50 KB with its CSS and script, and requests nothing from another origin', async () => {
    const { requested, bytes } = await withPage(browser, {}, async (page) => {
      const requested: string[] = [];
      const sizes = new Map<string, number>();
      page.on('request', (request) => {
        requested.push(request.url());
      });
      page.on('response', async (response) => {
        sizes.set(response.url(), (await response.body()).byteLength);
      });
      await openLanding(page);
      await page.waitForLoadState('networkidle');
      return { requested, bytes: sizes };
    });
    const app = new URL(stack.urls.app).origin;
    // A data: URL (the inline favicon) is not a request to any server.
    const network = requested.filter((url) => !url.startsWith('data:'));
    expect(network.filter((url) => new URL(url).origin !== app)).toEqual([]);
    expect(network.map((url) => new URL(url).pathname).sort()).toEqual([
      '/',
      expect.stringMatching(/^\/assets\/browser-zone\.[0-9a-f]{10}\.js$/),
      expect.stringMatching(/^\/assets\/signup\.[0-9a-f]{10}\.js$/),
      expect.stringMatching(/^\/assets\/site\.[0-9a-f]{10}\.css$/),
    ]);
    const total = [...bytes.values()].reduce((sum, size) => sum + size, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(50 * 1024);
  });

  it('runs under the app’s strict Content-Security-Policy with no violation', async () => {
    await withPage(browser, { timezoneId: 'Asia/Kolkata' }, async (page) => {
      await page.addInitScript(() => {
        const seen: string[] = [];
        Object.assign(window, { cspViolations: seen });
        document.addEventListener('securitypolicyviolation', (event) => seen.push(event.violatedDirective));
      });
      await openLanding(page);
      await fillSignup(page, 'Lee', uniqueEmail('csp'));
      await submit(page).click();
      await page.locator('#signup-done').waitFor();
      expect(
        await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations),
      ).toEqual([]);
      // The stylesheet applied: the honeypot is moved off screen.
      expect(await page.locator('.hp').evaluate((node) => getComputedStyle(node).position)).toBe('absolute');
    });
  });

  it('lists every lesson of the course manifest in the syllabus, in order', async () => {
    const lessons = courseSteps(templates.manifest).filter((step) => step.kind === 'lesson');
    await withPage(browser, {}, async (page) => {
      await openLanding(page);
      const items = page.locator('.syllabus li');
      expect(await items.count()).toBe(lessons.length);
      for (const [index, lesson] of lessons.entries()) {
        const item = items.nth(index);
        expect(await item.locator('.day').textContent()).toBe(`Day ${lesson.day}`);
        expect(await item.locator('strong').textContent()).toBe(lesson.title);
        expect(await item.locator('.action').textContent()).toBe(lesson.action);
      }
    });
  });

  it('describes itself to link previews with a title, a description and Open Graph tags', async () => {
    await withPage(browser, {}, async (page) => {
      await openLanding(page);
      const meta = (selector: string) => page.locator(selector).getAttribute('content');
      const title = await page.title();
      expect(title).toContain(templates.manifest.title);
      expect(await meta('meta[name="description"]')).toBe(templates.manifest.tagline);
      expect(await meta('meta[property="og:title"]')).toBe(title);
      expect(await meta('meta[property="og:description"]')).toBe(templates.manifest.tagline);
      expect(await meta('meta[property="og:type"]')).toBe('website');
      expect(await meta('meta[name="twitter:card"]')).toBe('summary');
    });
  });

  it('says beside the button what the signup sends and that one click unsubscribes', async () => {
    await withPage(browser, {}, async (page) => {
      await openLanding(page);
      expect(await submit(page).getAttribute('aria-describedby')).toBe('consent');
      const consent = await page.locator('#consent').textContent();
      expect(consent).toMatch(/confirm your address/);
      expect(consent).toMatch(/a lesson each day/);
      expect(consent).toMatch(/one-click unsubscribe/);
    });
  });

  it('says when check-ins arrive for the hour picked, and changes it when another hour is picked', async () => {
    await withPage(browser, {}, async (page) => {
      await openLanding(page);
      const hint = page.locator('#checkins-hint');
      expect(await hint.textContent()).toBe(describeCheckins(stack.deps.steps, 8));
      await page.getByLabel('Lessons arrive at').selectOption('15');
      expect(await hint.textContent()).toBe(describeCheckins(stack.deps.steps, 15));
      expect(await hint.textContent()).toContain('day 4 at 08:00');
    });
  });

  it('quotes the first lesson in the sample and states the reading time the build computed', async () => {
    const lesson = templates.emails['lesson-1']!.text.join('').replace(/\s+/g, ' ');
    await withPage(browser, {}, async (page) => {
      await openLanding(page);
      const quoted = await page.locator('.letter blockquote p:not(.letter-action)').allTextContents();
      expect(quoted.length).toBeGreaterThanOrEqual(2);
      for (const paragraph of quoted) expect(lesson).toContain(paragraph);
      expect(await page.locator('.promise').textContent()).toMatch(
        /Each takes (about \d+ minutes?|\d+ to \d+ minutes) to read/,
      );
    });
  });

  it('suggests only time zones that the signup accepts', async () => {
    const zones = await withPage(browser, {}, async (page) => {
      await openLanding(page);
      return page
        .locator('#zones option')
        .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    });
    expect(zones.length).toBeGreaterThan(20);
    expect(zones.filter((zone) => timeZoneProblem(zone) !== undefined)).toEqual([]);
  });
});
