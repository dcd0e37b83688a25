/**
 * The local stand-ins for AWS: dynalite (DynamoDB) and aws-ses-v2-local (SES v2). They run inside this
 * process by default, or in a child process (`separateProcess`), where they get a CPU core of their own,
 * as DynamoDB and SES are other machines in the cloud (the throughput benchmarks use that).
 */
import { fork } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sesLocalModule from 'aws-ses-v2-local';
import dynalite from 'dynalite';

// aws-ses-v2-local is CommonJS with `exports.default`: Node's ESM loader wraps it once more than bundlers do.
const sesLocal = ((sesLocalModule as unknown as { default?: typeof sesLocalModule }).default ??
  sesLocalModule) as typeof sesLocalModule;

/** Where the stand-ins listen and keep their data. */
export interface StandInOptions {
  host: string;
  dynamoPort: number;
  sesPort: number;
  /** Folder for the DynamoDB data; in-memory when omitted. */
  dataDir?: string | undefined;
  separateProcess?: boolean;
  /**
   * Sends per second SES accepts (`LOCAL_SES_MAX_RATE`): beyond it a send gets SES's own throttling
   * error, as an account at its maximum send rate does. Unlimited when omitted.
   */
  sesMaxRate?: number | undefined;
}

/** Running stand-ins. */
export interface StandIns {
  dynamoUrl: string;
  sesUrl: string;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Stops a server: idle keep-alive connections now, requests in flight once they finish. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections?.();
  });
}

async function startInline(options: StandInOptions): Promise<StandIns> {
  const dynamoServer = dynalite({
    path: options.dataDir ? join(options.dataDir, 'dynamo') : undefined,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const dynamoPort = await listen(dynamoServer, options.dynamoPort, options.host);
  const limited = options.sesMaxRate !== undefined;
  const sesServer = await sesLocal({ host: options.host, port: limited ? 0 : options.sesPort });
  const sesPort = (sesServer.address() as AddressInfo).port;
  // The SES stand-in keeps one mailbox per process, not per server: a new stack starts with it empty,
  // not with the emails of a stack this process ran before (the tests run many, one after another).
  await fetch(`http://${options.host}:${sesPort}/clear-store`, { method: 'POST' }).then((r) =>
    r.body?.cancel(),
  );
  const proxy = limited ? sendRateLimit(options.host, sesPort, options.sesMaxRate as number) : undefined;
  const publicSesPort = proxy ? await listen(proxy, options.sesPort, options.host) : sesPort;
  return {
    dynamoUrl: `http://${options.host}:${dynamoPort}`,
    sesUrl: `http://${options.host}:${publicSesPort}`,
    stop: async () => {
      await Promise.all([
        closeServer(sesServer),
        closeServer(dynamoServer),
        proxy ? closeServer(proxy) : undefined,
      ]);
    },
  };
}

/** The path of SES v2's SendEmail. */
const SEND_EMAIL = /^\/v2\/email\/outbound-emails\/?(\?|$)/;

/**
 * A proxy in front of the SES stand-in that accepts at most `maxPerSecond` sends in any one-second
 * window and answers the rest as SES does at the account's maximum send rate: 429,
 * `TooManyRequestsException`, "Maximum sending rate exceeded." Everything else passes through.
 */
function sendRateLimit(host: string, upstreamPort: number, maxPerSecond: number): Server {
  const accepted: number[] = [];
  return createServer((req, res) => {
    if (req.method === 'POST' && SEND_EMAIL.test(req.url ?? '')) {
      const now = performance.now();
      while (accepted.length > 0 && (accepted[0] as number) <= now - 1000) accepted.shift();
      if (accepted.length >= maxPerSecond) {
        req.resume();
        res.writeHead(429, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'TooManyRequestsException',
        });
        res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
        return;
      }
      accepted.push(now);
    }
    const upstream = request(
      { host, port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
}

async function startChild(options: StandInOptions): Promise<StandIns> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, STAND_INS_OPTIONS: JSON.stringify({ ...options, separateProcess: false }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const urls = await new Promise<{ dynamoUrl: string; sesUrl: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { dynamoUrl: string; sesUrl: string }));
    child.once('exit', (code) =>
      reject(new Error(`the stand-ins process exited (${code}) before listening`)),
    );
  });
  return {
    ...urls,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Starts dynalite and the SES stand-in. */
export function startStandIns(options: StandInOptions): Promise<StandIns> {
  return options.separateProcess ? startChild(options) : startInline(options);
}

// Run as the child process: start inline, report the addresses, and stop when the parent goes away.
if (process.env.STAND_INS_OPTIONS && process.send && fileURLToPath(import.meta.url) === process.argv[1]) {
  const standIns = await startInline(JSON.parse(process.env.STAND_INS_OPTIONS) as StandInOptions);
  process.send({ dynamoUrl: standIns.dynamoUrl, sesUrl: standIns.sesUrl });
  const quit = () => standIns.stop().then(() => process.exit(0));
  process.once('SIGTERM', quit);
  process.once('disconnect', quit);
}
