import { execFileSync } from 'node:child_process';
import type { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, INDEXES } from '../../functions/adapters/dynamo-table';
import { readConfig } from '../../functions/config';
import { ContextError, readCourseContext } from '../../infra/context';
import { buildCourseApp, type CourseStacks } from '../../infra/course-app';
import { checkReceivingRegion } from '../../infra/inbound-mail';
import {
  constructProblems,
  EXAMPLE_CONTEXT,
  logicalId,
  ROOT,
  testApp,
  unacknowledgedNagFindings,
  validationPluginReports,
} from '../support/infra';

const CONTEXT = EXAMPLE_CONTEXT;

/** The properties of an L2 construct's resource in `template`. */
const propertiesOf = (template: Template, construct: IConstruct) =>
  template.toJSON().Resources[logicalId(construct)].Properties;

type Statement = { Action: string | string[]; Resource: unknown };

/** The statements of a role's inline policy. */
const statementsOf = (template: Template, role: IConstruct) =>
  propertiesOf(template, role.node.findChild('DefaultPolicy')).PolicyDocument.Statement as Statement[];

const actions = (statement: Statement) => [statement.Action].flat();

/** The ARN of the stack's one dead-letter queue, as the stateless template spells it. */
const deadLettersArn = () => ({ 'Fn::GetAtt': [logicalId(stacks.stateless.deadLetters), 'Arn'] });

/** Orders template values (objects included) for comparison. */
const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

let app: App;
let stacks: CourseStacks;
let stateful: Template;
let stateless: Template;
let assembly: CloudAssembly;

beforeAll(() => {
  app = testApp(CONTEXT);
  stacks = buildCourseApp(
    app,
    readCourseContext((key) => app.node.tryGetContext(key)),
  );
  assembly = app.synth();
  stateful = Template.fromStack(stacks.stateful);
  stateless = Template.fromStack(stacks.stateless);
}, 120_000);

describe('the stateful stack', () => {
  it('builds the table from the shared definition, so the cloud and the local stack agree', () => {
    const local = createTableInput('local');
    const table = Object.values(stateful.findResources('AWS::DynamoDB::GlobalTable'))[0]!;
    expect(table.Properties.KeySchema).toEqual(local.KeySchema);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
    expect(table.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining(local.AttributeDefinitions ?? []),
    );
    expect(table.Properties.AttributeDefinitions).toHaveLength(local.AttributeDefinitions?.length ?? 0);
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('keeps the table: point-in-time recovery, KMS encryption, TTL, deletion protection, retained on delete', () => {
    stateful.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      }),
    });
  });

  it('generates a retained signing secret as JSON with a 64-character "current" key', () => {
    stateful.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        GenerateSecretString: {
          SecretStringTemplate: '{}',
          GenerateStringKey: 'current',
          PasswordLength: 64,
          ExcludePunctuation: true,
        },
      }),
    });
  });

  it('verifies the course domain in SES with Easy DKIM, a custom MAIL FROM and the configuration set', () => {
    stateful.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'course.example.com',
      MailFromAttributes: {
        MailFromDomain: 'mail.course.example.com',
        BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      },
      ConfigurationSetAttributes: {
        ConfigurationSetName: { Ref: Match.stringLikeRegexp('^ConfigurationSet') },
      },
    });
    stateful.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('writes the DKIM and MAIL FROM records into the given hosted zone', () => {
    const records = Object.values(stateful.findResources('AWS::Route53::RecordSet')).map((r) => r.Properties);
    expect(records.every((r) => r.HostedZoneId === CONTEXT.hostedZoneId)).toBe(true);
    expect(records.filter((r) => r.Type === 'CNAME')).toHaveLength(3);
    expect(records).toContainEqual(expect.objectContaining({ Type: 'MX', Name: 'mail.course.example.com.' }));
    expect(records).toContainEqual(
      expect.objectContaining({
        Type: 'TXT',
        Name: 'mail.course.example.com.',
        ResourceRecords: ['"v=spf1 include:amazonses.com ~all"'],
      }),
    );
  });

  it('leaves the site domain to the distribution: no API custom domain, only the DMARC record', () => {
    stateful.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    stateful.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    stateful.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'A' }, 0);
  });
});

