/**
 * `npm run admin -- export EMAIL [--aws]` prints, as JSON, every item stored about the person with that
 * address; `npm run admin -- erase EMAIL [--aws]` deletes all of it, keeping only the hashed suppression
 * entry so they are never mailed again.
 *
 * By default it works on the local stack that `npm start` runs (DynamoDB at 127.0.0.1:DYNAMO_PORT, default
 * 8000; table TABLE_NAME, default `course`). With --aws it uses the default AWS credentials and region,
 * TABLE_NAME from the environment (required) and, when INBOUND_BUCKET is set, deletes the person's raw
 * inbound mail under `raw/<subscriberId>/` in that bucket too.
 */
import { parseArgs } from 'node:util';
import { DynamoAdminStore } from '../adapters/dynamo-admin-store';
import { documentClient } from '../adapters/dynamo-document';
import { DynamoSuppressionList } from '../adapters/dynamo-safeguards';
import { S3RawMailArchive } from '../adapters/s3-raw-mail-archive';
import { type AdminDeps, erasePerson, exportPerson } from '../app/admin';
import { emailAddressProblem } from '../domain/signup-rules';
import { dynamoClientFor, reachHint, stderrLog, tableNameFor } from './cli-deps';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = 'usage: npm run admin -- export EMAIL [--aws]\n       npm run admin -- erase EMAIL [--aws]';

const fail = (message: string): never => {
  console.error(`admin: ${message}\n${USAGE}`);
  process.exit(2);
};

const { values, positionals } = parseArgs({
  options: { aws: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const [command, email, ...rest] = positionals;
if (command !== 'export' && command !== 'erase')
  fail(command ? `unknown command "${command}"` : 'no command');
if (!email) fail('EMAIL is missing');
if (rest.length > 0) fail(`unexpected arguments: ${rest.join(' ')}`);
const problem = emailAddressProblem(email ?? '');
if (problem) fail(`EMAIL: ${problem}`);

const tableName = tableNameFor(values.aws) ?? fail('TABLE_NAME is missing');
const dynamo = dynamoClientFor(values.aws);
const doc = documentClient(dynamo);
const bucket = values.aws ? process.env.INBOUND_BUCKET : undefined;
const deps: AdminDeps = {
  records: new DynamoAdminStore({ tableName, client: doc }),
  suppressions: new DynamoSuppressionList(doc, tableName),
  rawMail: bucket ? new S3RawMailArchive({ bucket }) : undefined,
  clock: { now: () => new Date() },
  log: stderrLog,
};

try {
  const result = command === 'export' ? await exportPerson(deps, email!) : await erasePerson(deps, email!);
  console.log(JSON.stringify(result, (_key, value) => (value instanceof Set ? [...value] : value), 2));
} catch (error) {
  console.error(
    `admin: ${command} failed: ${(error as Error).name}${reachHint(error, values.aws, tableName)}`,
  );
  process.exit(1);
} finally {
  dynamo.destroy();
}
