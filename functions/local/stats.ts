/**
 * `npm run stats [-- --since YYYY-MM-DD] [--until YYYY-MM-DD] [--json] [--aws]`: the operator's figures
 * (per course email, the funnel, the 24-hour promise, daily series, weekly cohorts, signup sources) as
 * tables, or with --json as one JSON object. Same settings as `npm run admin`: the local stack by default
 * (DYNAMO_PORT, TABLE_NAME), a deployed stack with --aws (AWS credentials, TABLE_NAME required). It reads
 * one query per day of the range and never scans.
 */
import { parseArgs } from 'node:util';
import { checkRange, readFigures } from '../app/insights';
import { ValidationError } from '../domain/errors';
import { dynamoClientFor, localStackNow, reachHint, tableNameFor, toolDeps } from './cli-deps';
import { figuresAsText } from './stats-tables';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = 'usage: npm run stats -- [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--json] [--aws]';

const fail = (message: string): never => {
  console.error(`stats: ${message}\n${USAGE}`);
  process.exit(2);
};

function parse() {
  return parseArgs({
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean', default: false },
      aws: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
}

let values: ReturnType<typeof parse>['values'] = { json: false, aws: false };
try {
  values = parse().values;
  checkRange(values);
} catch (error) {
  const fields = error instanceof ValidationError ? error.fields : undefined;
  fail(
    fields
      ? Object.entries(fields)
          .map(([end, why]) => `--${end}: ${why}`)
          .join('; ')
      : (error as Error).message,
  );
}

const aws = values.aws === true;
const tableName = tableNameFor(aws) ?? fail('TABLE_NAME is missing');
const dynamo = dynamoClientFor(aws);
try {
  const now = aws ? new Date() : await localStackNow();
  const figures = await readFigures(toolDeps(dynamo, tableName, now), {
    since: values.since,
    until: values.until,
  });
  process.stdout.write(values.json ? `${JSON.stringify(figures)}\n` : figuresAsText(figures));
} catch (error) {
  console.error(`stats: failed: ${(error as Error).name}${reachHint(error, aws, tableName)}`);
  process.exitCode = 1;
} finally {
  dynamo.destroy();
}