describe('the stateless stack', () => {
  const functions = () => [
    stacks.stateless.site.function,
    stacks.stateless.dispatch.tickFunction,
    stacks.stateless.dispatch.workerFunction,
    stacks.stateless.sesEvents.function,
  ];
  /** The functions that send email (the events function only reads and writes the table). */
  const senders = () => [
    stacks.stateless.site.function,
    stacks.stateless.dispatch.tickFunction,
    stacks.stateless.dispatch.workerFunction,
  ];

  it('runs every function on Node.js 22 on arm64 as bundled ESM', () => {
    for (const fn of functions()) {
      expect(propertiesOf(stateless, fn)).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
      });
    }
    expect(propertiesOf(stateless, stacks.stateless.dispatch.tickFunction).Timeout).toBe(300);
  });

  it("gives each function an environment that passes the functions' own config validation", () => {
    for (const fn of functions()) {
      const variables = propertiesOf(stateless, fn).Environment.Variables as Record<string, unknown>;
      expect(Object.keys(variables)).toContain('TABLE_NAME');
      // Only functions that sign or verify get the signing secret; the events function does neither.
      expect('SIGNING_SECRET_ARN' in variables).toBe(fn !== stacks.stateless.sesEvents.function);
      expect('CONFIGURATION_SET' in variables).toBe(senders().includes(fn));
      expect(variables).toMatchObject({
        SITE_URL: 'https://course.example.com',
        FROM_ADDRESS: 'course@course.example.com',
        POSTAL_ADDRESS: '1 Main Street, Springfield',
        REPLY_DOMAIN: 'reply.course.example.com',
      });
      // Source maps are not enabled at run time: parsing them costs every cold start about 50 ms.
      expect('NODE_OPTIONS' in variables).toBe(false);
      // Values known only at deploy time (table name, secret ARN, ...) stand in as plain strings.
      const env = Object.fromEntries(
        Object.entries(variables).map(([key, value]) => [
          key,
          typeof value === 'string'
            ? value
            : key.endsWith('_URL')
              ? `https://x-${key}.example`
              : `x-${key}-known-at-deploy`,
        ]),
      );
      expect(() => readConfig(env)).not.toThrow();
    }
  });

  it('gives each function its own log group with one-month retention, as do the API access logs', () => {
    // And one for CDK's handler that publishes the static site at deploy.
    stateless.resourceCountIs('AWS::Logs::LogGroup', functions().length + 2);
    stateless.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    for (const fn of functions()) {
      expect(propertiesOf(stateless, fn).LoggingConfig.LogGroup).toEqual({ Ref: logicalId(fn.logGroup) });
    }
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SiteAccessLogs'), 'Arn'] },
      },
    });
  });

  it('routes every request to the API function through a $default stage with no stage-wide throttle', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [logicalId(stacks.stateless.site.function), 'Arn'] },
    });
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: Match.absent(),
    });
    stateless.hasOutput('ApiUrl', {
      Value: { 'Fn::GetAtt': [logicalId(stacks.stateless.api), 'ApiEndpoint'] },
    });
  });

  it('invokes the dispatcher every five minutes; a tick that fails to start or fails becomes a dead letter', () => {
    const deadLetters = deadLettersArn();
    stateless.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(stacks.stateless.dispatch.tickFunction), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
          DeadLetterConfig: { Arn: deadLetters },
        }),
      ],
    });
    // A failed tick is not retried (the next one takes over) but recorded in the dead-letter queue.
    stateless.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stacks.stateless.dispatch.tickFunction) },
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: deadLetters } },
    });
  });

  it('keeps one encrypted, TLS-only dead-letter queue for 14 days, fed by every retried path of the stack', () => {
    const deadLetters = deadLettersArn();
    const queueId = logicalId(stacks.stateless.deadLetters);
    // Two queues in all: the dispatch queue (shards and confirmations) and the one dead-letter queue.
    expect(Object.keys(stateless.findResources('AWS::SQS::Queue')).sort()).toEqual(
      [logicalId(stacks.stateless.dispatch.queue), queueId].sort(),
    );
    expect(propertiesOf(stateless, stacks.stateless.deadLetters)).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // SQS: a dispatch shard that failed three times.
    expect(propertiesOf(stateless, stacks.stateless.dispatch.queue).RedrivePolicy).toEqual({
      deadLetterTargetArn: deadLetters,
      maxReceiveCount: 3,
    });
    // EventBridge: every rule target (the schedule and the SES events rule) that could not be invoked.
    const targets = Object.values(stateless.findResources('AWS::Events::Rule')).flatMap(
      (rule) => rule.Properties.Targets as { Arn: unknown; DeadLetterConfig?: unknown }[],
    );
    expect(targets.map((t) => t.Arn)).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [logicalId(stacks.stateless.dispatch.tickFunction), 'Arn'] },
        { 'Fn::GetAtt': [logicalId(stacks.stateless.sesEvents.function), 'Arn'] },
      ]),
    );
    for (const target of targets) expect(target.DeadLetterConfig).toEqual({ Arn: deadLetters });
    // Lambda: the async invocations (dispatch tick, SES event) that still failed after their retries.
    const invokeConfigs = Object.values(stateless.findResources('AWS::Lambda::EventInvokeConfig')).map(
      (config) => config.Properties,
    );
    expect(invokeConfigs.map((config) => config.FunctionName).sort(byJson)).toEqual(
      [stacks.stateless.dispatch.tickFunction, stacks.stateless.sesEvents.function]
        .map((fn) => ({ Ref: logicalId(fn) }))
        .sort(byJson),
    );
    for (const config of invokeConfigs) {
      expect(config.DestinationConfig).toEqual({ OnFailure: { Destination: deadLetters } });
    }
    // Each of those may write to it.
    for (const fn of [stacks.stateless.dispatch.tickFunction, stacks.stateless.sesEvents.function]) {
      const sends = statementsOf(stateless, fn.role!).filter((s) => actions(s).includes('sqs:SendMessage'));
      expect(sends.flatMap((s) => [s.Resource].flat())).toContainEqual(deadLetters);
    }
  });

  it('lets the functions send email only as the course identity through its configuration set', () => {
    const { stateless: stack, stateful: data } = stacks;
    const expected = [
      stack.resolve(data.emailIdentity.emailIdentityArn),
      stack.resolve(data.shared.sending.configurationSetArn),
    ];
    const events = statementsOf(stateless, stacks.stateless.sesEvents.function.role!);
    expect(events.flatMap(actions).filter((a) => a.startsWith('ses:'))).toEqual([]);
    for (const fn of senders()) {
      const ses = statementsOf(stateless, fn.role!).filter((s) =>
        actions(s).some((a) => a.startsWith('ses:')),
      );
      expect(ses).toHaveLength(1);
      expect(actions(ses[0]!)).toEqual(['ses:SendEmail']);
      expect(ses[0]!.Resource).toEqual(expect.arrayContaining(expected));
      expect(ses[0]!.Resource).toHaveLength(2);
      // From the course address only: not any address at the domain.
      expect((ses[0] as Statement & { Condition: unknown }).Condition).toEqual({
        StringEquals: { 'ses:FromAddress': ['course@course.example.com'] },
      });
    }
  });

  it('gives each function the table actions its code uses, and Query only on the indexes it queries', () => {
    const { stateless: stack, stateful: data } = stacks;
    const table = stack.resolve(data.table.tableArn);
    const index = (name: string) => stack.resolve(`${data.table.tableArn}/index/${name}`);
    /** `action on resource` for every DynamoDB statement of a function's role, conditions noted. */
    const grants = (fn: IConstruct & { role?: IConstruct }) =>
      statementsOf(stateless, fn.role!)
        .filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')))
        .flatMap((s) =>
          actions(s).flatMap((a) =>
            [s.Resource].flat().map((r) => {
              const where = JSON.stringify(r) === JSON.stringify(table) ? 'table' : JSON.stringify(r);
              const condition = (s as Statement & { Condition?: unknown }).Condition;
              return `${a} on ${where}${condition ? ` if ${JSON.stringify(condition)}` : ''}`;
            }),
          ),
        )
        .sort();
    const on = (name: string) => JSON.stringify(index(name));
    // The API also serves the manage page and the console: it queries partitions and the question queue,
    // and deletes console sessions and saved replies, but never a suppression or a counter.
    expect(grants(stacks.stateless.site.function)).toEqual([
      'dynamodb:DeleteItem on table if {"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["SUB#*","CONSOLE*"]}}',
      'dynamodb:GetItem on table',
      'dynamodb:PutItem on table',
      'dynamodb:Query on table',
      `dynamodb:Query on ${on('open-questions')}`,
      'dynamodb:UpdateItem on table',
    ]);
    expect(grants(stacks.stateless.dispatch.tickFunction)).toEqual([
      'dynamodb:GetItem on table',
      'dynamodb:Query on table',
      `dynamodb:Query on ${on('open-questions')}`,
      'dynamodb:UpdateItem on table',
    ]);
    expect(grants(stacks.stateless.dispatch.workerFunction)).toEqual([
      'dynamodb:GetItem on table',
      'dynamodb:PutItem on table',
      `dynamodb:Query on ${on('due')}`,
      'dynamodb:UpdateItem on table',
    ]);
    expect(grants(stacks.stateless.sesEvents.function)).toEqual([
      'dynamodb:GetItem on table',
      'dynamodb:PutItem on table',
      'dynamodb:UpdateItem on table',
    ]);
    expect(INDEXES.map((i) => i.name).sort()).toEqual(['due', 'open-questions']);
    for (const fn of functions()) {
      const all = grants(fn).join('\n');
      for (const never of ['Scan', 'BatchWriteItem', 'BatchGetItem', 'ConditionCheckItem'])
        expect(all).not.toContain(never);
    }
  });

  it('gives the signing secret only to the functions that sign or verify', () => {
    const secret = stacks.stateless.resolve(stacks.stateful.shared.signingSecret.secretArn);
    const reads = (fn: IConstruct & { role?: IConstruct }) =>
      statementsOf(stateless, fn.role!).some(
        (s) =>
          actions(s).includes('secretsmanager:GetSecretValue') &&
          JSON.stringify(s.Resource) === JSON.stringify(secret),
      );
    expect(functions().filter(reads)).toEqual(
      functions().filter((fn) => fn !== stacks.stateless.sesEvents.function),
    );
  });

  it('logs API requests without the client IP', () => {
    const stage = Object.values(stateless.findResources('AWS::ApiGatewayV2::Stage'))[0]!;
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(Object.keys(format)).toContain('requestId');
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/sourceIp|identity|userAgent|\bip\b/i);
  });

  it('sizes the dispatch queue to its worker: visibility at least 6x the timeout, retention past every redelivery, reserved concurrency = workers', () => {
    const queue = propertiesOf(stateless, stacks.stateless.dispatch.queue);
    const worker = propertiesOf(stateless, stacks.stateless.dispatch.workerFunction);
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * worker.Timeout);
    expect(queue.MessageRetentionPeriod).toBeGreaterThan(
      queue.RedrivePolicy.maxReceiveCount * queue.VisibilityTimeout,
    );
    expect(worker.ReservedConcurrentExecutions).toBe(Number(worker.Environment.Variables.DISPATCH_WORKERS));
  });

  it('grants nothing on Resource "*"', () => {
    for (const policy of Object.values(stateless.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
        expect([statement.Resource].flat()).not.toContain('*');
      }
    }
  });

  it('has exactly four alarms in the whole app, each by email: API 5xx, dead letters, SES bounce and complaint rates', () => {
    const alarmsOf = (stack: Stack) =>
      Object.entries(
        (assembly.getStackArtifact(stack.artifactId).template.Resources ?? {}) as Record<
          string,
          { Type: string; Properties: Record<string, unknown> }
        >,
      ).filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm');
    expect(alarmsOf(stacks.stateful)).toEqual([]);
    expect(alarmsOf(stacks.inbound)).toEqual([]);
    const alarms = Object.fromEntries(
      alarmsOf(stacks.stateless).map(([id, resource]) => [
        id.replace(/^Alarms|[0-9A-F]{8}$/g, ''),
        resource.Properties,
      ]),
    ) as Record<string, ReturnType<Template['toJSON']>>;
    expect(Object.keys(alarms).sort()).toEqual(['Api5xx', 'BounceRate', 'ComplaintRate', 'DeadLetters']);
    expect(Object.fromEntries(Object.entries(alarms).map(([id, a]) => [id, a.AlarmDescription]))).toEqual({
      Api5xx: 'The API answered with a server error (API function errors and timeouts show up here as 5xx)',
      DeadLetters:
        'Something could not be handled after retries (a dispatch shard or tick, an SES event, an inbound ' +
        'message): look in the dead-letter queue; each message says where it came from',
      BounceRate: 'SES bounce rate reached 4 % (SES reviews the account at 5 %)',
      ComplaintRate: 'SES complaint rate reached 0.08 % (SES reviews the account at 0.1 %)',
    });
    for (const alarm of Object.values(alarms)) {
      expect(alarm.AlarmActions).toEqual([{ Ref: logicalId(stacks.stateless.alarms.topic) }]);
      expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(alarm.EvaluationPeriods).toBe(1);
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
    // Any server error of the API, over five minutes.
    expect(alarms.Api5xx).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(stacks.stateless.api) } }],
    });
    // Any message in the one dead-letter queue.
    expect(alarms.DeadLetters).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1,
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(stacks.stateless.deadLetters), 'QueueName'] },
        },
      ],
    });
    // A step before SES's own review thresholds (5 % bounces, 0.1 % complaints).
    expect(alarms.BounceRate).toMatchObject({ MetricName: 'Reputation.BounceRate', Threshold: 0.04 });
    expect(alarms.ComplaintRate).toMatchObject({
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.0008,
    });
    // No per-function error alarms: a function failure is a 5xx or, after its retries, a dead letter.
    expect(Object.values(alarms).map((a) => a.MetricName)).not.toContain('Errors');
    stateless.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});

