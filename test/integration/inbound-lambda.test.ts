import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SESEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostalMimeParser } from '../../functions/adapters/mime';
import { S3RawMail } from '../../functions/adapters/s3-raw-mail';
import { replyAddress } from '../../functions/app/compose-email';
import { answerAddress } from '../../functions/app/inbound/emails';
import { receiveStoredMail } from '../../functions/app/inbound/receive-stored-mail';
import { PASSING_VERDICTS } from '../../functions/domain/questions';
import {
  activeSubscriber,
  emailsTo,
  lambdaEnvironment,
  startTestStack,
  type TestStack,
} from '../support/stack';

const BUCKET = 'course-inbound';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url));

/** An SES receipt event as the rule's Lambda action delivers it (only the fields we read). */
function sesEvent(
  messageId: string,
  recipient: string,
  verdicts: Partial<Record<'spam' | 'virus' | 'spf' | 'dkim' | 'dmarc', string>> = {},
) {
  const status = (value = 'PASS') => ({ status: value });
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: { messageId, source: 'x@example.org', destination: [recipient] },
          receipt: {
            recipients: [recipient],
            spamVerdict: status(verdicts.spam),
            virusVerdict: status(verdicts.virus),
            spfVerdict: status(verdicts.spf),
            dkimVerdict: status(verdicts.dkim),
            dmarcVerdict: status(verdicts.dmarc),
          },
        },
      },
    ],
  } as unknown as SESEvent;
}

