/**
 * What the operator's command-line tools share: the table they work on and the dependencies built on it.
 * By default the local stack that `npm start` runs (DynamoDB at 127.0.0.1:DYNAMO_PORT, default 8000; table
 * TABLE_NAME, default `course`); with `aws` the default AWS credentials and region, and TABLE_NAME from the
 * environment (required).
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { documentClient } from '../adapters/dynamo-document';
import type { Deps, Log } from '../app/deps';
import { createDeps, systemClock } from '../compose';
import { localConfig } from './config';

/** Ids and counts to stderr, so stdout carries only the result. */
export const stderrLog: Log = {
  info: (message, data) => console.error(`[info] ${message}`, data ? JSON.stringify(data) : ''),
  warn: (message, data) => console.error(`[warn] ${message}`, data ? JSON.stringify(data) : ''),
  error: (message, data) => console.error(`[error] ${message}`, data ? JSON.stringify(data) : ''),
};

/** The table name, or undefined when `aws` is set and TABLE_NAME is not. */
export function tableNameFor(aws: boolean): string | undefined {
  return process.env.TABLE_NAME ?? (aws ? undefined : 'course');
}

/** The DynamoDB client of the local stack, or of the AWS account with `aws`. */
export function dynamoClientFor(aws: boolean): DynamoDBClient {
  return aws
    ? new DynamoDBClient({})
    : new DynamoDBClient({
        endpoint: `http://127.0.0.1:${process.env.DYNAMO_PORT ?? 8000}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
}

/** A hint for a failure to reach the table. */
export function reachHint(error: unknown, aws: boolean, tableName: string): string {
  const name = (error as Error).name;
  const unreachable =
    name === 'ResourceNotFoundException' || (error as { code?: string }).code === 'ECONNREFUSED';
  if (!unreachable) return '';
  return aws ? ` (is TABLE_NAME=${tableName} right?)` : ' (is `npm start` running?)';
}

/**
 * The time beside the local stack: its clock (which time travel may have moved ahead) from
 * `http://localhost:PORT/_dev/clock` (PORT default 3000), or the real time when it does not answer.
 */
export async function localStackNow(): Promise<Date> {
  try {
    const response = await fetch(`http://localhost:${process.env.PORT ?? 3000}/_dev/clock`, {
      signal: AbortSignal.timeout(1000),
    });
    const { now } = (await response.json()) as { now?: unknown };
    if (typeof now === 'string' && Number.isFinite(Date.parse(now))) return new Date(now);
  } catch {
    // No local stack answering: the real time.
  }
  return new Date();
}

/**
 * Use-case dependencies over a table, for tools that read figures or hand events to a handler. They send
 * no mail and sign nothing: the mailer refuses and the signing key is a throwaway.
 */
export function toolDeps(dynamo: DynamoDBClient, tableName: string, now?: Date): Deps {
  const config = localConfig('http://localhost:3000', { TABLE_NAME: tableName });
  const ses = new SESv2Client({ region: 'us-east-1' });
  const deps = createDeps(
    config,
    { current: randomBytes(32).toString('base64url') },
    { dynamo: documentClient(dynamo), ses },
    {
      clock: now ? { now: () => now } : systemClock,
      log: stderrLog,
      confirmations: {
        enqueue: async () => {
          throw new Error('this tool queues no confirmation');
        },
      },
    },
  );
  deps.mailer = {
    send: async () => {
      throw new Error('this tool sends no mail');
    },
  };
  return deps;
}