describe('the cost model (npm run cost)', () => {
  it('bills every alarm the app synthesises, and stays within 15 % of the SES floor at 10,000 subscribers', () => {
    const alarms = assembly.stacks
      .flatMap((stack) => Object.values((stack.template.Resources ?? {}) as Record<string, { Type: string }>))
      .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm').length;
    const printed = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'test/bench/cost.ts', '--subscribers', '10000'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(printed).toMatch(new RegExp(`CloudWatch Logs \\+ ${alarms} alarms`));
    const above = Number(printed.match(/total is ([\d.]+)% above the SES floor/)?.[1]);
    expect(above).toBeGreaterThan(0);
    expect(above).toBeLessThanOrEqual(15);
  });
});

describe('SES events', () => {
  it('publishes bounces, complaints, deliveries, rejects and rendering failures to the default event bus', () => {
    const destinations = Object.values(stateful.findResources('AWS::SES::ConfigurationSetEventDestination'));
    expect(destinations).toHaveLength(1);
    const { EventDestination, ConfigurationSetName } = destinations[0]!.Properties;
    expect(ConfigurationSetName).toEqual({ Ref: expect.stringMatching(/^ConfigurationSet/) });
    expect(EventDestination.Enabled).toBe(true);
    expect([...EventDestination.MatchingEventTypes].sort()).toEqual(
      ['bounce', 'complaint', 'delivery', 'reject', 'renderingFailure'].sort(),
    );
    expect(JSON.stringify(EventDestination.EventBridgeDestination.EventBusArn)).toContain(
      ':event-bus/default',
    );
  });

  it('sends the events of the course configuration set to the events function; one still failing after retries becomes a dead letter', () => {
    const fn = stacks.stateless.sesEvents.function;
    expect(propertiesOf(stateless, fn)).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    const rules = Object.values(stateless.findResources('AWS::Events::Rule')).map((r) => r.Properties);
    const rule = rules.find((r) => r.EventPattern?.source?.[0] === 'aws.ses');
    expect(rule?.EventPattern.detail.mail.tags['ses:configuration-set']).toHaveLength(1);
    expect(rule?.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalId(fn), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: deadLettersArn() },
      }),
    ]);
    // A failing invocation is retried by Lambda, then parked in the same queue instead of dropped.
    stateless.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(fn) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: deadLettersArn() } },
    });
    stateless.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [logicalId(fn), 'Arn'] },
    });
  });

  it("keeps only Lambda's warnings, not its per-invocation lines, for the events function invoked once per email", () => {
    const functionsOf = (stack: typeof stateless) =>
      Object.entries(stack.findResources('AWS::Lambda::Function')).filter(
        ([, r]) => r.Properties.Runtime === 'nodejs22.x',
      );
    const [, events] = functionsOf(stateless).find(
      ([id]) => id === logicalId(stacks.stateless.sesEvents.function),
    )!;
    expect(events.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', SystemLogLevel: 'WARN' });
    const others = [...functionsOf(stateless), ...functionsOf(Template.fromStack(stacks.inbound))].filter(
      ([, r]) => r !== events,
    );
    expect(others.length).toBeGreaterThan(3);
    for (const [, fn] of others) expect(fn.Properties.LoggingConfig?.SystemLogLevel).toBeUndefined();
  });
});

