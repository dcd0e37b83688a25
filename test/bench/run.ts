/**
 * `npm run bench`: speed figures, each measured against a baseline in the same process. Not part of
 * `npm test`; the figures and the command go to BENCHMARKS.md.
 */

import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import mjml2html from 'mjml';
import type { Deps } from '../../functions/app/deps';
import { dispatchDue } from '../../functions/app/dispatch-due';
import { templates } from '../../functions/compose';
import type { Mailer } from '../../functions/domain/ports';
import { renderEmail } from '../../functions/domain/render';
import { confirmSubscriber, newSubscriber } from '../../functions/domain/subscriber';
import { createApp } from '../../functions/http/app';
import { sampleValues } from '../../functions/local/email-preview';
import { type LocalStack, startLocalStack } from '../../functions/local/stack';
import { ALIASES, LAMBDA_ESBUILD } from '../../infra/lambda-bundling';
import { MemorySubscriberStore } from '../support/memory/subscriber-store';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function renderBench(): Promise<void> {
  const key = 'lesson-3';
  const settings = {
    siteUrl: 'https://course.example.com',
    postalAddress: '1 Example Street',
    senderName: 'Sam',
  };
  const values = sampleValues(settings);
  const layout = await readFile('templates/layouts/course.mjml', 'utf8');
  const body = await readFile(`templates/emails/${key}.mjml`, 'utf8');
  const source = layout.replace('{{content}}', body);
  await mjml2html(source); // warm up: loading mjml's components is a one-time cost
  const mjmlRuns = 40;
  let started = performance.now();
  for (let i = 0; i < mjmlRuns; i++) await mjml2html(source.replaceAll('{{firstName}}', `Alex${i}`));
  const mjmlPerSecond = mjmlRuns / ((performance.now() - started) / 1000);
  const compiled = templates.emails[key]!;
  const fillRuns = 20_000;
  started = performance.now();
  for (let i = 0; i < fillRuns; i++) renderEmail(compiled, { ...values, firstName: `Alex${i}` });
  const fillPerSecond = fillRuns / ((performance.now() - started) / 1000);
  console.log('\n## Rendering one email (lesson-3), single core');
  console.log(`precompiled fill: ${fmt(fillPerSecond)} emails/s`);
  console.log(`mjml per email:   ${fmt(mjmlPerSecond)} emails/s`);
  console.log(`ratio:            ${fmt(fillPerSecond / mjmlPerSecond)}x faster with precompiled templates`);
}

/**
 * Counts SDK requests by command name; an eventually consistent GetItem is counted apart, as
 * `GetItemCommand (eventual)`, because on-demand DynamoDB bills it half a read unit (items under 4 KB).
 */
function countRequests(stack: LocalStack): Map<string, number> {
  const counts = new Map<string, number>();
  for (const client of [stack.clients.dynamo, stack.clients.ses]) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const eventual =
          context.commandName === 'GetItemCommand' &&
          !(args.input as { ConsistentRead?: boolean }).ConsistentRead;
        const name = `${context.commandName ?? '?'}${eventual ? ' (eventual)' : ''}`;
        counts.set(name, (counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'benchCounter' },
    );
  }
  return counts;
}

async function makeDue(deps: Deps, count: number, prefix: string): Promise<void> {
  const now = deps.clock.now();
  const queue = Array.from({ length: count }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const pending = newSubscriber(
          deps.newId(),
          { email: `${prefix}${i}@example.com`, firstName: 'Ben', timeZone: 'UTC', sendHour: 8 },
          now,
        );
        await deps.store.create(pending);
        await deps.store.activate(confirmSubscriber(pending, deps.steps, now));
      }
    }),
  );
}

