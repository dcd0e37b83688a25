/**
 * The project's one way to define a Lambda function: the runtime, bundling and logging defaults, and the
 * grants that go with each resource, given in the same call that sets the matching environment variable.
 */
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import type { CourseContext } from './context';
import { ALIASES, LAMBDA_ESBUILD } from './lambda-bundling';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A DynamoDB item action a function's code uses. No Scan, no batch, no transactions: none is used. */
export type TableAction = 'GetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem';

/** What one function may do on the table: the actions its code uses, and only the indexes it queries. */
export interface TableGrant {
  table: ITable;
  actions: TableAction[];
  /** Index names it queries (`Query` on `<table>/index/<name>`). */
  indexes?: string[];
  /** With `DeleteItem`: the partition-key prefixes it may delete under (`dynamodb:LeadingKeys`). */
  deletesUnder?: string[];
}

/** Sending through SES with the deployment's identity and configuration set. */
export interface SesSending {
  identity: IEmailIdentity;
  configurationSetName: string;
  configurationSetArn: string;
  /** The From addresses the function sends as (the `ses:FromAddress` condition); set by `functionBase`. */
  fromAddresses?: string[];
}

/**
 * What every function of the deployment is wired to, built once (stateless stack) and spread into each
 * function's properties: the table, the signing key, SES sending, and the variables `functions/config.ts`
 * requires of every function.
 */
export interface FunctionBase {
  /** The table; each function grants itself the actions it uses (`CourseFunctionProps.table`). */
  table: ITable;
  secret: ISecret;
  sendEmail: SesSending;
  environment: Record<string, string>;
}

/** Properties of a course function. */
export interface CourseFunctionProps {
  /** The entry point's file name in `functions/handlers/`, without `.ts`. */
  handler: string;
  description: string;
  /** Variables read by `functions/config.ts`, beyond those set from `table`, `secret` and `sendEmail`. */
  environment: Record<string, string>;
  /** The course table: sets `TABLE_NAME` and grants exactly the given actions and indexes. */
  table?: TableGrant;
  /** The signing-key secret: sets `SIGNING_SECRET_ARN` and grants read. Only functions that sign or verify. */
  secret?: ISecret;
  /**
   * Sending through SES: sets `CONFIGURATION_SET` and grants `ses:SendEmail` on this identity and set
   * only, from the given From addresses only.
   */
  sendEmail?: SesSending;
  /** @default 256 */
  memorySize?: number;
  /** @default 10 seconds */
  timeout?: Duration;
  /** Active X-Ray tracing. @default false */
  tracing?: boolean;
  /** Reserved concurrency. @default none */
  reservedConcurrentExecutions?: number;
  /**
   * Lambda's own lines per invocation (START, END, REPORT: about 350 bytes) kept in the log group, or only
   * its warnings. 'warnings' is for a function invoked once per email, where those lines would be most of
   * its log bill; its duration, errors and throttles remain as metrics. The log format is then JSON, which
   * the app's logger already writes (its `level` and `timestamp` are read as such). @default 'all'
   */
  platformLogs?: 'all' | 'warnings';
}

/** esbuild through CDK, with LAMBDA_ESBUILD's settings in CDK's terms. */
const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: LAMBDA_ESBUILD.target,
  minify: LAMBDA_ESBUILD.minify,
  sourceMap: true,
  sourcesContent: LAMBDA_ESBUILD.sourcesContent,
  mainFields: [...LAMBDA_ESBUILD.mainFields],
  banner: LAMBDA_ESBUILD.banner.js,
  esbuildArgs: { '--alias': Object.entries(ALIASES).map(([from, to]) => `${from}=${to}`) },
  // Bundle the AWS SDK too: a pinned, tree-shaken SDK rather than whatever the runtime ships.
  externalModules: [],
  forceDockerBundling: false,
};