describe('DMARC', () => {
  it('publishes p=none for the course domain by default when a hosted zone is given', () => {
    stateful.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'TXT',
      Name: '_dmarc.course.example.com.',
      HostedZoneId: CONTEXT.hostedZoneId,
      ResourceRecords: ['"v=DMARC1; p=none; adkim=r; aspf=r"'],
    });
  });

  it('publishes the policy given as dmarcPolicy, and prints every record to create when there is no zone', () => {
    const { hostedZoneId: _id, hostedZoneName: _name, ...withoutZone } = CONTEXT;
    const bare = testApp({ ...withoutZone, dmarcPolicy: 'quarantine' });
    const built = buildCourseApp(
      bare,
      readCourseContext((key) => bare.node.tryGetContext(key)),
    );
    const template = Template.fromStack(built.stateful);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.DmarcRecordOutput?.Value).toBe(
      '_dmarc.course.example.com TXT "v=DMARC1; p=quarantine; adkim=r; aspf=r"',
    );
    expect(JSON.stringify(outputs.MailFromRecords?.Value)).toContain('v=spf1 include:amazonses.com ~all');
    expect(Object.keys(outputs).filter((key) => key.startsWith('DkimRecord'))).toHaveLength(3);
  });

  it('publishes rua= when a report address is given, so the policy can be tightened on evidence', () => {
    const { hostedZoneId: _id, hostedZoneName: _name, ...withoutZone } = CONTEXT;
    const withReports = testApp({ ...withoutZone, dmarcReportAddress: 'dmarc@example.com' });
    const built = buildCourseApp(
      withReports,
      readCourseContext((key) => withReports.node.tryGetContext(key)),
    );
    const outputs = Template.fromStack(built.stateful).toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.DmarcRecordOutput?.Value).toBe(
      '_dmarc.course.example.com TXT "v=DMARC1; p=none; adkim=r; aspf=r; rua=mailto:dmarc@example.com"',
    );
    expect(() => readCourseContext((key) => ({ ...CONTEXT, dmarcReportAddress: 'reports' })[key])).toThrow(
      /"dmarcReportAddress" must be an email address/,
    );
  });

  it('refuses a DMARC policy that is not none, quarantine or reject', () => {
    expect(() => readCourseContext((key) => ({ ...CONTEXT, dmarcPolicy: 'strict' })[key])).toThrow(
      /"dmarcPolicy" must be one of none, quarantine, reject/,
    );
  });
});