async function dispatchBench(): Promise<void> {
  const stack = await startLocalStack({
    separateStandIns: true,
    ports: { app: 0, dynamo: 0, ses: 0 },
    dispatchIntervalMs: false,
    log: quiet,
    config: { DUE_SHARDS: 8, MAX_SEND_RATE: 100_000 },
    // The SES events (one DELIVERY per email) are handled after the send path is measured, and measured apart.
    sesEvents: 'manual',
  });
  try {
    const due = 2000;
    await makeDue(stack.deps, due, 'd');
    const counts = countRequests(stack);
    const started = performance.now();
    const report = await dispatchDue(stack.deps);
    const seconds = (performance.now() - started) / 1000;
    const perEmail = (names: string[]) =>
      names.reduce((sum, n) => sum + (counts.get(n) ?? 0) * (n.endsWith('(eventual)') ? 0.5 : 1), 0) /
      report.sent;
    const dynamoWrites = ['UpdateItemCommand', 'PutItemCommand', 'DeleteItemCommand'];
    // Read units: a consistent GetItem is one, an eventually consistent one half (see countRequests).
    const dynamoReads = ['GetItemCommand', 'GetItemCommand (eventual)', 'QueryCommand'];
    console.log(
      `\n## Dispatcher against the stand-ins (dynalite + aws-ses-v2-local), ${due} due subscribers, 8 shards`,
    );
    console.log(`sent ${report.sent} in ${fmt(seconds, 2)} s: ${fmt(report.sent / seconds)} emails/s`);
    console.log(
      `per email sent: ${fmt(perEmail(['SendEmailCommand']), 2)} SES calls, ${fmt(perEmail(dynamoWrites), 2)} DynamoDB writes, ${fmt(perEmail(dynamoReads), 2)} DynamoDB reads (of which ${fmt(perEmail(['QueryCommand']), 3)} due-index query pages)`,
    );
    console.log(`requests: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const sendPath = new Map(counts);
    counts.clear();
    await stack.sesEvents.settle();
    const events = { dynamoWrites: perEmail(dynamoWrites), dynamoReads: perEmail(dynamoReads) };
    console.log(
      `per email, its SES DELIVERY event (off the send path: the profile, the ledger row, the delivery fact): ${fmt(events.dynamoWrites, 2)} DynamoDB writes, ${fmt(events.dynamoReads, 2)} DynamoDB read units`,
    );
    console.log(`event requests: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    counts.clear();
    for (const [name, n] of sendPath) counts.set(name, n);
    // The cost model (npm run cost) reads these measured counts.
    const measured = {
      date: new Date().toISOString().slice(0, 10),
      command: 'npm run bench -- dispatch',
      perEmail: {
        sesCalls: perEmail(['SendEmailCommand']),
        dynamoWrites: perEmail(dynamoWrites),
        dynamoReads: perEmail(['GetItemCommand', 'GetItemCommand (eventual)']),
        queryPages: perEmail(['QueryCommand']),
      },
      perDeliveryEvent: events,
    };
    await writeFile('test/bench/measured.json', `${JSON.stringify(measured, null, 2)}\n`);
  } finally {
    await stack.stop();
  }
}

async function pacingBench(rate: number, seconds: number): Promise<void> {
  const stack = await startLocalStack({
    separateStandIns: true,
    ports: { app: 0, dynamo: 0, ses: 0 },
    dispatchIntervalMs: false,
    log: quiet,
    config: { DUE_SHARDS: 8, MAX_SEND_RATE: rate },
  });
  try {
    const allowed = rate * seconds;
    await makeDue(stack.deps, allowed + rate * 5, 'p');
    const starts: number[] = [];
    const real = stack.deps.mailer;
    const timed: Mailer = {
      send: (email) => {
        starts.push(performance.now());
        return real.send(email);
      },
    };
    const started = performance.now();
    await dispatchDue({ ...stack.deps, mailer: timed }, { deadline: started + seconds * 1000 });
    const inWindow = starts.filter((t) => t - started < seconds * 1000).length;
    let worst = 0;
    for (let i = 0, j = 0; i < starts.length; i++) {
      while (starts[i]! - starts[j]! >= 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    console.log(`\n## Pacing at a configured ${rate}/s for ${seconds} s (8 workers sharing one pacer)`);
    console.log(
      `sent in the window: ${inWindow} of ${allowed} allowed (${fmt((100 * inWindow) / allowed, 1)}%)`,
    );
    console.log(`busiest one-second window: ${worst} sends (limit ${rate})`);
  } finally {
    await stack.stop();
  }
}

/** The dispatcher's own CPU cost per email, with in-memory adapters (no I/O at all). */
async function overheadBench(): Promise<void> {
  const stack = await startLocalStack({
    separateStandIns: true,
    ports: { app: 0, dynamo: 0, ses: 0 },
    dispatchIntervalMs: false,
    log: quiet,
  });
  try {
    const count = 20_000;
    const store = new MemorySubscriberStore(8);
    let sent = 0;
    const deps: Deps = {
      ...stack.deps,
      store,
      mailer: { send: async () => ({ messageId: `m${sent++}` }) },
      settings: { ...stack.deps.settings, dueShards: 8, maxSendRate: 10_000_000 },
    };
    await makeDue(deps, count, 'o');
    // Time spent inside the in-memory store is the stand-in's, not the dispatcher's: measure it apart.
    let storeMs = 0;
    for (const method of ['findDue', 'claimDue', 'get', 'recordSend', 'releaseStep'] as const) {
      const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
      (store as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
        const started = performance.now();
        const result = original(...args);
        storeMs += performance.now() - started;
        return result;
      };
    }
    const cpu = process.cpuUsage();
    const started = performance.now();
    const report = await dispatchDue(deps);
    const wall = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuMicros = (used.user + used.system) / report.sent;
    const storeMicros = (storeMs * 1000) / report.sent;
    console.log(
      `\n## Dispatcher overhead with in-memory adapters, ${report.sent} of ${count} due subscribers sent`,
    );
    console.log(
      `${fmt(cpuMicros, 1)} µs of CPU per email in all, of which ${fmt(storeMicros, 1)} µs inside the in-memory store: ` +
        `the dispatcher's own work is ${fmt(cpuMicros - storeMicros, 1)} µs per email (${fmt(report.sent / wall)} emails/s on one core)`,
    );
    const calls = (name: string) => (store.calls.get(name) ?? 0) / report.sent;
    console.log(
      `store calls per email: claim ${fmt(calls('claimDue'), 2)}, re-read ${fmt(calls('get'), 2)}, record ${fmt(calls('recordSend'), 2)}, due-index pages ${fmt(calls('findDue'), 3)}`,
    );
  } finally {
    await stack.stop();
  }
}

console.log(
  `# npm run bench — ${new Date().toISOString()}, Node ${process.version}, ${(await import('node:os')).cpus().length} cores`,
);
/** Each Lambda bundle built as CDK builds it (infra/course-function.ts): size by package and load time. */
async function bundleBench(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'bundles-'));
  const env = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    TABLE_NAME: 'course',
    SITE_URL: 'https://course.example.com',
    FROM_ADDRESS: 'course@course.example.com',
    POSTAL_ADDRESS: '1 Example Street, Springfield',
    REPLY_DOMAIN: 'reply.course.example.com',
    SIGNING_KEY: 'k'.repeat(43),
    EXPERT_ADDRESS: 'expert@example.com',
    INBOUND_BUCKET: 'course-inbound',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  /** Wall time of a fresh Node process that imports `file`; throws with the error line if it fails. */
  const loadOnce = (file: string) => {
    const started = performance.now();
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(file)})`],
      {
        env,
        encoding: 'utf8',
      },
    );
    if (run.status !== 0)
      throw new Error(
        run.stderr
          .trim()
          .split('\n')
          .filter((l) => /Error/.test(l))
          .slice(-1)[0] ?? 'failed',
      );
    return performance.now() - started;
  };
  // As CDK builds them (CourseFunction passes the same settings).
  const esbuildOptions = {
    ...LAMBDA_ESBUILD,
    mainFields: [...LAMBDA_ESBUILD.mainFields],
    bundle: true,
    platform: 'node' as const,
    alias: ALIASES,
    metafile: true as const,
    logLevel: 'silent' as const,
  };
  try {
    // Everything is built first, then timed in 20 interleaved rounds (empty module, references, bundles in
    // turn), so that this shared machine's slow moments fall on all of them alike; each figure is a median.
    const emptyModule = join(out, 'empty.mjs');
    await writeFile(emptyModule, 'export const handler = () => {};\n');
    // The issue's reference: the DynamoDB and SES v2 clients alone, bundled as the SDK comes (its full
    // credential chain), then with our alias.
    const clientsOnly = {
      contents:
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n" +
        "import { SESv2Client } from '@aws-sdk/client-sesv2';\n" +
        'export const clients = [new DynamoDBClient({}), new SESv2Client({})];\n',
      resolveDir: process.cwd(),
      loader: 'ts' as const,
    };
    type Entry = { name: string; file: string; kb: number; note?: string; loads: number[] };
    const references: Entry[] = [];
    for (const [name, alias] of [
      ['DynamoDB + SES v2 clients alone, as the SDK comes', {}],
      ['the same two clients with our credential alias', ALIASES],
    ] as const) {
      const file = join(out, `reference-${references.length}.mjs`);
      await build({ ...esbuildOptions, alias, stdin: clientsOnly, outfile: file });
      references.push({ name, file, kb: (await readFile(file)).length / 1024, loads: [] });
    }
    const bundles: Entry[] = [];
    for (const handler of (await readdir('functions/handlers')).filter((f) => f.endsWith('.ts'))) {
      const file = join(out, handler.replace(/\.ts$/, '.mjs'));
      const result = await build({
        ...esbuildOptions,
        entryPoints: [join('functions/handlers', handler)],
        outfile: file,
      });
      // The outputs are the bundle and its map; the bundle is the one with an entry point.
      const bundle = Object.values(result.metafile.outputs).find((output) => output.entryPoint)!;
      const byPackage = new Map<string, number>();
      for (const [input, info] of Object.entries(bundle.inputs)) {
        const pkg = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? input.split('/')[0]!;
        byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + info.bytesInOutput);
      }
      const total = [...byPackage.values()].reduce((a, b) => a + b, 0);
      const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 6);
      const hasMjml = [...byPackage.keys()].some((pkg) => pkg.startsWith('mjml'));
      bundles.push({
        name: handler,
        file,
        kb: total / 1024,
        note: `mjml inside: ${hasMjml ? 'YES' : 'no'}\n  largest: ${top.map(([pkg, bytes]) => `${pkg} ${fmt(bytes / 1024)} KB`).join(', ')}`,
        loads: [],
      });
    }
    const empty: Entry = { name: 'empty', file: emptyModule, kb: 0, loads: [] };
    const all = [empty, ...references, ...bundles];
    for (let round = 0; round < 20; round++) {
      for (const entry of all) entry.loads.push(loadOnce(entry.file));
    }
    const emptyMs = median(empty.loads);
    const over = (entry: Entry) => median(entry.loads) - emptyMs;
    // This VM has slow spells that last a few seconds; the fastest runs show the cost without them.
    const overAtBest = (entry: Entry) => Math.min(...entry.loads) - Math.min(...empty.loads);
    const sdkAlone = over(references[0]!);
    console.log(
      `\n## Lambda bundles (esbuild, ESM, minified, as CDK builds them); empty Node start ${fmt(emptyMs)} ms (median of 20, interleaved)`,
    );
    for (const entry of references) {
      console.log(
        `reference, ${entry.name}: ${fmt(entry.kb)} KB, +${fmt(over(entry))} ms over empty Node (fastest runs: +${fmt(overAtBest(entry))} ms)`,
      );
    }
    for (const entry of bundles) {
      console.log(
        `${entry.name}: ${fmt(entry.kb)} KB, +${fmt(over(entry))} ms over empty Node (fastest runs: +${fmt(overAtBest(entry))} ms; ${fmt(over(entry) / sdkAlone, 2)}× the two SDK clients alone); ${entry.note}`,
      );
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Requests per second and latency of the signup API on the local server, next to a trivial route. */
async function apiBench(): Promise<void> {
  const stack = await startLocalStack({
    separateStandIns: true,
    ports: { app: 0, dynamo: 0, ses: 0 },
    dispatchIntervalMs: false,
    log: quiet,
    // Every request comes from 127.0.0.1: lift the per-client signup limit to measure the server itself.
    config: { SIGNUPS_PER_CLIENT: 1_000_000 },
  });
  try {
    const run = (options: autocannon.Options) =>
      new Promise<autocannon.Result>((resolve, reject) =>
        autocannon({ connections: 10, duration: 10, ...options }, (error, result) =>
          error ? reject(error) : resolve(result),
        ),
      );
    const health = await run({ url: `${stack.urls.app}/health` });
    let n = 0;
    const signup = await run({
      url: `${stack.urls.app}/api/subscribe`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // A new address each time: the full path (create, confirmation email), the costliest one.
      setupClient: (client) => {
        client.setBody(
          JSON.stringify({ email: `load${n++}@example.com`, firstName: 'Lou', timeZone: 'Europe/Rome' }),
        );
      },
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({
              email: `load${n++}@example.com`,
              firstName: 'Lou',
              timeZone: 'Europe/Rome',
            }),
          }),
        },
      ],
    });
    console.log('\n## Signup API on the local server (10 connections, 10 s; stand-ins in a child process)');
    for (const [name, result] of [
      ['GET /health', health],
      ['POST /api/subscribe (new address)', signup],
    ] as const) {
      const errors = result.non2xx + result.errors;
      console.log(
        `${name}: ${fmt(result.requests.average)} req/s, p50 ${fmt(result.latency.p50)} ms, p99 ${fmt(result.latency.p99)} ms, non-2xx/errors ${errors}`,
      );
    }
    console.log(`(signup answers are held to a floor of SIGNUP_FLOOR_MS in the cloud, 300 ms; 0 here)`);
  } finally {
    await stack.stop();
  }
}

