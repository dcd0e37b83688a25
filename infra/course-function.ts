/**
 * The project's one way to define a Lambda function: the runtime, bundling and logging defaults, and the
 * grants that go with each resource, given in the same call that sets the matching environment variable.
 */
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { INDEXES } from '../functions/adapters/dynamo-table';
import type { CourseContext } from './context';
import { ALIASES, LAMBDA_ESBUILD } from './lambda-bundling';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** How much of the table a function may touch. */
export type TableAccess = 'read' | 'readWrite';

// No Scan: every access pattern is served by a key (README, "How it is built"). Transactions are
// authorised through the item actions they contain.
const READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/** Sending through SES with the deployment's identity and configuration set. */
export interface SesSending {
  identity: IEmailIdentity;
  configurationSetName: string;
  configurationSetArn: string;
}

/**
 * What every function of the deployment is wired to, built once (stateless stack) and spread into each
 * function's properties: the table, the signing key, SES sending, and the variables `functions/config.ts`
 * requires of every function.
 */
export interface FunctionBase {
  table: { table: ITable; access: TableAccess };
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
  /** The course table: sets `TABLE_NAME` and grants item access on the table and query on its indexes. */
  table?: { table: ITable; access: TableAccess };
  /** The signing-key secret: sets `SIGNING_SECRET_ARN` and grants read. */
  secret?: ISecret;
  /** Sending through SES: sets `CONFIGURATION_SET` and grants `ses:SendEmail` on this identity and set only. */
  sendEmail?: SesSending;
  /** @default 256 */
  memorySize?: number;
  /** @default 10 seconds */
  timeout?: Duration;
  /** Active X-Ray tracing. @default false */
  tracing?: boolean;
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
      role,
      logGroup,
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
  if (props.table) {
    const { table, access } = props.table;
    role.addToPolicy(
      new PolicyStatement({
        actions: access === 'readWrite' ? [...READ_ACTIONS, ...WRITE_ACTIONS] : READ_ACTIONS,
        resources: [table.tableArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: INDEXES.map((index) => `${table.tableArn}/index/${index.name}`),
      }),
    );
  }
  props.secret?.grantRead(role);
  if (props.sendEmail) {
    role.addToPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [props.sendEmail.identity.emailIdentityArn, props.sendEmail.configurationSetArn],
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

/** The stateful resources every function uses, created once by the stateful stack and handed on. */
export interface SharedResources {
  table: ITable;
  signingSecret: ISecret;
  sending: SesSending;
}

/**
 * The base of every function: read-write on the table, the signing key, SES sending, and the variables
 * every function requires. Built once per deployment, where the site's URL is known.
 */
export function functionBase(shared: SharedResources, context: CourseContext, siteUrl: string): FunctionBase {
  return {
    table: { table: shared.table, access: 'readWrite' },
    secret: shared.signingSecret,
    sendEmail: shared.sending,
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
