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
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { documentClient } from '../adapters/dynamo-document';
import { createTableInput } from '../adapters/dynamo-table';
import type { Deps, Log } from '../app/deps';
import { dispatchDue } from '../app/dispatch-due';
import { sweepOpenQuestions } from '../app/inbound/sweep-open-questions';
import { sendConfirmation } from '../app/send-confirmation';
import { createDeps } from '../compose';
import type { Config } from '../config';
import type { SigningKeys } from '../domain/tokens';
import { createApp } from '../http/app';
import { plausibleAddress } from '../http/middleware';
import { TravelClock } from './clock';
import { localConfig } from './config';
import { LocalConfirmationQueue } from './confirmation-queue';
import { createDevRoutes } from './dev-routes';
import { SesEventFeed } from './ses-feed';
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
  /**
   * SES events for the emails sent: 'timer' hands them to the SES events handler every quarter second (as
   * SES would, a moment later); 'manual' only after each dispatch run and on `sesEvents.settle()` (tests).
   */
  sesEvents?: 'timer' | 'manual';
  /** Sends per second the SES stand-in accepts before it throttles, as SES does (`LOCAL_SES_MAX_RATE`). */
  sesMaxRate?: number;
}

/** A running local stack. */
export interface LocalStack {
  urls: { app: string; ses: string; dynamo: string; smtp: string };
  deps: Deps;
  clock: TravelClock;
  config: Config;
  clients: { dynamo: DynamoDBDocumentClient; ses: SESv2Client };
  /** The DELIVERY events of sent emails, on their way to the SES events handler. */
  sesEvents: Pick<SesEventFeed, 'flush' | 'settle'>;
  /** Where signups leave their confirmation emails; `drained()` waits until all of them are sent. */
  confirmations: LocalConfirmationQueue;
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
  // dynalite answers CreateTable before the table takes writes: wait until it says ACTIVE.
  for (let tries = 0; tries < 200; tries++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`table ${tableName} did not become active`);
}

/** The SDK clients of the local stack, pointed at the stand-ins. */
function localClients(dynamoUrl: string, sesUrl: string) {
  const dynamo = new DynamoDBClient({ endpoint: dynamoUrl, region: REGION, credentials: LOCAL_CREDENTIALS });
  return {
    raw: dynamo,
    dynamo: documentClient(dynamo),
    ses: new SESv2Client({ endpoint: sesUrl, region: REGION, credentials: LOCAL_CREDENTIALS }),
  };
}

/**
 * The app server, listening before the app exists: links in emails carry the port actually bound (0
 * picks one), so the app is built once that is known and then handed to `mount`.
 */
async function listenFirst(port: number, host: string) {
  let handler: Hono | undefined;
  let server: Server | undefined;
  const bound = await new Promise<number>((resolve, reject) => {
    const fetch = (request: Request, env: unknown) =>
      handler ? handler.fetch(request, env) : new Response('starting', { status: 503 });
    server = serve({ fetch, port, hostname: host }, (info) => resolve(info.port)) as Server;
    server.once('error', reject);
  });
  return {
    port: bound,
    server: server as Server,
    mount: (app: Hono) => {
      handler = app;
    },
  };
}

/** The production app behind the local-only routes (`/_dev`: time travel, email previews). */
function localApp(deps: Deps, config: Config, clock: TravelClock, feed: SesEventFeed): Hono {
  const app = createApp(deps, {
    signupFloorMs: config.SIGNUP_FLOOR_MS,
    clientAddress: (c) => plausibleAddress(getConnInfo(c).remote.address),
  });
  return new Hono()
    .route(
      '/_dev',
      createDevRoutes(deps, clock, () => feed.flush()),
    )
    .all('*', (c) => app.fetch(c.req.raw, c.env));
}

/** Runs the dispatcher and the question sweep every `intervalMs` against the (possibly moved) clock. */
function startDispatcher(deps: Deps, intervalMs: number | false, log: Log, feed: SesEventFeed) {
  let running: Promise<unknown> = Promise.resolve();
  const timer =
    intervalMs === false
      ? undefined
      : setInterval(() => {
          running = running
            .then(() => dispatchDue(deps))
            .then(() => feed.flush())
            .then(() => sweepOpenQuestions(deps))
            .catch((error: Error) => log.error('dispatch failed', { error: error.name }));
        }, intervalMs);
  return async () => {
    if (timer) clearInterval(timer);
    await running;
  };
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
    sesMaxRate: options.sesMaxRate,
  });
  const clients = localClients(standIns.dynamoUrl, standIns.sesUrl);
  const web = await listenFirst(ports.app, host);
  const appUrl = `http://localhost:${web.port}`;
  const config = localConfig(appUrl, options.config);
  await ensureTable(clients.raw, config.TABLE_NAME);
  const clock = new TravelClock();
  const log = options.log ?? consoleLog;
  const confirmations = new LocalConfirmationQueue({
    ratePerSecond: config.MAX_SEND_RATE,
    log,
  });
  const deps = createDeps(config, await signingKeys(options.dataDir), clients, { clock, log, confirmations });
  const feed = new SesEventFeed(deps);
  deps.mailer = feed.wrap(deps.mailer);
  const feedTimer =
    options.sesEvents === 'manual' ? undefined : setInterval(() => void feed.flush().catch(() => {}), 250);
  confirmations.consume((request) => sendConfirmation(deps, request));
  web.mount(localApp(deps, config, clock, feed));
  const smtp: LocalSmtp = await startSmtpServer(deps, ports.smtp, host);
  const stopDispatcher = startDispatcher(deps, options.dispatchIntervalMs ?? 5000, log, feed);
  return {
    urls: {
      app: appUrl,
      ses: standIns.sesUrl,
      dynamo: standIns.dynamoUrl,
      smtp: `smtp://${host}:${smtp.port}`,
    },
    deps,
    clock,
    config,
    clients: { dynamo: clients.dynamo, ses: clients.ses },
    sesEvents: feed,
    confirmations,
    async stop() {
      clearInterval(feedTimer);
      await stopDispatcher();
      await confirmations.stop();
      await Promise.all([closeServer(web.server), smtp.close()]);
      await standIns.stop();
      clients.raw.destroy();
      clients.ses.destroy();
    },
  };
}