/** Throughput against the stand-ins as workers are added, until the stand-ins saturate. */
async function workersBench(): Promise<void> {
  console.log(
    '\n## Workers sharing one rate limit (16 shards, 800 due each run, rate unlimited), against the stand-ins',
  );
  console.log('| workers | emails/s |\n| --- | --- |');
  for (const workers of [1, 2, 4, 8, 16]) {
    const stack = await startLocalStack({
      separateStandIns: true,
      ports: { app: 0, dynamo: 0, ses: 0 },
      dispatchIntervalMs: false,
      log: quiet,
      config: { DUE_SHARDS: 16, MAX_SEND_RATE: 100_000 },
    });
    try {
      await makeDue(stack.deps, 800, `w${workers}-`);
      const started = performance.now();
      const report = await dispatchDue(stack.deps, { workers });
      console.log(`| ${workers} | ${fmt(report.sent / ((performance.now() - started) / 1000))} |`);
    } finally {
      await stack.stop();
    }
  }
}

/**
 * Sequential DynamoDB round trips of one signup, counted by a wrapper around the document client: each
 * request's depth is one more than the deepest request that had finished when it started (it may have
 * waited for it), and a signup's round trips are the deepest request's depth. Requests started together
 * share a depth. The confirmation queue is not consumed here: its work is off the request path.
 */
