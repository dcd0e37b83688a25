/** Test helpers around the real local stack (dynalite + aws-ses-v2-local + the Hono app on free ports). */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import type { Subscriber } from '../../functions/domain/subscriber';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../functions/local/stack';
import { storeActiveSubscriber } from './console';
import { memoryLog } from './log';

export { memoryLog } from './log';

/** An email as the SES stand-in keeps it. */
export interface SentEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
  at: number;
}

/** A local stack whose log lines are kept for inspection. */
export type TestStack = LocalStack & { log: ReturnType<typeof memoryLog> };

/** Starts an in-memory stack on free ports, with the background dispatcher off (tests drive time). */
export async function startTestStack(options: LocalStackOptions = {}): Promise<TestStack> {
  const log = memoryLog();
  const stack = await startLocalStack({
    ports: { app: 0, dynamo: 0, ses: 0, smtp: 0 },
    dispatchIntervalMs: false,
    log,
    // Tests decide when SES events arrive: after each dispatch run, or on `stack.sesEvents.settle()`.
    sesEvents: 'manual',
    ...options,
  });
  return Object.assign(stack, { log });
}

/** One stack for a whole test file: started before its first test, stopped after its last; read it through the getter. */
export function useTestStack(options: LocalStackOptions = {}): () => TestStack {
  let stack: TestStack | undefined;
  beforeAll(async () => {
    stack = await startTestStack(options);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });
  return () => {
    if (!stack) throw new Error('the test stack is not running');
    return stack;
  };
}

/** Every email the SES stand-in has accepted, oldest first, once the queued confirmations are sent. */
export async function sentEmails(stack: LocalStack): Promise<SentEmail[]> {
  await stack.confirmations.drained();
  const response = await fetch(`${stack.urls.ses}/store`);
  return ((await response.json()) as { emails: SentEmail[] }).emails;
}

/** Emails to one address. */
export async function emailsTo(stack: LocalStack, address: string): Promise<SentEmail[]> {
  return (await sentEmails(stack)).filter((email) => email.destination.to.includes(address));
}

/** The value of a header of a sent email. */
export function header(email: SentEmail, name: string): string | undefined {
  return email.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

/** The first link in a text body that starts with `prefix`. */
export function linkIn(text: string | undefined, prefix: string): string {
  const match = text?.match(new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\s<>"]+`));
  if (!match) throw new Error(`no link starting with ${prefix} in email`);
  return match[0];
}

/** Every item in the table (tests only: product code never scans). */
export async function tableItems(stack: LocalStack): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await stack.clients.dynamo.send(
      new ScanCommand({ TableName: stack.config.TABLE_NAME, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** POSTs JSON to the app. */
export function postJson(stack: LocalStack, path: string, body: unknown): Promise<Response> {
  return fetch(`${stack.urls.app}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** The environment under which a Lambda handler module, imported in a test, talks to this stack's stand-ins. */
export function lambdaEnvironment(
  stack: LocalStack,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    TABLE_NAME: stack.config.TABLE_NAME,
    SITE_URL: stack.config.SITE_URL,
    FROM_ADDRESS: stack.config.FROM_ADDRESS,
    POSTAL_ADDRESS: stack.config.POSTAL_ADDRESS,
    REPLY_DOMAIN: stack.config.REPLY_DOMAIN,
    SIGNING_KEY: stack.deps.keys.current,
    EXPERT_ADDRESS: 'expert@example.com',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: stack.urls.dynamo,
    AWS_ENDPOINT_URL_SESV2: stack.urls.ses,
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

/**
 * Stores a subscriber as if they had signed up and confirmed at the stack's current time (no email is
 * sent): active, with the first lesson due. Throws if the store refuses either write.
 */
export function activeSubscriber(
  stack: LocalStack,
  person: { email: string; firstName?: string; timeZone?: string; sendHour?: number },
): Promise<Subscriber> {
  return storeActiveSubscriber(stack.deps, person);
}
