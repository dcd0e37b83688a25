/**
 * The expert console in a real browser on the local stack: sign-in by emailed link, the queue, a
 * question, a saved reply with a required fill-in, answering from the web into the subscriber's thread
 * (from a question sent over SMTP), and the collision of two experts. Every page is checked with axe and
 * photographed at 375 and 1280 px under test-output/console/.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOUR_RULES, launchBrowser, seriousAxeViolations } from '../support/browser';
import { browserSessionCookie, EXPERT, EXPERT2, OPERATOR } from '../support/console';
import { emailsTo, header, linkIn, type SentEmail, startTestStack, type TestStack } from '../support/stack';
import { confirmLinkFor, uniqueEmail } from './flows';

const SCREENSHOTS = join(process.cwd(), 'test-output', 'console');

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchBrowser()]);
  await mkdir(SCREENSHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The text of the first element a locator finds, once it is there. */
async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor();
  return (await locator.first().textContent()) ?? '';
}

/** Checks the page with axe (colors in the dark scheme too), then photographs it at both widths. */
async function inspect(page: Page, name: string): Promise<void> {
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await seriousAxeViolations(page, COLOUR_RULES), `axe on ${name}, dark`).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    // Nothing wider than the window: no sideways scrolling on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at ${width} px`).toBe(
      width,
    );
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
}

async function signedInContext(email: string): Promise<BrowserContext> {
  const context = await browser.newContext({ bypassCSP: true, timezoneId: 'Europe/London' });
  await context.addCookies([await browserSessionCookie(stack.deps, email, stack.urls.app)]);
  return context;
}

/** A confirmed subscriber's question, sent over SMTP as a reply to their welcome email. */
async function askOverSmtp(firstName: string, text: string): Promise<{ email: string; messageId: string }> {
  const email = uniqueEmail(firstName.toLowerCase());
  await fetch(await confirmLinkFor(stack, email, firstName));
  const welcome = (await emailsTo(stack, email)).find((sent) =>
    sent.replyTo[0]?.startsWith('reply+'),
  ) as SentEmail;
  const smtp = nodemailer.createTransport({
    host: '127.0.0.1',
    port: Number(new URL(stack.urls.smtp).port),
    secure: false,
    ignoreTLS: true,
  });
  const messageId = `<${firstName.toLowerCase()}-${Date.now()}@mail.example.com>`;
  await smtp.sendMail({
    from: `${firstName} <${email}>`,
    to: welcome.replyTo[0],
    subject: `Re: ${welcome.subject}`,
    messageId,
    references: [`<${welcome.messageId}@email.amazonses.com>`],
    inReplyTo: `<${welcome.messageId}@email.amazonses.com>`,
    text: `${text}\n\nOn Monday, Sam wrote:\n> ${welcome.body.text?.split('\n')[0]}`,
  });
  smtp.close();
  return { email, messageId };
}

