/**
 * The whole product on one machine: a DynamoDB-compatible server (dynalite), the SES v2 stand-in
 * (aws-ses-v2-local), the HTTP app and the dispatcher, all in this process. `npm start` and the
 * integration tests both use it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import { documentClient } from '../adapters/dynamo-document';
import { createTableInput, INBOUND_MAIL_PREFIX } from '../adapters/dynamo-table';
import { PostalMimeParser } from '../adapters/mime';
import type { Deps, Log } from '../app/deps';
import { dispatchDue } from '../app/dispatch-due';
import { sweepOpenQuestions } from '../app/inbound/sweep-open-questions';
import { createDeps } from '../compose';
import type { Config } from '../config';
import type { SigningKeys } from '../domain/tokens';
import { createApp } from '../http/app';
import { TravelClock } from './clock';
import { createDevRoutes } from './dev-routes';
import { type LocalSmtp, startSmtpServer } from './smtp';
import { closeServer, startStandIns } from './standins';

/** Ports of the local services; 0 picks a free one (tests). */
export interface LocalPorts {
  app: number;
  dynamo: number;
  ses: number;
  /** Inbound mail (replies and answers) over SMTP. */
  smtp: number;
}

/** Options of the local stack. */
export interface LocalStackOptions {
  /** Folder for the DynamoDB data and the signing key; in-memory when omitted. */
  dataDir?: string | undefined;
  ports?: Partial<LocalPorts>;
  host?: string;
  /** How often the dispatcher runs against the real clock; `false` turns it off (tests drive it). */
  dispatchIntervalMs?: number | false;
  log?: Log;
  /** Runs dynalite and the SES stand-in in a child process, on a core of their own (benchmarks). */
  separateStandIns?: boolean;
  /** Overrides of the configuration (rates, windows). */
  config?: Partial<Config>;
}

/** A running local stack. */
export interface LocalStack {
  urls: { app: string; ses: string; dynamo: string; smtp: string };
  deps: Deps;
  clock: TravelClock;
  config: Config;
  clients: { dynamo: DynamoDBDocumentClient; ses: SESv2Client };
  stop(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REGION = 'us-east-1';

/** Quiet logger for the local stack: one line per event, ids only. */
export const consoleLog: Log = {
  info: (message, data) => console.log(`[info] ${message}`, data ? JSON.stringify(data) : ''),
  warn: (message, data) => console.warn(`[warn] ${message}`, data ? JSON.stringify(data) : ''),
  error: (message, data) => console.error(`[error] ${message}`, data ? JSON.stringify(data) : ''),
};

async function signingKeys(dataDir: string | undefined): Promise<SigningKeys> {
  if (!dataDir) return { current: randomBytes(32).toString('base64url') };
  const file = join(dataDir, 'signing-key');
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing && existing.trim().length >= 32) return { current: existing.trim() };
  const key = randomBytes(32).toString('base64url');
  await writeFile(file, key, { mode: 0o600 });
  return { current: key };
}

async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  }
}

/** Starts every local service and the app; resolves when all of them listen. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const ports = { app: 3000, dynamo: 8000, ses: 8005, smtp: 2525, ...options.ports };
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });

  const standIns = await startStandIns({
    host,
    dynamoPort: ports.dynamo,
    sesPort: ports.ses,
    dataDir: options.dataDir,
    separateProcess: options.separateStandIns,
  });

  const urls = {
    dynamo: standIns.dynamoUrl,
    ses: standIns.sesUrl,
    app: '',
    smtp: '',
  };
  const dynamoClient = new DynamoDBClient({
    endpoint: urls.dynamo,
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const clients = {
    dynamo: documentClient(dynamoClient),
    ses: new SESv2Client({ endpoint: urls.ses, region: REGION, credentials: LOCAL_CREDENTIALS }),
  };
  const config: Config = {
    TABLE_NAME: 'course',
    SITE_URL: `http://localhost:${ports.app}`,
    FROM_ADDRESS: 'course@example.com',
    SENDER_NAME: 'Sam from "It\'s not about you"',
    POSTAL_ADDRESS: '1 Example Street, Springfield 12345, USA',
    REPLY_DOMAIN: 'reply.localhost',
    CONFIGURATION_SET: 'course-local',
    SIGNING_SECRET_ARN: undefined,
    SIGNING_KEY: undefined,
    SIGNING_KEY_PREVIOUS: undefined,
    DUE_SHARDS: 4,
    MAX_SEND_RATE: 50,
    CONFIRM_RESEND_MINUTES: 15,
    SIGNUP_FLOOR_MS: 0,
    // Every local request comes from 127.0.0.1: one client stands for all of them.
    SIGNUPS_PER_CLIENT: 100,
    EXPERT_ADDRESS: 'expert@example.com',
    BACKUP_ADDRESS: undefined,
    INBOUND_BUCKET: undefined,
    INBOUND_PREFIX: INBOUND_MAIL_PREFIX,
    QUESTIONS_PER_DAY: 5,
    DISPATCH_QUEUE_URL: undefined,
    DISPATCH_WORKERS: 1,
    ...options.config,
  };
  await ensureTable(dynamoClient, config.TABLE_NAME);
  const keys = await signingKeys(options.dataDir);
  const clock = new TravelClock();
  const log = options.log ?? consoleLog;

  let appServer: Server | undefined;
  const deps = createDeps(config, keys, clients, { clock, log, mailParser: new PostalMimeParser() });
  const app = createApp(deps, {
    signupFloorMs: config.SIGNUP_FLOOR_MS,
    devRoutes: createDevRoutes(deps, clock),
  });
  const appPort = await new Promise<number>((resolve, reject) => {
    appServer = serve({ fetch: app.fetch, port: ports.app, hostname: host }, (info) =>
      resolve(info.port),
    ) as Server;
    appServer.once('error', reject);
  });
  urls.app = `http://localhost:${appPort}`;
  // Links in emails must carry the port actually bound (0 picks one), known only now.
  if (!options.config?.SITE_URL) {
    config.SITE_URL = urls.app;
    deps.settings.siteUrl = urls.app;
  }

  const smtp: LocalSmtp = await startSmtpServer(deps, ports.smtp, host);
  urls.smtp = `smtp://${host}:${smtp.port}`;

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  if (options.dispatchIntervalMs !== false) {
    timer = setInterval(() => {
      running = running
        .then(() => dispatchDue(deps))
        .then(() => sweepOpenQuestions(deps))
        .catch((error: Error) => log.error('dispatch failed', { error: error.name }));
    }, options.dispatchIntervalMs ?? 5000);
  }

  return {
    urls,
    deps,
    clock,
    config,
    clients,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
      await Promise.all([appServer ? closeServer(appServer) : undefined, smtp.close()]);
      await standIns.stop();
      dynamoClient.destroy();
      clients.ses.destroy();
    },
  };
}
