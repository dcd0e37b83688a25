import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { handleSesEvent } from '../../functions/app/handle-ses-event';
import { emailHash } from '../../functions/domain/suppression';
import { emailsTo, linkIn, type SentEmail, type TestStack, tableItems, useTestStack } from '../support/stack';
import { runTool } from '../support/tools';

/** Runs `npm run admin` (functions/local/admin.ts) against the test stack's DynamoDB. */
function admin(stack: TestStack, ...args: string[]) {
  return runTool('functions/local/admin.ts', args, {
    DYNAMO_PORT: new URL(stack.urls.dynamo).port,
    TABLE_NAME: stack.config.TABLE_NAME,
  });
}

const PERSON = { email: 'Rosalind.Private@Example.org', firstName: 'Rosalind', timeZone: 'Europe/Dublin' };
const ADDRESS = PERSON.email.toLowerCase();
const QUESTION = 'Is it normal to hear nothing for three weeks after a final interview?';
const USER_AGENT = `Mozilla/5.0 (X11; Linux x86_64) ${'Gecko/20100101 '.repeat(40)}`;

describe('personal data: consent, export, erasure, and logs that name nobody', () => {
  const testStack = useTestStack();
  let subscriberId: string;
  let welcome: SentEmail;

  it('keeps a consent record of the signup: time, hashed IP, truncated user agent, text version', async () => {
    const response = await fetch(`${testStack().urls.app}/api/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
      body: JSON.stringify(PERSON),
    });
    expect(response.status).toBe(202);
    const subscriber = (await testStack().deps.store.findByEmail(ADDRESS))!;
    subscriberId = subscriber.id;
    const consents = (await tableItems(testStack())).filter(
      (item) => item.pk === `SUB#${subscriberId}` && String(item.sk).startsWith('CONSENT#'),
    );
    expect(consents).toEqual([
      {
        pk: `SUB#${subscriberId}`,
        sk: `CONSENT#${subscriber.createdAt}`,
        type: 'consent',
        at: subscriber.createdAt,
        ipHash: expect.stringMatching(/^[0-9a-f]{32}$/),
        userAgent: USER_AGENT.slice(0, 200).trim(),
        textVersion: expect.stringMatching(/^landing-[0-9a-f]{16}$/),
      },
    ]);
    expect(JSON.stringify(consents)).not.toContain('127.0.0.1');
  });

  it('takes the person through the course: confirm, a change of hour, lessons, a question by email, a bounce', async () => {
    const [confirmation] = await emailsTo(testStack(), PERSON.email);
    await fetch(linkIn(confirmation?.body.text, `${testStack().urls.app}/confirm?token=`));
    welcome = (await emailsTo(testStack(), PERSON.email))[1]!;
    const changed = await fetch(linkIn(welcome.body.text, `${testStack().urls.app}/manage?token=`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=update&sendHour=9&timeZone=Europe%2FDublin',
      redirect: 'manual',
    });
    expect(changed.status).toBe(303);
    await fetch(`${testStack().urls.app}/_dev/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceHours: 72 }),
    });
    const smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: Number(new URL(testStack().urls.smtp).port),
      secure: false,
      ignoreTLS: true,
    });
    await smtp.sendMail({
      from: `Rosalind <${ADDRESS}>`,
      to: welcome.replyTo[0],
      subject: `Re: ${welcome.subject}`,
      text: QUESTION,
    });
    smtp.close();
    const event = {
      'detail-type': 'Email Bounced',
      source: 'aws.ses',
      detail: {
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Transient',
          bouncedRecipients: [{ emailAddress: ADDRESS }],
          timestamp: testStack().clock.now().toISOString(),
          feedbackId: 'feedback-1',
        },
        mail: {
          timestamp: testStack().clock.now().toISOString(),
          messageId: welcome.messageId,
          destination: [ADDRESS],
          tags: { subscriber: [subscriberId], email: ['welcome'] },
        },
      },
    };
    expect(await handleSesEvent(testStack().deps, event)).toBe('counted');
    expect((await testStack().deps.questions.listForSubscriber(subscriberId)).map((q) => q.text)).toEqual([
      QUESTION,
    ]);
  });

  it('exports every item stored about the person as JSON with `npm run admin -- export`', async () => {
    const result = await admin(testStack(), 'export', PERSON.email);
    expect(result.stderr).not.toContain(ADDRESS);
    expect(result.status).toBe(0);
    const exported = JSON.parse(result.stdout);
    expect(exported).toMatchObject({
      email: ADDRESS,
      subscriberId,
      pointer: { pk: `EMAIL#${ADDRESS}`, subscriberId },
      suppressed: false,
      rawMail: [],
    });
    const stored = (await tableItems(testStack())).filter((item) => item.pk === `SUB#${subscriberId}`);
    expect(exported.items).toHaveLength(stored.length);
    const kinds = new Set(exported.items.map((item: { sk: string }) => item.sk.replace(/#.*/, '#')));
    expect([...kinds]).toEqual(
      expect.arrayContaining(['BOUNCES', 'CHANGE#', 'CONSENT#', 'PROFILE', 'Q#', 'SEND#']),
    );
    expect(exported.items.find((item: { sk: string }) => item.sk.startsWith('CHANGE#'))).toMatchObject({
      action: 'update',
      details: { sendHour: 9, timeZone: 'Europe/Dublin' },
    });
    expect(exported.items.find((item: { sk: string }) => item.sk === 'PROFILE')).toMatchObject({
      email: PERSON.email,
      firstName: 'Rosalind',
    });
    expect(JSON.stringify(exported.items)).toContain(QUESTION);
  });

  it('erases everything with `npm run admin -- erase`, keeping only the hashed suppression entry', async () => {
    const bystanders = (await tableItems(testStack())).filter(
      (item) => !String(item.pk).includes(subscriberId) && item.pk !== `EMAIL#${ADDRESS}`,
    );
    const result = await admin(testStack(), 'erase', PERSON.email);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ subscriberId, suppressed: true });
    expect(JSON.parse(result.stdout).itemsDeleted).toBeGreaterThanOrEqual(6);

    const after = await tableItems(testStack());
    expect(after.filter((item) => String(item.pk).includes(subscriberId))).toEqual([]);
    expect(after.filter((item) => item.pk === `EMAIL#${ADDRESS}`)).toEqual([]);
    const everything = JSON.stringify(after).toLowerCase();
    for (const trace of [ADDRESS, 'rosalind', QUESTION.toLowerCase(), subscriberId]) {
      expect(everything).not.toContain(trace);
    }
    expect(after.find((item) => item.pk === `SUPPRESS#${emailHash(ADDRESS)}`)).toMatchObject({
      reason: 'erased',
      type: 'suppression',
    });
    // Every other person's items are untouched (rate counters aside, which expire on their own).
    expect(after.filter((item) => item.type !== 'suppression')).toEqual(
      expect.arrayContaining(bystanders.filter((item) => item.type !== 'suppression')),
    );
  });

  it('sends nothing to an erased person who signs up again, and answers them as anyone else', async () => {
    const before = await emailsTo(testStack(), PERSON.email);
    const again = await fetch(`${testStack().urls.app}/api/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(PERSON),
    });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ status: 'pending' });
    expect(await emailsTo(testStack(), PERSON.email)).toHaveLength(before.length);
    expect(await testStack().deps.store.findByEmail(ADDRESS)).toBeUndefined();
  });

  it('finishes or repeats an erasure harmlessly, and exports what is left: the suppression', async () => {
    const erase = await admin(testStack(), 'erase', PERSON.email);
    const repeated = JSON.parse(erase.stdout);
    expect(repeated).toMatchObject({ itemsDeleted: 0, suppressed: true });
    expect(repeated.subscriberId).toBeUndefined();
    const exported = JSON.parse((await admin(testStack(), 'export', PERSON.email)).stdout);
    expect(exported).toMatchObject({ email: ADDRESS, items: [], suppressed: true });
    expect(exported.subscriberId).toBeUndefined();
  });

  it('refuses a bad command or address with usage help', async () => {
    const result = await admin(testStack(), 'forget', 'x');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: npm run admin -- export EMAIL');
    expect((await admin(testStack(), 'export', 'not-an-address')).status).toBe(2);
  });

  it('logged the whole journey with ids only: no address, name, subject or body text', async () => {
    const log = testStack().log.lines.join('\n');
    expect(testStack().log.lines.length).toBeGreaterThan(5);
    expect(log).toContain(subscriberId);
    expect(log).not.toMatch(/@/);
    for (const text of ['Rosalind', 'rosalind', 'Example.org', QUESTION, 'three weeks', welcome.subject]) {
      expect(log).not.toContain(text);
    }
    expect(log).not.toContain(welcome.body.text!.split('\n').find((line) => line.length > 30)!);
    expect(testStack().log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });
});