describe('the console in a browser', () => {
  it('signs in with an emailed link and lands on the queue', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${stack.urls.app}/console`);
    await inspect(page, 'sign-in');
    await page.getByLabel('Email address').fill(EXPERT);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    expect(await textOf(page.getByRole('status'))).toContain('a sign-in link is on its way');
    await inspect(page, 'sign-in-sent');
    const [mail] = (await emailsTo(stack, EXPERT)).filter((e) => e.subject.includes('sign-in link'));
    await page.goto(linkIn(mail?.body.text, `${stack.urls.app}/console/sign-in?token=`));
    await inspect(page, 'sign-in-link');
    const link = page.url();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${stack.urls.app}/console/queue`);
    const reused = await context.newPage();
    await reused.goto(link);
    await reused.getByRole('button', { name: 'Sign in' }).click();
    expect(await textOf(reused.getByRole('alert'))).toContain('expired or was used already');
    await inspect(reused, 'sign-in-link-used');
    expect((await textOf(page.getByRole('heading', { level: 1 }))).trim()).toBe('Questions');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${stack.urls.app}/console`);
    await context.close();
  });

  it('answers a question sent over SMTP from the web, with a saved reply whose fill-in must be replaced, into the subscriber thread', async () => {
    const asked = await askOverSmtp('Noor', 'How long should I wait before following up?');
    const context = await signedInContext(EXPERT);
    const page = await context.newPage();

    await page.goto(`${stack.urls.app}/console/replies`);
    await page.getByLabel('Title').fill('Waiting');
    await page
      .getByLabel('Text')
      .fill('Hi {{firstName}}, a week is fine. [[one line about their situation]]');
    await page.getByRole('button', { name: 'Save reply' }).click();
    expect((await textOf(page.getByRole('status'))).trim()).toBe('Saved.');
    await inspect(page, 'saved-replies');

    await page.goto(`${stack.urls.app}/console/queue?view=open`);
    await inspect(page, 'queue');
    await page.getByRole('link', { name: /Noor/ }).click();
    expect((await textOf(page.getByRole('heading', { level: 1 }))).trim()).toBe('Question from Noor, day 1');
    expect((await textOf(page.locator('.question-text'))).trim()).toBe(
      'How long should I wait before following up?',
    );
    expect(await textOf(page.getByText('In reply to'))).toContain('welcome');
    await inspect(page, 'question');

    await page.getByLabel('Saved reply').selectOption({ label: 'Waiting' });
    await page.getByRole('button', { name: 'Use it' }).click();
    expect(await page.getByLabel('Your answer').inputValue()).toBe(
      'Hi Noor, a week is fine. [[one line about their situation]]',
    );
    await page.getByRole('button', { name: 'Send answer' }).click();
    expect(await textOf(page.getByRole('alert'))).toContain(
      'replace [[one line about their situation]] first',
    );
    await inspect(page, 'question-fill-in-missing');
    expect((await emailsTo(stack, asked.email)).filter((e) => e.subject.startsWith('Re: '))).toHaveLength(1);

    await page.getByLabel('Your answer').fill('Hi Noor, a week is fine. One friendly line is enough.');
    await page.getByRole('button', { name: 'Send answer' }).click();
    expect((await textOf(page.getByRole('status'))).trim()).toBe('Your answer was sent in their thread.');
    await inspect(page, 'question-answered');
    const answer = (await emailsTo(stack, asked.email)).find((e) =>
      e.body.text?.startsWith('Hi Noor, a week is fine.'),
    );
    expect(answer && header(answer, 'In-Reply-To')).toBe(asked.messageId);

    await page.getByRole('link', { name: 'Raw message' }).click();
    expect(await textOf(page.locator('pre.raw'))).toContain('On Monday, Sam wrote:');
    await inspect(page, 'raw-message');
    await page.goto(`${stack.urls.app}/console/queue?view=answered`);
    await page.getByRole('link', { name: /Noor/ }).waitFor();
    await inspect(page, 'queue-answered');
    await page.goto(`${stack.urls.app}/console/figures`);
    await inspect(page, 'figures');
    await context.close();
  });

  it('tells the second of two experts that the question was answered, shows the answer, and sends one', async () => {
    const asked = await askOverSmtp('Ravi', 'Is silence a no?');
    const [one, two] = await Promise.all([signedInContext(EXPERT), signedInContext(EXPERT2)]);
    const [first, second] = await Promise.all([one.newPage(), two.newPage()]);
    for (const page of [first, second]) {
      await page.goto(`${stack.urls.app}/console/queue?view=open`);
      await page.getByRole('link', { name: /Ravi/ }).click();
    }
    await first.getByLabel('Your answer').fill('Not yet: give it ten working days.');
    await second.getByLabel('Your answer').fill('Usually, yes.');
    await first.getByRole('button', { name: 'Send answer' }).click();
    expect((await textOf(first.getByRole('status'))).trim()).toBe('Your answer was sent in their thread.');
    await second.getByRole('button', { name: 'Send answer' }).click();
    expect(await textOf(second.getByRole('alert'))).toContain(
      'answered this question while you were writing',
    );
    expect((await textOf(second.locator('blockquote.answer'))).trim()).toBe(
      'Not yet: give it ten working days.',
    );
    await inspect(second, 'question-collision');
    const answers = (await emailsTo(stack, asked.email)).filter((e) => e.body.text?.includes('You wrote:'));
    expect(answers.map((e) => e.body.text?.split('\n')[0])).toEqual(['Not yet: give it ten working days.']);
    await Promise.all([one.close(), two.close()]);
  });

  it('shows operators the team page and experts a 403 there', async () => {
    const [operator, expert] = await Promise.all([signedInContext(OPERATOR), signedInContext(EXPERT)]);
    const page = await operator.newPage();
    await page.goto(`${stack.urls.app}/console/team`);
    expect((await textOf(page.getByRole('heading', { level: 1 }))).trim()).toBe('Team');
    await inspect(page, 'team');
    const expertPage = await expert.newPage();
    const refused = await expertPage.goto(`${stack.urls.app}/console/team`);
    expect(refused?.status()).toBe(403);
    await inspect(expertPage, 'not-available');
    const missing = await expertPage.goto(
      `${stack.urls.app}/console/q/guessed-0123456789abcdef.000000000000`,
    );
    expect(missing?.status()).toBe(404);
    await inspect(expertPage, 'no-such-question');
    await Promise.all([operator.close(), expert.close()]);
  });
});
