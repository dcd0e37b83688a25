/**
 * A spike against an SES that throttles like a real account (LOCAL_SES_MAX_RATE), on the real local
 * stack: every signup gets the normal answer at once, and every address exactly one confirmation.
 */

import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../functions/adapters/ses-mailer';
import { MailThrottledError } from '../../functions/domain/errors';
import { emailsTo, postJson, sentEmails, startTestStack, type TestStack } from '../support/stack';

describe('a signup spike against an SES that accepts 2 sends a second', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The app paces to 5 a second, above what SES allows: throttling happens and must be absorbed.
    stack = await startTestStack({ sesMaxRate: 2, config: { MAX_SEND_RATE: 5 } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('refuses sends beyond the rate with SES’s own throttling error', async () => {
    // One attempt: the SDK's own retries of a throttled send would hide the refusals.
    const client = new SESv2Client({
      endpoint: stack.urls.ses,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const mailer = new SesMailer({ from: 'course@example.com', client });
    const email = {
      to: 'rate@example.com',
      subject: 's',
      html: '<p>h</p>',
      text: 't',
      headers: [],
      tags: {},
    };
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map(() => mailer.send(email)));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(4);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(MailThrottledError);
    client.destroy();
  });

  it('answers 12 signups at once normally, then sends each address exactly one confirmation', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = (await sentEmails(stack)).length;
    const addresses = Array.from({ length: 12 }, (_, i) => `spike-${i}@example.com`);
    const answers = await Promise.all(
      addresses.map(async (email) => {
        const response = await postJson(stack, '/api/subscribe', {
          email,
          firstName: 'Sam',
          timeZone: 'UTC',
        });
        return { status: response.status, body: await response.json() };
      }),
    );
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.status).toBe(202);
    // A retry while the queue is still working neither loses nor duplicates.
    const retry = await postJson(stack, '/api/subscribe', {
      email: addresses[0],
      firstName: 'Sam',
      timeZone: 'UTC',
    });
    expect(retry.status).toBe(202);
    await stack.confirmations.drained();
    expect((await sentEmails(stack)).length - before).toBe(addresses.length);
    for (const email of addresses) expect(await emailsTo(stack, email)).toHaveLength(1);
    expect(stack.confirmations.deadLetters).toEqual([]);
  }, 60_000);
});