describe('validation', () => {
  it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });

  it('passes every validation plugin of the synth (cdk-nag and the CloudFormation rules)', () => {
    expect(validationPluginReports(assembly)).toEqual([]);
  });

  it('records no construct errors or warnings in either stack', () => {
    // Read from the assembly already synthesised: Annotations.fromStack would synthesise again.
    for (const stack of [stacks.stateful, stacks.stateless]) {
      expect(constructProblems(assembly, stack)).toEqual([]);
    }
  });
});

describe('deployment context', () => {
  const given = (context: Record<string, string>) => () => readCourseContext((key) => context[key]);
  const errorOf = (context: Record<string, string>): ContextError => {
    try {
      given(context)();
    } catch (error) {
      if (error instanceof ContextError) return error;
    }
    throw new Error('expected a ContextError');
  };

  const { hostedZoneName: _zoneName, ...withoutZoneName } = CONTEXT;
  it.each([
    { problem: 'a required key is missing', context: { domain: 'course.example.com' }, key: 'fromAddress' },
    {
      problem: 'the domain is not a domain name',
      context: { ...CONTEXT, domain: 'not a domain' },
      key: 'domain',
    },
    {
      problem: 'the from address is outside the SES identity',
      context: { ...CONTEXT, fromAddress: 'me@elsewhere.com' },
      key: 'fromAddress',
    },
    {
      problem: 'the expert address is not one',
      context: { ...CONTEXT, expertAddress: 'coach' },
      key: 'expertAddress',
    },
    { problem: 'a zone id comes without its name', context: withoutZoneName, key: 'hostedZoneName' },
    {
      problem: 'the zone does not hold the domain',
      context: { ...CONTEXT, hostedZoneName: 'other.org' },
      key: 'hostedZoneName',
    },
    {
      problem: 'the reply domain is outside the sending domain',
      context: { ...CONTEXT, replyDomain: 'reply.elsewhere.org' },
      key: 'replyDomain',
    },
    {
      problem: 'the reply domain only ends like the sending domain',
      context: { ...CONTEXT, replyDomain: 'evilcourse.example.com' },
      key: 'replyDomain',
    },
    {
      problem: 'the alarm email is not an address',
      context: { ...CONTEXT, alarmEmail: 'ops' },
      key: 'alarmEmail',
    },
  ])('names "$key" with an example when $problem', ({ context, key }) => {
    const error = errorOf(context);
    expect(error.key).toBe(key);
    expect(error.message).toContain(`"${key}"`);
    expect(error.message).toContain(`-c ${key}=`);
  });

  it.each([
    { key: 'alarmEmail', value: 3 },
    { key: 'inboundRetentionDays', value: 'a month' },
    { key: 'hostedZoneId', value: 'not-a-zone' },
  ])('names "$key" and shows the bad value when it is $value', ({ key, value }) => {
    const read = () => readCourseContext((k) => (k === key ? value : CONTEXT[k as keyof typeof CONTEXT]));
    expect(read).toThrow(
      new RegExp(`^CDK context "${key}" .*, got "${value}"\\. Pass it like: .*-c ${key}=`),
    );
  });

  it('warns at synth, by name, when no alarm address is given: the alarms would notify nobody', () => {
    const { alarmEmail: _alarm, ...withoutAlarm } = CONTEXT;
    const quiet = testApp(withoutAlarm);
    const built = buildCourseApp(
      quiet,
      readCourseContext((key) => quiet.node.tryGetContext(key)),
    );
    const problems = constructProblems(quiet.synth(), built.stateless);
    expect(problems).toEqual([
      expect.stringMatching(
        /Alarms: No alarm address: .*-c alarmEmail=.*\[ack: course:alarms-notify-nobody\]/,
      ),
    ]);
  });

  it('refuses to build the inbound stack in a region where SES receives no email', () => {
    expect(() => checkReceivingRegion('eu-central-1')).toThrow(
      /SES does not receive email in eu-central-1: .*eu-west-1/,
    );
    for (const region of ['us-east-1', 'us-west-2', 'eu-west-1'])
      expect(() => checkReceivingRegion(region)).not.toThrow();
    const previous = process.env.CDK_DEFAULT_REGION;
    process.env.CDK_DEFAULT_REGION = 'ap-south-1';
    try {
      // With the site's us-east-1 certificate given, so the site (CloudFront) is not what refuses first.
      const elsewhere = testApp({
        ...CONTEXT,
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      });
      expect(() =>
        buildCourseApp(
          elsewhere,
          readCourseContext((key) => elsewhere.node.tryGetContext(key)),
        ),
      ).toThrow(/SES does not receive email in ap-south-1/);
    } finally {
      if (previous === undefined) delete process.env.CDK_DEFAULT_REGION;
      else process.env.CDK_DEFAULT_REGION = previous;
    }
  });

  it('defaults the reply domain to reply.<domain>', () => {
    const { hostedZoneId: _id, hostedZoneName: _name, ...withoutZone } = CONTEXT;
    expect(given(withoutZone)()).toMatchObject({
      replyDomain: 'reply.course.example.com',
      placeholder: false,
    });
  });

  it('synthesises example.com placeholders without context, in templates that refuse to deploy', () => {
    const bare = testApp();
    const context = readCourseContext((key) => bare.node.tryGetContext(key));
    expect(context).toMatchObject({ domain: 'course.example.com', placeholder: true });
    const placeholderStacks = buildCourseApp(bare, context);
    for (const stack of [placeholderStacks.stateful, placeholderStacks.stateless]) {
      const template = Template.fromStack(stack).toJSON();
      expect(template.Parameters.ContextMode.Default).toBe('placeholder');
      expect(template.Rules.RealContextRequired.Assertions).toEqual([
        expect.objectContaining({ Assert: { 'Fn::Equals': [{ Ref: 'ContextMode' }, 'real'] } }),
      ]);
    }
    expect(Object.keys(stateful.toJSON().Rules ?? {})).not.toContain('RealContextRequired');
  });

  it('fans the dispatcher out: the tick enqueues shards, at most 4 workers take them, failures go to a DLQ', () => {
    const tick = propertiesOf(stateless, stacks.stateless.dispatch.tickFunction).Environment.Variables;
    expect(tick.DISPATCH_QUEUE_URL).toEqual({ Ref: logicalId(stacks.stateless.dispatch.queue) });
    const worker = propertiesOf(stateless, stacks.stateless.dispatch.workerFunction).Environment.Variables;
    expect(worker.DISPATCH_WORKERS).toBe('4');
    // The workers also send the confirmations signups queue there, and queue a throttled one again.
    expect(worker.DISPATCH_QUEUE_URL).toEqual({ Ref: logicalId(stacks.stateless.dispatch.queue) });
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stacks.stateless.dispatch.workerFunction) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stacks.stateless.dispatch.queue), 'Arn'] },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 4 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const queue = propertiesOf(stateless, stacks.stateless.dispatch.queue);
    expect(queue.RedrivePolicy.maxReceiveCount).toBe(3);
    expect(queue.SqsManagedSseEnabled).toBe(true);
    // A shard in progress must stay hidden from other workers for longer than a worker can run.
    expect(queue.VisibilityTimeout).toBeGreaterThan(
      propertiesOf(stateless, stacks.stateless.dispatch.workerFunction).Timeout,
    );
  });
});
