/**
 * Inbound mail ("ask the expert"): replies to `reply+…@<replyDomain>` and the expert's answers to
 * `answer+…@<replyDomain>` reach SES, which stores the raw MIME in S3 and then invokes the inbound
 * function (functions/handlers/inbound.ts) with the message id.
 *
 * Two halves, because they live in different stacks:
 * - `InboundMailStore` (stateful stack): the bucket that holds message bodies, with an expiry, and the
 *   bucket policy that lets exactly our receipt rule write to `inbound/`. It also fixes the names of the
 *   receipt rule set and rule, so that this policy can name the rule without a reference to the stack that
 *   creates it (which depends on the stateful stack, not the other way round).
 * - `InboundMail` (inbound stack): the function, the receipt rule set and rule (S3, then Lambda), the
 *   activation of the rule set, and the MX record. A message the function cannot handle after retries goes
 *   to the deployment's one dead-letter queue (stateless stack), which is alarmed there.
 */

import {
  Aws,
  CfnOutput,
  Duration,
  Names,
  RemovalPolicy,
  Stack,
  type StackProps,
  Token,
  Validations,
} from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { HostedZone, MxRecord } from 'aws-cdk-lib/aws-route53';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { type IReceiptRuleAction, ReceiptRule, ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { Lambda, LambdaInvocationType } from 'aws-cdk-lib/aws-ses-actions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INBOUND_MAIL_PREFIX } from '../functions/adapters/dynamo-table';
import { RAW_MAIL_PREFIX } from '../functions/adapters/s3-raw-mail-archive';
import { activeRuleSet } from './active-rule-set';
import type { CourseContext } from './context';
import { CourseFunction, expertEnvironment, type FunctionBase } from './course-function';

/** The key prefix the receipt rule stores messages under; the function reads `<prefix><SES message id>`. */
const INBOUND_PREFIX = INBOUND_MAIL_PREFIX;
/** Where messages are filed per subscriber (`raw/`), as the erasure code looks for them. */
const FILED_PREFIX = RAW_MAIL_PREFIX;

/** How long S3 server access logs of the inbound bucket are kept. */
const ACCESS_LOG_RETENTION_DAYS = 90;

/**
 * The regions where SES receives email (its `inbound-smtp.<region>.amazonaws.com` endpoints, from the SES
 * endpoints page of the AWS General Reference). Add a region here when AWS adds receiving there.
 */
export const SES_RECEIVING_REGIONS: readonly string[] = ['us-east-1', 'us-west-2', 'eu-west-1'];

/**
 * Refuses a region where SES does not receive email: the receipt rule set would deploy, but no mail
 * would ever arrive. A region unknown at synth (environment-agnostic) cannot be checked.
 */
export function checkReceivingRegion(region: string): void {
  if (Token.isUnresolved(region) || SES_RECEIVING_REGIONS.includes(region)) return;
  throw new Error(
    `SES does not receive email in ${region}: deploy the inbound stack in one of ${SES_RECEIVING_REGIONS.join(', ')} ` +
      '(e.g. CDK_DEFAULT_REGION=eu-west-1 or --profile with that region).',
  );
}

/** The receipt rule's name within its rule set. */
const RECEIPT_RULE_NAME = 'ask-the-expert';

/** Properties of the inbound-mail store. */
export interface InboundMailStoreProps {
  /** Days a raw message is kept under `inbound/` before S3 deletes it (validated with the context). */
  retentionDays: number;
}

/**
 * The bucket of raw inbound mail (message bodies: personal data) and the names of the receipt rule set and
 * rule allowed to write to it. Belongs in the stateful stack.
 */
export class InboundMailStore extends Construct {
  readonly bucket: Bucket;
  /**
   * `<stack name>-inbound-<account>-<region>`: fixed at synth time (account and region may be pseudo
   * parameters), so the inbound stack names the bucket without a cross-stack reference, and its IAM
   * statement has a known shape that the cdk-nag acknowledgement can name.
   */
  readonly bucketName: string;
  /** The server access logs of `bucket`: who read or wrote which message, kept 90 days. */
  readonly accessLogs: Bucket;
  readonly receiptRuleSetName: string;
  readonly receiptRuleName: string;
  /** `arn:…:ses:<region>:<account>:receipt-rule-set/<set>:receipt-rule/<rule>`: the only writer of the bucket. */
  readonly receiptRuleArn: string;

  constructor(scope: Construct, id: string, props: InboundMailStoreProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.bucketName = inboundBucketName(stack);
    // Unique per stack and path, stable across deploys, and a plain string known at synth time (SES names
    // allow letters, digits, dashes, at most 63 characters).
    this.receiptRuleSetName = Names.uniqueResourceName(this, { maxLength: 63, separator: '-' });
    this.receiptRuleName = RECEIPT_RULE_NAME;
    this.receiptRuleArn = stack.formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${this.receiptRuleSetName}:receipt-rule/${this.receiptRuleName}`,
    });
    const { retentionDays } = props;

    // Retained on stack deletion like the table: deleting the stack must not silently erase questions
    // still being answered. The objects themselves expire by lifecycle, so a retained bucket empties itself.
    const common = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // SSE-S3, not KMS: the SES S3 action with a customer key needs a key policy for SES, and S3 server
      // access logs can only be delivered to an SSE-S3 bucket.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: false,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...common,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(ACCESS_LOG_RETENTION_DAYS) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the server access logs of the inbound mail bucket; logging it would recurse.',
    });

    this.bucket = new Bucket(this, 'Bucket', {
      ...common,
      bucketName: this.bucketName,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'inbound-mail/',
      lifecycleRules: [
        {
          id: 'ExpireInboundMail',
          prefix: INBOUND_PREFIX,
          expiration: Duration.days(retentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        // Messages filed under their subscriber (`raw/<id>/`, so erasure finds them) expire the same way.
        { id: 'ExpireFiledMail', prefix: FILED_PREFIX, expiration: Duration.days(retentionDays) },
      ],
    });
    // What aws-ses-actions' S3 action would add, narrowed from "any SES rule of this account" to our rule.
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesReceiptRuleToStoreInboundMail',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${INBOUND_PREFIX}*`)],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': this.receiptRuleArn },
        },
      }),
    );
  }
}

