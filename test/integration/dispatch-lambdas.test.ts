import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSubscriber } from '../../functions/domain/subscriber';
import {
  activeSubscriber,
  emailsTo,
  lambdaEnvironment,
  startTestStack,
  type TestStack,
} from '../support/stack';

const context = { getRemainingTimeInMillis: () => 300_000 } as Context;

function sqsEvent(...bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({ messageId: `m${i}`, body }) as SQSEvent['Records'][number]),
  };
}

describe('the dispatch Lambdas fan out over the due-index shards, against the stand-ins', () => {
  let stack: TestStack;
  let sqs: Server;
  const enqueued: { QueueUrl: string; Entries: { Id: string; MessageBody: string }[] }[] = [];
  const requeued: { MessageBody: string; DelaySeconds?: number }[] = [];
  let tick: () => Promise<Record<string, unknown>>;
  let worker: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

  beforeAll(async () => {
    stack = await startTestStack();
    // A minimal SQS SendMessageBatch stand-in (JSON protocol): records what the tick enqueues.
    sqs = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const request = JSON.parse(body);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        if (!request.Entries) {
          // SendMessage: a confirmation queued again.
          requeued.push(request);
          const md5 = createHash('md5').update(request.MessageBody).digest('hex');
          return res.end(JSON.stringify({ MessageId: 'r1', MD5OfMessageBody: md5 }));
        }
        enqueued.push(request);
        res.end(
          JSON.stringify({
            Successful: request.Entries.map((e: { Id: string; MessageBody: string }) => ({
              Id: e.Id,
              MessageId: e.Id,
              MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex'),
            })),
          }),
        );
      });
    });
    await new Promise<void>((resolve) => sqs.listen(0, '127.0.0.1', resolve));
    Object.assign(
      process.env,
      lambdaEnvironment(stack, {
        DUE_SHARDS: String(stack.config.DUE_SHARDS),
        // The SDK sends to the queue URL's host: here, the stand-in below.
        DISPATCH_QUEUE_URL: `http://127.0.0.1:${(sqs.address() as AddressInfo).port}/123456789012/dispatch`,
        DISPATCH_WORKERS: '4',
      }),
    );
    ({ handler: tick } = await import('../../functions/handlers/dispatch'));
    ({ handler: worker } = await import('../../functions/handlers/dispatch-worker'));
  });
  afterAll(async () => {
    sqs.close();
    await stack.stop();
  });

  it('puts one message per shard on the queue at each tick, and sends nothing itself', async () => {
    const report = await tick();
    expect(report.enqueuedShards).toBe(stack.config.DUE_SHARDS);
    const shards = enqueued.flatMap((batch) =>
      batch.Entries.map((entry) => JSON.parse(entry.MessageBody).shard),
    );
    expect(shards.sort()).toEqual(Array.from({ length: stack.config.DUE_SHARDS }, (_, shard) => shard));
  });

  it('sends every due email once when workers take the shards, and reports no failure', async () => {
    const emails: string[] = [];
    for (let i = 0; i < 20; i++) {
      const email = `fan${i}@example.com`;
      await activeSubscriber(stack, { email, firstName: 'Fin' });
      emails.push(email);
    }
    const bodies = Array.from({ length: stack.config.DUE_SHARDS }, (_, shard) => JSON.stringify({ shard }));
    const results = await Promise.all(bodies.map((body) => worker(sqsEvent(body), context)));
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
    for (const email of emails) expect(await emailsTo(stack, email)).toHaveLength(1);
  });

  it('drops a malformed message without failing the batch or the other shards', async () => {
    const result = await worker(
      sqsEvent('not json', '{"shard":-1}', '{"shard":9999}', JSON.stringify({ shard: 0 })),
      context,
    );
    expect(result.batchItemFailures).toEqual([]);
  });

  it('sends a confirmation a signup queued there, once, however often the message comes', async () => {
    const subscriber = newSubscriber(
      stack.deps.newId(),
      { email: 'queued@example.com', firstName: 'Quinn', timeZone: 'UTC', sendHour: 8 },
      stack.clock.now(),
    );
    expect(await stack.deps.store.create(subscriber)).toBe(true);
    const body = JSON.stringify({
      confirmation: { subscriberId: subscriber.id, requestedAt: subscriber.createdAt },
    });
    const results = [await worker(sqsEvent(body), context), await worker(sqsEvent(body), context)];
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
    const sent = await emailsTo(stack, 'queued@example.com');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body.text).toContain('/confirm?token=');
    expect((await stack.deps.store.get(subscriber.id))?.confirmationSentAt).toBeDefined();
    expect(requeued).toEqual([]);
  });
});
