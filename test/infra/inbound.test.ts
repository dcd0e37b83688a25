import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig, requireConfig } from '../../functions/config';
import { DECIDE_SOURCE } from '../../infra/active-rule-set';
import { ContextError, readCourseContext } from '../../infra/context';
import { buildCourseApp, type CourseStacks } from '../../infra/course-app';
import {
  constructProblems,
  logicalId,
  testApp,
  unacknowledgedNagFindings,
  validationPluginReports,
} from '../support/infra';

const CONTEXT = {
  domain: 'course.example.com',
  fromAddress: 'course@course.example.com',
  expertAddress: 'coach@example.com',
  backupAddress: 'backup@example.com',
  expertAddresses: 'coach@example.com, coach2@example.com',
  operatorAddresses: 'owner@example.com',
  postalAddress: '1 Main Street, Springfield',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com',
  alarmEmail: 'ops@example.com',
};
const {
  hostedZoneId: _id,
  hostedZoneName: _name,
  backupAddress: _backup,
  expertAddresses: _experts,
  operatorAddresses: _operators,
  ...WITHOUT_ZONE
} = CONTEXT;

const build = (app: App) =>
  buildCourseApp(
    app,
    readCourseContext((key) => app.node.tryGetContext(key)),
  );

type Json = ReturnType<Template['toJSON']>;
type Resource = {
  Type: string;
  /** As loosely typed as the template JSON itself. */
  Properties: Json;
  DependsOn?: string[];
  DeletionPolicy?: string;
};
type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

const actions = (statement: Statement) => [statement.Action].flat();
const resourceOf = (template: Template, construct: IConstruct) =>
  template.toJSON().Resources[logicalId(construct)] as Resource;
const ofType = (template: Template, type: string) =>
  Object.values(template.findResources(type)) as Resource[];

let app: App;
let stacks: CourseStacks;
let assembly: CloudAssembly;
let stateful: Template;
let stateless: Template;
let inbound: Template;
/** Synthesised without a hosted zone or backup address, with a 7-day retention. */
let bare: CourseStacks;

beforeAll(() => {
  app = testApp(CONTEXT);
  stacks = build(app);
  assembly = app.synth();
  stateful = Template.fromStack(stacks.stateful);
  stateless = Template.fromStack(stacks.stateless);
  inbound = Template.fromStack(stacks.inbound);
  bare = build(testApp({ ...WITHOUT_ZONE, inboundRetentionDays: '7' }));
}, 120_000);