/**
 * `<stack name>-inbound-<account>-<region>`: globally unique through the account and region, at most
 * 24 + 9 + 12 + 1 + 14 < 64 characters. A fixed name has one cost: after the stack is deleted, the
 * retained bucket must be emptied and deleted (or imported) before the stack can be created again.
 */
function inboundBucketName(stack: Stack): string {
  const prefix = stack.stackName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 24)
    .replace(/-+$/, '');
  return `${prefix}-inbound-${stack.account}-${stack.region}`;
}

/** The ARN of the raw messages (`<bucket>/inbound/*`), as seen from `scope`'s stack. */
export function inboundObjectsArn(
  store: InboundMailStore,
  scope: Construct,
  prefix = INBOUND_PREFIX,
): string {
  return `arn:${Stack.of(scope).partition}:s3:::${store.bucketName}/${prefix}*`;
}

/**
 * A resource as cdk-nag 3 spells it in a finding id (`Fn::Join` flattened, `Ref` as `<name>`), so that an
 * acknowledgement names exactly one finding rather than the whole rule.
 */
function nagResource(scope: Construct, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
    if (node && typeof node === 'object') {
      const join = (node as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      if (join) return join[1].map(visit).join(join[0]);
      const ref = (node as { Ref?: unknown }).Ref;
      if (ref !== undefined) return `<${visit(ref)}>`;
    }
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

/** Properties of the inbound-mail wiring. */
export interface InboundMailProps {
  /** The bucket and receipt names, from the stateful stack. */
  store: InboundMailStore;
  /** What every function is built on (stateless stack). */
  base: FunctionBase;
  /**
   * The reply domain (the rule's recipient; its MX record points at SES), the expert and backup
   * addresses, and the hosted zone the MX record goes to when it holds the reply domain (else printed).
   */
  context: CourseContext;
  /**
   * The deployment's dead-letter queue (stateless stack, alarmed there): where an invocation that still
   * fails after Lambda's retries goes, instead of vanishing.
   */
  deadLetters: IQueue;
}

/**
 * The inbound function, the receipt rule set (made active) with its one rule (S3, then Lambda), and the
 * MX record of the reply domain.
 */
export class InboundMail extends Construct {
  readonly function: CourseFunction;
  readonly ruleSet: ReceiptRuleSet;
  readonly rule: ReceiptRule;

  constructor(scope: Construct, id: string, props: InboundMailProps) {
    super(scope, id);
    const { store, base, context } = props;
    this.function = new CourseFunction(this, 'Function', {
      ...base,
      // Questions and counters by key, a subscriber's questions and sends by partition; no index.
      table: { table: base.table, actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem'] },
      handler: 'inbound',
      description: 'Turns replies into questions for the expert, and the expert’s replies into answers',
      environment: {
        ...base.environment,
        ...expertEnvironment(context),
        INBOUND_BUCKET: store.bucketName,
        INBOUND_PREFIX,
      },
      memorySize: 512,
      timeout: Duration.seconds(30),
    });
    this.grantMessages(store);
    // SES invokes asynchronously (InvocationType Event): Lambda retries twice, then the event lands in the
    // deployment's dead-letter queue (alarmed in the stateless stack) instead of vanishing. Its record names
    // this function; replaying it re-reads the stored message from S3.
    this.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(props.deadLetters),
    });
    // Created before the Lambda action binds, which then reuses it instead of adding one scoped to the
    // account only: SES may invoke the function for our receipt rule, and no other.
    this.function.addPermission('AllowSes', {
      action: 'lambda:InvokeFunction',
      principal: new ServicePrincipal('ses.amazonaws.com'),
      sourceAccount: Aws.ACCOUNT_ID,
      sourceArn: store.receiptRuleArn,
    });
    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: store.receiptRuleSetName });
    this.rule = new ReceiptRule(this, 'Rule', {
      ruleSet: this.ruleSet,
      receiptRuleName: store.receiptRuleName,
      recipients: [context.replyDomain],
      enabled: true,
      scanEnabled: true,
      tlsPolicy: TlsPolicy.REQUIRE,
      actions: [
        storeInBucket(store),
        new Lambda({ function: this.function, invocationType: LambdaInvocationType.EVENT }),
      ],
    });
    activeRuleSet(this, {
      ruleSetName: store.receiptRuleSetName,
      replaceActive: context.replaceActiveRuleSet,
      after: this.rule,
    });
    this.publishMx(context);
  }

  /**
   * The raw messages only: not the bucket listing, not the access logs, not other prefixes. Once it knows
   * the subscriber, the function files the message under `raw/<subscriber id>/` (copy, then delete the
   * original), so that erasing a person finds all of their raw mail by prefix.
   */
  private grantMessages(store: InboundMailStore): void {
    const role = this.function.role!;
    const inboundObjects = inboundObjectsArn(store, this);
    const filedObjects = inboundObjectsArn(store, this, FILED_PREFIX);
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:DeleteObject'], resources: [inboundObjects] }),
    );
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [filedObjects] }));
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, inboundObjects)}]`,
      reason:
        'The function reads the message SES just stored, named by its message id, so it may read (and, once ' +
        `filed, delete) any object under the "${INBOUND_PREFIX}" prefix of the inbound bucket.`,
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, filedObjects)}]`,
      reason: `The function files each message under "${FILED_PREFIX}<subscriber id>/" (s3:PutObject only).`,
    });
  }

  /** `<replyDomain> MX 10 inbound-smtp.<region>.amazonaws.com`: in the zone when it holds the domain, else printed. */
  private publishMx(context: CourseContext): void {
    const { replyDomain, hostedZone } = context;
    const hostName = `inbound-smtp.${Stack.of(this).region}.amazonaws.com`;
    const inZone =
      hostedZone !== undefined &&
      (replyDomain === hostedZone.name || replyDomain.endsWith(`.${hostedZone.name}`));
    if (hostedZone && inZone) {
      new MxRecord(this, 'MxRecord', {
        zone: HostedZone.fromHostedZoneAttributes(this, 'Zone', {
          hostedZoneId: hostedZone.id,
          zoneName: hostedZone.name,
        }),
        recordName: `${replyDomain}.`,
        values: [{ priority: 10, hostName }],
      });
      return;
    }
    new CfnOutput(this, 'MxRecordToCreate', {
      description: 'Create this DNS record so that replies reach SES',
      value: `${replyDomain} MX 10 ${hostName}`,
    });
  }
}

/**
 * The SES S3 action, without the bucket policy that aws-cdk-lib's `S3` action adds (scoped to the account
 * only): `InboundMailStore` grants our rule alone. The rule waits for that policy, since SES test-writes to
 * the bucket when the rule is created.
 */
function storeInBucket(store: InboundMailStore): IReceiptRuleAction {
  return {
    bind: (rule) => {
      if (store.bucket.policy) rule.node.addDependency(store.bucket.policy);
      return { s3Action: { bucketName: store.bucketName, objectKeyPrefix: INBOUND_PREFIX } };
    },
  };
}

/** Properties of the inbound-mail stack. */
export interface InboundMailStackProps extends StackProps, InboundMailProps {}

/**
 * Inbound mail as its own stack, deployed after the stateful and stateless stacks: the active receipt rule
 * set is an account-and-region singleton with a custom resource behind it, kept apart from the functions
 * and API that are redeployed all the time.
 */
export class InboundMailStack extends Stack {
  readonly inbound: InboundMail;

  constructor(scope: Construct, id: string, props: InboundMailStackProps) {
    super(scope, id, props);
    checkReceivingRegion(this.region);
    this.inbound = new InboundMail(this, 'InboundMail', props);
  }
}
