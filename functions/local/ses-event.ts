/**
 * `npm run ses-event -- --type bounce|complaint --to ADDRESS`: injects a permanent bounce or a complaint for
 * the latest course email to that address into the local stack (same settings as `npm run admin`), through
 * the SES events handler the cloud runs. Prints what the handler did.
 */
import { parseArgs } from 'node:util';
import { emailAddressProblem } from '../domain/signup-rules';
import { dynamoClientFor, localStackNow, reachHint, tableNameFor, toolDeps } from './cli-deps';
import { injectSesEvent, NothingToInjectError } from './inject-ses-event';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = 'usage: npm run ses-event -- --type bounce|complaint --to ADDRESS';

const fail = (message: string): never => {
  console.error(`ses-event: ${message}\n${USAGE}`);
  process.exit(2);
};

let parsed: ReturnType<typeof parse> | undefined;
function parse() {
  return parseArgs({
    options: { type: { type: 'string' }, to: { type: 'string' } },
    allowPositionals: false,
  });
}
try {
  parsed = parse();
} catch (error) {
  fail((error as Error).message);
}
const { type, to } = parsed?.values ?? {};
if (type !== 'bounce' && type !== 'complaint') fail(type ? `unknown --type "${type}"` : '--type is missing');
if (!to) fail('--to is missing');
const problem = emailAddressProblem(to ?? '');
if (problem) fail(`--to: ${problem}`);

const tableName = tableNameFor(false) as string;
const dynamo = dynamoClientFor(false);
try {
  const now = await localStackNow();
  const deps = toolDeps(dynamo, tableName, now);
  const result = await injectSesEvent(deps, type as 'bounce' | 'complaint', to as string, now);
  console.log(JSON.stringify({ type, email: result.key, outcome: result.outcome }));
} catch (error) {
  if (error instanceof NothingToInjectError) fail(error.message);
  console.error(`ses-event: failed: ${(error as Error).name}${reachHint(error, false, tableName)}`);
  process.exitCode = 1;
} finally {
  dynamo.destroy();
}