async function signupRoundTripsBench(): Promise<void> {
  const stack = await startLocalStack({
    ports: { app: 0, dynamo: 0, ses: 0, smtp: 0 },
    dispatchIntervalMs: false,
    log: quiet,
  });
  let finished: number[] = [];
  let requests = 0;
  let rounds = 0;
  stack.clients.dynamo.middlewareStack.add(
    (next) => async (args) => {
      const depth = 1 + Math.max(0, ...finished);
      requests += 1;
      rounds = Math.max(rounds, depth);
      try {
        return await next(args);
      } finally {
        finished.push(depth);
      }
    },
    { step: 'initialize', name: 'roundTripCounter' },
  );
  const queued: unknown[] = [];
  const deps = {
    ...stack.deps,
    confirmations: { enqueue: async (request: unknown) => void queued.push(request) },
  };
  const app = createApp(deps, { signupFloorMs: 0, clientAddress: () => '192.0.2.1' });
  const measure = async (label: string, email: string, firstName = 'Rae') => {
    const counts: [number, number][] = [];
    for (let i = 0; i < 20; i++) {
      rounds = 0;
      requests = 0;
      finished = [];
      const address = email.replace('#', String(i));
      await app.request('/api/subscribe', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: address, firstName, timeZone: 'UTC' }),
      });
      counts.push([rounds, requests]);
    }
    const worst = counts.reduce((a, b) => (b[0] > a[0] ? b : a));
    console.log(`| ${label} | ${worst[0]} | ${worst[1]} |`);
  };
  try {
    console.log(
      '\n## DynamoDB round trips of one signup (request path only; the email is sent from the queue)',
    );
    console.log('| signup | sequential round trips | requests |\n| --- | --- | --- |');
    await measure('new address', 'rt-new-#@example.com');
    await measure('pending address, within the resend window', 'rt-new-#@example.com');
    stack.clock.moveTo(new Date(stack.clock.now().getTime() + 16 * 60_000));
    await measure('pending address after the window, new name', 'rt-new-#@example.com', 'Ray');
    console.log(`(${queued.length} confirmation requests queued by the ${3 * 20} signups above)`);
  } finally {
    await stack.stop();
  }
}

