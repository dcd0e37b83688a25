/**
 * The Lambda bundles exactly as CDK builds them (CourseFunction → esbuild with infra/lambda-bundling.ts):
 * what is in them, and the API bundle answering a signup (and the worker bundle sending its queued
 * confirmation) against the stand-ins in a fresh Node process, with nothing but environment variables for
 * credentials, as in Lambda.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CourseFunction } from '../../infra/course-function';
import { ensureCompiledTemplates } from '../support/infra';
import { emailsTo, lambdaEnvironment, startTestStack, type TestStack } from '../support/stack';

const HANDLERS = ['api', 'dispatch', 'dispatch-worker', 'ses-events', 'inbound'] as const;
type Handler = (typeof HANDLERS)[number];

/** Synthesises one CourseFunction per handler and returns the path of each bundled `index.mjs`. */
async function bundlesAsCdkBuildsThem(outdir: string): Promise<Record<Handler, string>> {
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Bundles');
  const functions = HANDLERS.map(
    (handler) =>
      [
        handler,
        new CourseFunction(stack, handler, { handler, description: handler, environment: {} }),
      ] as const,
  );
  app.synth();
  const template = JSON.parse(await readFile(join(outdir, 'Bundles.template.json'), 'utf8'));
  const paths = {} as Record<Handler, string>;
  for (const [handler, fn] of functions) {
    const resource = template.Resources[stack.getLogicalId(fn.node.defaultChild as never)];
    const assetPath = resource.Metadata['aws:asset:path'] as string;
    paths[handler] = join(outdir, assetPath, 'index.mjs');
  }
  return paths;
}

describe('the Lambda bundles CDK builds', () => {
  let outdir: string;
  let bundles: Record<Handler, string>;
  const text = {} as Record<Handler, string>;

  beforeAll(async () => {
    ensureCompiledTemplates();
    outdir = await mkdtemp(join(tmpdir(), 'bundles-'));
    bundles = await bundlesAsCdkBuildsThem(outdir);
    for (const handler of HANDLERS) text[handler] = await readFile(bundles[handler], 'utf8');
  }, 120_000);
  afterAll(() => rm(outdir, { recursive: true, force: true }));

  it('are each at most 800 KB and contain neither mjml nor the Powertools logger', async () => {
    for (const handler of HANDLERS) {
      expect((await stat(bundles[handler])).size, handler).toBeLessThanOrEqual(800 * 1024);
      expect(text[handler], handler).not.toMatch(/mjml|Powertools/);
    }
  });

  it("carry the environment credential provider only, not the SDK's SSO, INI and web-identity chain", () => {
    for (const handler of HANDLERS) {
      expect(text[handler], handler).toContain('Unable to find environment variable credentials');
      expect(text[handler], handler).not.toMatch(
        /defaultProvider::fromSSO|fromTokenFile|credential-provider-ini/,
      );
    }
  });

  it('put the SQS client only in the bundles that queue (the API, the dispatch tick and its workers)', () => {
    for (const handler of HANDLERS) {
      const queues = handler === 'api' || handler === 'dispatch' || handler === 'dispatch-worker';
      expect(/SQSClient/.test(text[handler]), handler).toBe(queues);
    }
  });

  it('put the mail parser and the S3 client in the inbound bundle only', () => {
    for (const handler of HANDLERS) {
      const inbound = handler === 'inbound';
      expect(/PostalMime/.test(text[handler]), handler).toBe(inbound);
      expect(/S3Client/.test(text[handler]), handler).toBe(inbound);
    }
  });

  describe('the API bundle in a fresh Node process', () => {
    let stack: TestStack;
    let sqs: Server;
    let queueUrl: string;
    /** What the API bundle put on the queue, with the Authorization header it signed. */
    const queued: { body: string; authorization: string }[] = [];
    beforeAll(async () => {
      stack = await startTestStack();
      // A minimal SQS SendMessage stand-in (JSON protocol).
      sqs = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => {
          body += chunk;
        });
        req.on('end', () => {
          const { MessageBody } = JSON.parse(body) as { MessageBody: string };
          queued.push({ body: MessageBody, authorization: String(req.headers.authorization) });
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          const md5 = createHash('md5').update(MessageBody).digest('hex');
          res.end(JSON.stringify({ MessageId: `q${queued.length}`, MD5OfMessageBody: md5 }));
        });
      });
      await new Promise<void>((resolve) => sqs.listen(0, '127.0.0.1', resolve));
      queueUrl = `http://127.0.0.1:${(sqs.address() as AddressInfo).port}/123456789012/dispatch`;
    });
    afterAll(async () => {
      sqs.close();
      await stack.stop();
    });

    /** API Gateway's (HTTP API, payload 2.0) event for a JSON signup. */
    const signupEvent = (email: string, sourceIp: string) => ({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/api/subscribe',
      rawQueryString: '',
      headers: { 'content-type': 'application/json', host: 'course.example.com' },
      body: JSON.stringify({ email, firstName: 'Bea', timeZone: 'Europe/Paris' }),
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST', path: '/api/subscribe', protocol: 'HTTP/1.1', sourceIp },
        requestId: 'r1',
        timeEpoch: Date.now(),
      },
    });

    /**
     * Imports the API bundle in a new Node process with only `env` (no HOME: nothing may be read from
     * ~/.aws) and hands it `event`, as Lambda would; returns the handler's status and body.
     */
    async function invokeBundle(
      env: Record<string, string | undefined>,
      event: unknown,
      bundle = bundles.api,
    ) {
      const script = `const { handler } = await import(${JSON.stringify(bundle)});
const result = await handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 300000 });
process.stdout.write(JSON.stringify({ statusCode: result.statusCode, body: result.body, failures: result.batchItemFailures }));`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, SIGNUP_FLOOR_MS: '0', ...env } as NodeJS.ProcessEnv,
      });
      return JSON.parse(stdout) as { statusCode: number; body: string; failures?: unknown[] };
    }

    it('answers a signup and queues its confirmation, which the worker bundle sends, signing with environment credentials', async () => {
      const env = lambdaEnvironment(stack, {
        CONFIRMATION_QUEUE_URL: queueUrl,
        DISPATCH_QUEUE_URL: queueUrl,
      });
      const result = await invokeBundle(env, signupEvent('bundle@example.com', '203.0.113.9'));
      expect(result.statusCode, result.body).toBe(202);
      expect(await emailsTo(stack, 'bundle@example.com')).toHaveLength(0);
      expect(queued).toHaveLength(1);
      expect(queued[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\//);
      expect(queued[0]!.body).not.toContain('bundle@example.com');
      const record = { messageId: 'm1', body: queued[0]!.body, attributes: { ApproximateReceiveCount: '1' } };
      const worker = await invokeBundle(env, { Records: [record] }, bundles['dispatch-worker']);
      expect(worker.failures).toEqual([]);
      const sent = await emailsTo(stack, 'bundle@example.com');
      expect(sent).toHaveLength(1);
      expect(sent[0]!.subject).toMatch(/confirm/i);
    });

    it('answers a server error and sends nothing when the environment holds no credentials', async () => {
      const env = {
        ...lambdaEnvironment(stack),
        CONFIRMATION_QUEUE_URL: queueUrl,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
      };
      const result = await invokeBundle(env, signupEvent('nocreds@example.com', '203.0.113.10'));
      expect(result.statusCode).toBe(500);
      expect(await emailsTo(stack, 'nocreds@example.com')).toHaveLength(0);
    });
  });
});