describe('the inbound Lambda handler: SES event → S3 → the use case, against the stand-ins', () => {
  let stack: TestStack;
  let s3: Server;
  const objects = new Map<string, Buffer>();
  const requested: string[] = [];
  let handler: (event: SESEvent) => Promise<{ disposition: string }>;

  beforeAll(async () => {
    stack = await startTestStack();
    // A minimal S3 GetObject stand-in (path-style): enough for the reader, nothing else.
    // A minimal S3 stand-in (path-style): GetObject, CopyObject and DeleteObject, nothing else.
    s3 = createServer((req, res) => {
      const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
      requested.push(path);
      if (req.method === 'PUT' && req.headers['x-amz-copy-source']) {
        const from = objects.get(
          `/${decodeURIComponent(String(req.headers['x-amz-copy-source'])).replace(/^\//, '')}`,
        );
        if (from) objects.set(path, from);
        res.writeHead(from ? 200 : 404, { 'content-type': 'application/xml' });
        res.end(
          from
            ? '<CopyObjectResult><ETag>"x"</ETag></CopyObjectResult>'
            : '<Error><Code>NoSuchKey</Code></Error>',
        );
        return;
      }
      if (req.method === 'DELETE') {
        objects.delete(path);
        res.writeHead(204);
        res.end();
        return;
      }
      const body = objects.get(path);
      if (!body) {
        res.writeHead(404, { 'content-type': 'application/xml' });
        res.end('<Error><Code>NoSuchKey</Code><Message>missing</Message></Error>');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    });
    await new Promise<void>((resolve) => s3.listen(0, '127.0.0.1', resolve));
    Object.assign(
      process.env,
      lambdaEnvironment(stack, {
        INBOUND_BUCKET: BUCKET,
        AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${(s3.address() as AddressInfo).port}`,
      }),
    );
    ({ handler } = await import('../../functions/handlers/inbound'));
  });
  afterAll(async () => {
    await new Promise((resolve) => s3.close(resolve));
    await stack.stop();
  });

  const reader = (email: string) => activeSubscriber(stack, { email, firstName: 'Lou' });

  it('reads the raw message from inbound/<SES message id> and forwards the question', async () => {
    const sub = await reader('lambda@example.com');
    objects.set(`/${BUCKET}/inbound/ses-msg-1`, fixture('gmail.eml'));
    const result = await handler(sesEvent('ses-msg-1', replyAddress(stack.deps, sub.id)));
    expect(result).toEqual({ disposition: 'CONTINUE' });
    expect(requested).toContain(`/${BUCKET}/inbound/ses-msg-1`);
    const [question] = await stack.deps.questions.listForSubscriber(sub.id);
    expect(question?.status).toBe('open');
    expect(question?.text).toContain('Is it OK to follow up a second time');
    expect((await emailsTo(stack, 'expert@example.com')).length).toBe(1);
    // Filed under its subscriber, so that erasing them deletes it.
    expect(objects.has(`/${BUCKET}/raw/${sub.id}/ses-msg-1`)).toBe(true);
    expect(objects.has(`/${BUCKET}/inbound/ses-msg-1`)).toBe(false);
  });

  it('keeps a message failing SPF and DKIM for review, and drops spam, reporting success each time', async () => {
    const sub = await reader('verdicts@example.com');
    objects.set(`/${BUCKET}/inbound/ses-msg-2`, fixture('iphone.eml'));
    objects.set(`/${BUCKET}/inbound/ses-msg-3`, fixture('apple-mail.eml'));
    const to = replyAddress(stack.deps, sub.id);
    expect(await handler(sesEvent('ses-msg-2', to, { spf: 'FAIL', dkim: 'FAIL' }))).toEqual({
      disposition: 'CONTINUE',
    });
    expect(await handler(sesEvent('ses-msg-3', to, { spam: 'FAIL' }))).toEqual({ disposition: 'CONTINUE' });
    const questions = await stack.deps.questions.listForSubscriber(sub.id);
    expect(questions.map((q) => [q.status, q.holdReason])).toEqual([['held', 'unauthenticated']]);
    expect(await emailsTo(stack, 'expert@example.com')).toHaveLength(1);
  });

  it('fails the invocation for a message missing from the bucket, so Lambda retries it and then dead-letters it', async () => {
    // The async invoke configuration (two retries, then the dead-letter queue) is asserted on the template.
    await expect(
      handler(sesEvent('ses-msg-missing', 'reply+abc.0123456789ab@reply.localhost')),
    ).rejects.toMatchObject({ name: 'InboundMailFailedError' });
  });

  it('fails the invocation when a question cannot be stored, keeping the raw message in the bucket', async () => {
    const sub = await reader('unstorable@example.com');
    objects.set(`/${BUCKET}/inbound/ses-msg-4`, fixture('gmail.eml'));
    const add = stack.deps.questions.add;
    Object.assign(stack.deps.questions, {
      add: async () => {
        throw Object.assign(new Error('Item too large'), { name: 'ValidationException' });
      },
    });
    const notice = {
      messageId: 'ses-msg-4',
      recipients: [replyAddress(stack.deps, sub.id)],
      verdicts: PASSING_VERDICTS,
    };
    try {
      const source = new S3RawMail({ bucket: BUCKET, prefix: 'inbound/' });
      await expect(
        receiveStoredMail(stack.deps, new PostalMimeParser(), source, notice),
      ).rejects.toMatchObject({
        name: 'InboundMailFailedError',
      });
    } finally {
      Object.assign(stack.deps.questions, { add });
    }
    expect(objects.has(`/${BUCKET}/inbound/ses-msg-4`)).toBe(true);
    expect(stack.log.lines.some((line) => line.startsWith('error inbound mail failed'))).toBe(true);
  });

  it('takes an answer only when SES found it DMARC-aligned for the expert', async () => {
    const sub = await reader('dmarc@example.com');
    objects.set(`/${BUCKET}/inbound/ses-msg-5`, fixture('gmail.eml'));
    await handler(sesEvent('ses-msg-5', replyAddress(stack.deps, sub.id)));
    const [question] = await stack.deps.questions.listForSubscriber(sub.id);
    const to = answerAddress(stack.deps, question!.id);
    const answer = Buffer.from(
      `From: expert@example.com\r\nTo: ${to}\r\nMessage-ID: <ans-5@x>\r\n\r\nAnswer.\r\n`,
    );
    objects.set(`/${BUCKET}/inbound/ses-msg-6`, answer);
    objects.set(`/${BUCKET}/inbound/ses-msg-7`, answer);
    await handler(sesEvent('ses-msg-6', to, { dmarc: 'FAIL' }));
    expect((await stack.deps.questions.get(question!.id))?.status).toBe('open');
    await handler(sesEvent('ses-msg-7', to));
    expect((await stack.deps.questions.get(question!.id))?.status).toBe('answered');
  });
});