/** Posts one signup from `localAddress`; resolves with the status and the milliseconds it took. */
function postFrom(url: URL, localAddress: string, body: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: '/api/subscribe',
        method: 'POST',
        localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `npm run bench -- spike`: 1,000 signups of new addresses from 100 loopback clients (127.0.0.1-100, ten
 * each: the per-client limit) arriving evenly within 30 s, against an SES stand-in that accepts 5 sends
 * a second (LOCAL_SES_MAX_RATE=5), with the cloud's timing floor (300 ms).
 */
async function spikeBench(): Promise<void> {
  const signups = 1000;
  const clients = 100;
  const windowMs = 30_000;
  const stack = await startLocalStack({
    separateStandIns: true,
    ports: { app: 0, dynamo: 0, ses: 0, smtp: 0 },
    host: '127.0.0.1',
    dispatchIntervalMs: false,
    log: quiet,
    sesMaxRate: 5,
    config: { MAX_SEND_RATE: 5, SIGNUPS_PER_CLIENT: 10, SIGNUP_FLOOR_MS: 300 },
  });
  try {
    const url = new URL(stack.urls.app.replace('localhost', '127.0.0.1'));
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: signups }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * windowMs) / signups));
        const body = JSON.stringify({ email: `spike-${i}@example.com`, firstName: 'Sky', timeZone: 'UTC' });
        return postFrom(url, `127.0.0.${(i % clients) + 1}`, body);
      }),
    );
    const answered = (performance.now() - started) / 1000;
    await stack.confirmations.drained();
    const allSent = (performance.now() - started) / 1000;
    const store = (await (await fetch(`${stack.urls.ses}/store`)).json()) as {
      emails: { destination: { to: string[] } }[];
    };
    const perAddress = new Map<string, number>();
    for (const email of store.emails) {
      for (const to of email.destination.to) perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
    }
    const statuses = new Map<number, number>();
    for (const { status } of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const latencies = answers.map((a) => a.ms).sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
    const counts = new Map<number, number>();
    for (let i = 0; i < signups; i++) {
      const n = perAddress.get(`spike-${i}@example.com`) ?? 0;
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    console.log(
      `\n## Launch spike: ${signups} signups from ${clients} loopback clients within 30 s, SES at 5 sends/s`,
    );
    console.log(
      `answers: ${[...statuses].map(([status, n]) => `${n} × ${status}`).join(', ')} (all within ${fmt(answered, 1)} s)`,
    );
    console.log(
      `latency: p50 ${fmt(pct(0.5))} ms, p99 ${fmt(pct(0.99))} ms, max ${fmt(latencies.at(-1) ?? 0)} ms (floor 300 ms)`,
    );
    console.log(
      `every confirmation sent ${fmt(allSent, 1)} s after the first signup (${fmt(signups / 5)} s is the floor at 5/s)`,
    );
    console.log(
      `confirmations per address: ${[...counts].map(([n, addresses]) => `${addresses} addresses got ${n}`).join(', ')}; dead letters: ${stack.confirmations.deadLetters.length}`,
    );
  } finally {
    await stack.stop();
  }
}

// `npm run bench -- dispatch` runs one section; no argument runs them all.
const only = process.argv[2];
const sections: [string, () => Promise<void>][] = [
  ['render', renderBench],
  ['bundles', bundleBench],
  ['overhead', overheadBench],
  ['dispatch', dispatchBench],
  ['api', apiBench],
  ['workers', workersBench],
  ['signup', signupRoundTripsBench],
  ['spike', spikeBench],
  [
    'pacing',
    async () => {
      await pacingBench(14, 10);
      await pacingBench(50, 20);
    },
  ],
];
for (const [name, run] of sections) if (!only || only === name) await run();