describe('the inbound mail bucket (stateful stack)', () => {
  const bucket = () => resourceOf(stateful, stacks.stateful.inboundMail.bucket);
  const policyStatements = () =>
    resourceOf(stateful, stacks.stateful.inboundMail.bucket.policy!).Properties.PolicyDocument
      .Statement as Statement[];

  it('is private, SSE-S3 encrypted, unversioned, logged, and retained', () => {
    const { Properties, DeletionPolicy } = bucket();
    expect(Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(Properties.VersioningConfiguration).toBeUndefined();
    expect(Properties.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect(Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logicalId(stacks.stateful.inboundMail.accessLogs) },
      LogFilePrefix: 'inbound-mail/',
    });
    expect(DeletionPolicy).toBe('Retain');
  });

  it('expires message bodies under inbound/ and raw/ after inboundRetentionDays (default 30)', () => {
    const rules = (template: Template, construct: IConstruct) =>
      resourceOf(template, construct).Properties.LifecycleConfiguration.Rules;
    expect(rules(stateful, stacks.stateful.inboundMail.bucket)).toEqual([
      expect.objectContaining({ Prefix: 'inbound/', ExpirationInDays: 30, Status: 'Enabled' }),
      expect.objectContaining({ Prefix: 'raw/', ExpirationInDays: 30, Status: 'Enabled' }),
    ]);
    expect(rules(Template.fromStack(bare.stateful), bare.stateful.inboundMail.bucket)).toEqual([
      expect.objectContaining({ Prefix: 'inbound/', ExpirationInDays: 7, Status: 'Enabled' }),
      expect.objectContaining({ Prefix: 'raw/', ExpirationInDays: 7, Status: 'Enabled' }),
    ]);
  });

  it('refuses requests without TLS', () => {
    expect(policyStatements()).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('lets SES write to inbound/ only, for our receipt rule in our account only', () => {
    const allows = policyStatements().filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    const [ses] = allows;
    expect(ses!.Principal).toEqual({ Service: 'ses.amazonaws.com' });
    expect(actions(ses!)).toEqual(['s3:PutObject']);
    expect(ses!.Resource).toEqual({
      'Fn::Join': [
        '',
        [{ 'Fn::GetAtt': [logicalId(stacks.stateful.inboundMail.bucket), 'Arn'] }, '/inbound/*'],
      ],
    });
    expect(ses!.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    const { receiptRuleSetName, receiptRuleName } = stacks.stateful.inboundMail;
    expect(JSON.stringify(ses!.Condition?.StringEquals?.['aws:SourceArn'])).toContain(
      `:receipt-rule-set/${receiptRuleSetName}:receipt-rule/${receiptRuleName}`,
    );
  });

  it('keeps its access logs in a private, encrypted, TLS-only bucket for 90 days', () => {
    const logs = resourceOf(stateful, stacks.stateful.inboundMail.accessLogs);
    expect(logs.Properties.PublicAccessBlockConfiguration.RestrictPublicBuckets).toBe(true);
    expect(logs.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(logs.Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ ExpirationInDays: 90 }),
    ]);
    const statements = resourceOf(stateful, stacks.stateful.inboundMail.accessLogs.policy!).Properties
      .PolicyDocument.Statement as Statement[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('the receipt rule (inbound stack)', () => {
  const rule = () => resourceOf(inbound, stacks.inbound.inbound.rule).Properties;
  const fn = () => stacks.inbound.inbound.function;
  const variables = () =>
    resourceOf(inbound, fn()).Properties.Environment.Variables as Record<string, unknown>;

  it('lives in a rule set named as the bucket policy expects', () => {
    const { receiptRuleSetName, receiptRuleName } = stacks.stateful.inboundMail;
    expect(resourceOf(inbound, stacks.inbound.inbound.ruleSet).Properties).toEqual({
      RuleSetName: receiptRuleSetName,
    });
    expect(rule().RuleSetName).toEqual({ Ref: logicalId(stacks.inbound.inbound.ruleSet) });
    expect(rule().Rule.Name).toBe(receiptRuleName);
  });

  it('takes mail for the reply domain, scanned, over TLS only', () => {
    expect(rule().Rule).toMatchObject({
      Enabled: true,
      Recipients: ['reply.course.example.com'],
      ScanEnabled: true,
      TlsPolicy: 'Require',
    });
  });

  it('stores the message in the bucket under inbound/, then invokes the function asynchronously', () => {
    const [store, invoke, ...rest] = rule().Rule.Actions as Json[];
    expect(rest).toEqual([]);
    expect(Object.keys(store!)).toEqual(['S3Action']);
    expect(store!.S3Action).toEqual({ BucketName: variables().INBOUND_BUCKET, ObjectKeyPrefix: 'inbound/' });
    // The bucket the rule writes to, the function reads from and the stateful stack creates are one.
    expect(resourceOf(stateful, stacks.stateful.inboundMail.bucket).Properties.BucketName).toEqual(
      store!.S3Action.BucketName,
    );
    expect(invoke).toEqual({
      LambdaAction: { FunctionArn: { 'Fn::GetAtt': [logicalId(fn()), 'Arn'] }, InvocationType: 'Event' },
    });
  });

  it('lets only SES, for this rule in this account, invoke the function; the rule waits for that', () => {
    const permissions = ofType(inbound, 'AWS::Lambda::Permission').filter(
      (p) => p.Properties.Principal === 'ses.amazonaws.com',
    );
    expect(permissions).toHaveLength(1);
    const { Properties } = permissions[0]!;
    expect(Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [logicalId(fn()), 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    const bucketPolicy = resourceOf(stateful, stacks.stateful.inboundMail.bucket.policy!).Properties
      .PolicyDocument.Statement as Statement[];
    const sesWrite = bucketPolicy.find((s) => s.Effect === 'Allow');
    expect(Properties.SourceArn).toEqual(sesWrite?.Condition?.StringEquals?.['aws:SourceArn']);
    expect(resourceOf(inbound, stacks.inbound.inbound.rule).DependsOn).toEqual(
      expect.arrayContaining([Object.keys(inbound.findResources('AWS::Lambda::Permission'))[0]]),
    );
  });

  it('activates the rule set through its own function once the rule exists, replacing another set only if told', () => {
    const [activation] = ofType(inbound, 'Custom::SesActiveReceiptRuleSet');
    const { receiptRuleSetName } = stacks.stateful.inboundMail;
    expect(activation!.Properties).toMatchObject({ RuleSetName: receiptRuleSetName, ReplaceActive: 'false' });
    expect(activation!.DependsOn).toContain(logicalId(stacks.inbound.inbound.rule));
    const token = activation!.Properties.ServiceToken as { 'Fn::GetAtt': [string, string] };
    const fn = inbound.toJSON().Resources[token['Fn::GetAtt'][0]];
    expect(token['Fn::GetAtt'][1]).toBe('Arn');
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
    expect(JSON.stringify(fn.Properties.Code)).toContain('DescribeActiveReceiptRuleSetCommand');
    // Its role may describe and set the active set (no resource-level permissions exist), and nothing else on "*".
    const policies = ofType(inbound, 'AWS::IAM::Policy').flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Statement[],
    );
    const wildcard = policies.filter((s) => [s.Resource].flat().includes('*'));
    expect(wildcard.flatMap(actions).sort()).toEqual([
      'ses:DescribeActiveReceiptRuleSet',
      'ses:SetActiveReceiptRuleSet',
    ]);
    const told = build(testApp({ ...CONTEXT, replaceActiveRuleSet: 'true' }));
    expect(
      ofType(Template.fromStack(told.inbound), 'Custom::SesActiveReceiptRuleSet')[0]!.Properties
        .ReplaceActive,
    ).toBe('true');
  });

  describe('what the activation decides', () => {
    const decide = new Function(`${DECIDE_SOURCE}; return decide;`)() as (
      type: string,
      ours: string,
      names: string[],
      active: string | undefined,
      replace: boolean,
    ) => { action: string; reason: string };

    it.each([
      ['Create', undefined, false, 'activate'],
      ['Create', 'ours', false, 'none'],
      ['Create', 'theirs', false, 'refuse'],
      ['Create', 'theirs', true, 'activate'],
      ['Update', 'old-ours', false, 'activate'],
      ['Update', 'theirs', false, 'refuse'],
      ['Delete', 'ours', false, 'deactivate'],
      ['Delete', 'old-ours', false, 'deactivate'],
      ['Delete', 'theirs', false, 'none'],
      ['Delete', 'theirs', true, 'none'],
      ['Delete', undefined, false, 'none'],
    ])('on %s with %s active (replace: %s): %s', (type, active, replace, action) => {
      expect(decide(type, 'ours', ['ours', 'old-ours'], active, replace).action).toBe(action);
    });

    it('names the active set and the flag when it refuses', () => {
      expect(decide('Create', 'ours', ['ours'], 'theirs', false).reason).toMatch(
        /"theirs" is active.*-c replaceActiveRuleSet=true/,
      );
    });
  });
});

describe('the inbound function', () => {
  const fn = () => stacks.inbound.inbound.function;
  const properties = () => resourceOf(inbound, fn()).Properties;
  const statements = () =>
    resourceOf(inbound, fn().role!.node.findChild('DefaultPolicy')).Properties.PolicyDocument
      .Statement as Statement[];

  it('runs inbound.ts on Node.js 22, arm64, 512 MB, 30 seconds', () => {
    expect(properties()).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 30,
    });
  });

  it("has every variable the handler requires, and they pass the functions' own config validation", () => {
    const variables = properties().Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'SIGNING_SECRET_ARN', 'CONFIGURATION_SET', 'INBOUND_BUCKET']),
    );
    expect(variables).toMatchObject({
      SITE_URL: 'https://course.example.com',
      FROM_ADDRESS: 'course@course.example.com',
      POSTAL_ADDRESS: '1 Main Street, Springfield',
      REPLY_DOMAIN: 'reply.course.example.com',
      EXPERT_ADDRESS: 'coach@example.com',
      BACKUP_ADDRESS: 'backup@example.com',
      INBOUND_PREFIX: 'inbound/',
    });
    // Source maps are not enabled at run time: parsing them costs every cold start about 50 ms.
    expect('NODE_OPTIONS' in variables).toBe(false);
    const env = Object.fromEntries(
      Object.entries(variables).map(([key, value]) => [key, typeof value === 'string' ? value : `x-${key}`]),
    );
    expect(() => requireConfig(readConfig(env), ['EXPERT_ADDRESS', 'INBOUND_BUCKET'])).not.toThrow();
  });

  it('leaves BACKUP_ADDRESS out when none is given', () => {
    const template = Template.fromStack(bare.inbound);
    const variables = resourceOf(template, bare.inbound.inbound.function).Properties.Environment.Variables;
    expect(variables.EXPERT_ADDRESS).toBe('coach@example.com');
    expect('BACKUP_ADDRESS' in variables).toBe(false);
  });

  it('may read and delete raw messages under inbound/ and file them under raw/, and nothing else in S3', () => {
    const s3 = statements().filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    const byPrefix = Object.fromEntries(
      s3.map((statement) => {
        const parts = (statement.Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
        // The bucket is named, not wildcarded: `<bucket name>/<prefix>*`.
        expect(JSON.stringify(parts)).toContain(':s3:::notaboutyou-stateful-inbound-');
        return [parts.at(-1), actions(statement).sort()];
      }),
    );
    expect(byPrefix).toEqual({
      '/inbound/*': ['s3:DeleteObject', 's3:GetObject'],
      '/raw/*': ['s3:PutObject'],
    });
  });

  it('uses the table by key and partition only (no index, no delete) and sends only as the course address', () => {
    const dynamo = statements().filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap(actions).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(dynamo.map((s) => s.Resource))).not.toContain('/index/');
    const send = statements().find((s) => actions(s).includes('ses:SendEmail')) as { Condition?: unknown };
    expect(send?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': ['course@course.example.com'] } });
  });

  it('uses the table, its secret and SES send through CourseFunction, and nothing on "*"', () => {
    const all = statements().flatMap(actions);
    expect(all).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query', 'ses:SendEmail']));
    expect(all).not.toContain('dynamodb:Scan');
    expect(all).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue']));
    for (const statement of statements()) expect([statement.Resource].flat()).not.toContain('*');
  });

  it("sends an invocation still failing after two retries to the stateless stack's dead-letter queue", () => {
    const [config, ...others] = ofType(inbound, 'AWS::Lambda::EventInvokeConfig').map((c) => c.Properties);
    expect(others).toEqual([]);
    expect(config).toMatchObject({
      FunctionName: { Ref: logicalId(fn()) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
    });
    // The queue arrives as a cross-stack reference (weak, per cdk.json): an output of the stateless stack
    // that holds the ARN of its one dead-letter queue.
    const destination = config!.DestinationConfig.OnFailure.Destination;
    expect(destination).toEqual({
      'Fn::GetStackOutput': {
        StackName: stacks.stateless.stackName,
        Region: { Ref: 'AWS::Region' },
        OutputName: expect.any(String),
      },
    });
    const outputs = stateless.toJSON().Outputs as Record<string, Json>;
    expect(outputs[destination['Fn::GetStackOutput'].OutputName]?.Value).toEqual({
      'Fn::GetAtt': [logicalId(stacks.stateless.deadLetters), 'Arn'],
    });
    // The function may write to it, and the inbound stack keeps no queue of its own.
    const sends = statements().filter((s) => actions(s).includes('sqs:SendMessage'));
    expect(sends.flatMap((s) => [s.Resource].flat())).toEqual([destination]);
    expect(ofType(inbound, 'AWS::SQS::Queue')).toEqual([]);
  });

  it('has no alarms of its own: a failure that outlasts its retries is a dead letter, alarmed in the stateless stack', () => {
    expect(ofType(inbound, 'AWS::CloudWatch::Alarm')).toEqual([]);
    expect(ofType(inbound, 'AWS::CloudWatch::CompositeAlarm')).toEqual([]);
  });
});

describe('the dispatch function', () => {
  it('gets the expert and backup addresses for the 24-hour sweep of open questions', () => {
    const variables = resourceOf(stateless, stacks.stateless.dispatch.tickFunction).Properties.Environment
      .Variables;
    expect(variables).toMatchObject({
      EXPERT_ADDRESS: 'coach@example.com',
      BACKUP_ADDRESS: 'backup@example.com',
    });
    const withoutBackup = resourceOf(Template.fromStack(bare.stateless), bare.stateless.dispatch.tickFunction)
      .Properties.Environment.Variables;
    expect(withoutBackup.EXPERT_ADDRESS).toBe('coach@example.com');
    expect('BACKUP_ADDRESS' in withoutBackup).toBe(false);
  });
});

describe('the API function (it serves the expert console)', () => {
  it('gets the lists of experts and operators who may sign in, and only the one expert when no list is given', () => {
    const variables = resourceOf(stateless, stacks.stateless.site.function).Properties.Environment.Variables;
    expect(variables).toMatchObject({
      EXPERT_ADDRESS: 'coach@example.com',
      EXPERT_ADDRESSES: 'coach@example.com, coach2@example.com',
      OPERATOR_ADDRESSES: 'owner@example.com',
      BACKUP_ADDRESS: 'backup@example.com',
    });
    const bareVariables = resourceOf(Template.fromStack(bare.stateless), bare.stateless.site.function)
      .Properties.Environment.Variables;
    expect(bareVariables.EXPERT_ADDRESS).toBe('coach@example.com');
    expect('EXPERT_ADDRESSES' in bareVariables || 'OPERATOR_ADDRESSES' in bareVariables).toBe(false);
  });

  it('refuses a staff list that is not comma-separated addresses, naming the key', () => {
    expect(() =>
      readCourseContext((key) => ({ ...CONTEXT, operatorAddresses: 'owner; admin' })[key]),
    ).toThrow(
      new ContextError(
        'operatorAddresses',
        'must be email addresses separated by commas, got "owner; admin"',
        'owner@example.com',
      ),
    );
  });
});

describe('the MX record of the reply domain', () => {
  it('points at SES inbound in the region, in the hosted zone when one is given', () => {
    const records = ofType(inbound, 'AWS::Route53::RecordSet').map((r) => r.Properties);
    expect(records).toEqual([
      expect.objectContaining({
        Type: 'MX',
        Name: 'reply.course.example.com.',
        HostedZoneId: CONTEXT.hostedZoneId,
        ResourceRecords: [
          { 'Fn::Join': ['', ['10 inbound-smtp.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        ],
      }),
    ]);
    expect(Object.keys(inbound.toJSON().Outputs ?? {})).toEqual([]);
  });

  it('is printed as an output to create by hand when there is no zone', () => {
    const template = Template.fromStack(bare.inbound);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    const outputs = Object.values(template.toJSON().Outputs ?? {}) as { Value: unknown }[];
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.Value).toEqual({
      'Fn::Join': [
        '',
        ['reply.course.example.com MX 10 inbound-smtp.', { Ref: 'AWS::Region' }, '.amazonaws.com'],
      ],
    });
  });
});

describe('validation', () => {
  it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });

  it('passes every validation plugin of the synth', () => {
    expect(validationPluginReports(assembly)).toEqual([]);
  });

  it('records no construct errors or warnings in the inbound stack', () => {
    expect(constructProblems(assembly, stacks.inbound)).toEqual([]);
  });

  it('refuses to deploy the inbound stack when synthesised from placeholders', () => {
    const placeholder = build(testApp());
    const template = Template.fromStack(placeholder.inbound).toJSON();
    expect(template.Parameters.ContextMode.Default).toBe('placeholder');
    expect(Object.keys(template.Rules)).toContain('RealContextRequired');
  });
});

describe('inbound context', () => {
  const errorOf = (context: Record<string, string>): ContextError => {
    try {
      readCourseContext((key) => context[key]);
    } catch (error) {
      if (error instanceof ContextError) return error;
    }
    throw new Error('expected a ContextError');
  };

  it('defaults the retention to 30 days and reads it from a string or a number', () => {
    expect(readCourseContext((key) => (WITHOUT_ZONE as Record<string, string>)[key])).toMatchObject({
      inboundRetentionDays: 30,
      backupAddress: undefined,
    });
    const given = (value: unknown) =>
      readCourseContext((key) =>
        key === 'inboundRetentionDays' ? value : CONTEXT[key as keyof typeof CONTEXT],
      );
    expect(given('14').inboundRetentionDays).toBe(14);
    expect(given(90).inboundRetentionDays).toBe(90);
  });

  it.each(['0', '-3', '1.5', 'a month'])('names inboundRetentionDays when it is "%s"', (value) => {
    const error = errorOf({ ...CONTEXT, inboundRetentionDays: value });
    expect(error.key).toBe('inboundRetentionDays');
    expect(error.message).toContain('-c inboundRetentionDays=');
  });

  it('names backupAddress when it is not an address', () => {
    expect(errorOf({ ...CONTEXT, backupAddress: 'backup' }).key).toBe('backupAddress');
  });

  it('refuses the MAIL FROM domain as the reply domain (its MX belongs to SES feedback)', () => {
    expect(errorOf({ ...CONTEXT, replyDomain: 'mail.course.example.com' }).key).toBe('replyDomain');
  });
});