/** A Node.js 22 arm64 function bundled by the local esbuild as minified ESM, with its own log group and role. */
export class CourseFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: CourseFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
    // An explicit role instead of the AWSLambdaBasicExecutionRole managed policy, which may write to
    // any log group in the account; this one may write to its own log group only.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.handler} function`,
    });
    logGroup.grantWrite(role);

    // No NODE_OPTIONS=--enable-source-maps: Node then parses the whole source map as the bundle loads,
    // about 50 ms more on every cold start. The map still ships beside the bundle, so a minified stack
    // trace can be read offline, or the flag set for a while on one function (see README).
    const environment: Record<string, string> = { ...props.environment };
    if (props.table) environment.TABLE_NAME = props.table.table.tableName;
    if (props.secret) environment.SIGNING_SECRET_ARN = props.secret.secretArn;
    if (props.sendEmail) environment.CONFIGURATION_SET = props.sendEmail.configurationSetName;

    super(scope, id, {
      entry: `${PROJECT_ROOT}functions/handlers/${props.handler}.ts`,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role,
      logGroup,
      ...(props.platformLogs === 'warnings'
        ? { loggingFormat: LoggingFormat.JSON, systemLogLevelV2: SystemLogLevel.WARN }
        : {}),
      environment,
      bundling: BUNDLING,
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to Node.js 22, the version the code, esbuild target and tests are written for; ' +
        'Node.js 24 is a deliberate upgrade of all three together.',
    });
    grantAccess(role, props);
  }
}

/** The grants that go with the table, secret, sending and tracing the function was given. */
function grantAccess(role: Role, props: CourseFunctionProps): void {
  if (props.table) grantTable(role, props.table);
  props.secret?.grantRead(role);
  if (props.sendEmail) {
    const { identity, configurationSetArn, fromAddresses } = props.sendEmail;
    role.addToPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [identity.emailIdentityArn, configurationSetArn],
        conditions: fromAddresses ? { StringEquals: { 'ses:FromAddress': fromAddresses } } : undefined,
      }),
    );
  }
  if (props.tracing) {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions.',
    });
  }
}

/** The table actions of `grant` on the table, Query on its named indexes, and DeleteItem under its prefixes only. */
function grantTable(role: Role, grant: TableGrant): void {
  const { table } = grant;
  const itemActions = grant.actions.filter((a) => a !== 'DeleteItem').map((a) => `dynamodb:${a}`);
  if (itemActions.length > 0) {
    role.addToPolicy(new PolicyStatement({ actions: itemActions, resources: [table.tableArn] }));
  }
  if (grant.actions.includes('DeleteItem')) {
    role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:DeleteItem'],
        resources: [table.tableArn],
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': (grant.deletesUnder ?? []).map((p) => `${p}*`),
          },
        },
      }),
    );
  }
  if (grant.indexes && grant.indexes.length > 0) {
    role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: grant.indexes.map((index) => `${table.tableArn}/index/${index}`),
      }),
    );
  }
}

/** The stateful resources every function uses, created once by the stateful stack and handed on. */
export interface SharedResources {
  table: ITable;
  signingSecret: ISecret;
  sending: SesSending;
}

/**
 * The base of every function: the table (each function names its own actions), the signing key, SES
 * sending from the course address only, and the variables every function requires. Built once per
 * deployment, where the site's URL is known.
 */
export function functionBase(shared: SharedResources, context: CourseContext, siteUrl: string): FunctionBase {
  return {
    table: shared.table,
    secret: shared.signingSecret,
    // Every email (course steps, confirmations, the question loop) is sent from the course address.
    sendEmail: { ...shared.sending, fromAddresses: [context.fromAddress] },
    environment: {
      SITE_URL: siteUrl,
      FROM_ADDRESS: context.fromAddress,
      POSTAL_ADDRESS: context.postalAddress,
      REPLY_DOMAIN: context.replyDomain,
    },
  };
}

/** The variables of the functions that handle questions: the API (console), the dispatch sweep, inbound. */
export function expertEnvironment(context: CourseContext): Record<string, string> {
  return {
    EXPERT_ADDRESS: context.expertAddress,
    ...(context.expertAddresses ? { EXPERT_ADDRESSES: context.expertAddresses } : {}),
    ...(context.operatorAddresses ? { OPERATOR_ADDRESSES: context.operatorAddresses } : {}),
    ...(context.backupAddress ? { BACKUP_ADDRESS: context.backupAddress } : {}),
  };
}
