/**
 * The code and its wiring, safe to redeploy or replace at any time: the API and dispatch functions, the
 * HTTP API, the schedule, and the alarms.
 */
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type DomainName,
  HttpApi,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { CourseContext } from './context';
import { CourseFunction } from './course-function';

/** Properties of the stateless stack: the context and what the stateful stack exports. */
export interface StatelessStackProps extends StackProps {
  context: CourseContext;
  table: ITable;
  signingSecret: ISecret;
  emailIdentity: IEmailIdentity;
  configurationSetName: string;
  configurationSetArn: string;
  /** The API's custom domain; without it the site is served at the API's own URL. */
  siteDomain?: DomainName;
}

/**
 * SES puts an account under review at a 5 % bounce rate and a 0.1 % complaint rate, and may pause sending
 * above 10 % and 0.5 %: alarm a step before review, while there is time to act.
 */
const BOUNCE_RATE_LIMIT = 0.04;
const COMPLAINT_RATE_LIMIT = 0.0008;
/** Dispatch workers at once (SQS maximum concurrency, at least 2); each sends at this share of the rate. */
const DISPATCH_WORKERS = 4;

/** The functions, HTTP API, dispatch schedule and alarms. */
export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly apiFunction: CourseFunction;
  readonly dispatchFunction: CourseFunction;
  /** Sends one due-index shard at a time, taken off the dispatch queue, at its share of the send rate. */
  readonly dispatchWorkerFunction: CourseFunction;
  readonly dispatchQueue: Queue;
  /** Acts on the configuration set's SES events (bounces, complaints, deliveries, rejects, rendering failures). */
  readonly sesEventsFunction: CourseFunction;
  /**
   * The one dead-letter queue of the deployment: what could not be handled after retries (dispatch
   * shards, dispatch ticks, SES events, inbound mail). Each message says where it came from.
   */
  readonly deadLetters: Queue;
  readonly alarmTopic: Topic;
  /** Where the site and its links live: `https://<domain>` with a custom domain, else the API's URL. */
  readonly siteUrl: string;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { context } = props;

    this.api = new HttpApi(this, 'Api', {
      description: 'Landing page, signup, confirm and unsubscribe',
      createDefaultStage: false,
    });
    this.siteUrl = props.siteDomain ? `https://${context.domain}` : this.api.apiEndpoint;

    // Every function reads the same configuration (functions/config.ts), so they get the same values.
    const shared = {
      table: { table: props.table, access: 'readWrite' as const },
      secret: props.signingSecret,
      sendEmail: {
        identity: props.emailIdentity,
        configurationSetName: props.configurationSetName,
        configurationSetArn: props.configurationSetArn,
      },
      environment: {
        SITE_URL: this.siteUrl,
        FROM_ADDRESS: context.fromAddress,
        POSTAL_ADDRESS: context.postalAddress,
        REPLY_DOMAIN: context.replyDomain,
      },
    };

    this.apiFunction = new CourseFunction(this, 'ApiFunction', {
      ...shared,
      handler: 'api',
      description: 'HTTP API: pages, signup, confirm, unsubscribe',
    });

    // One dead-letter queue for everything that is retried and can still fail: the dispatch queue's shards
    // (SQS redrive), the schedule's and the SES events rule's invocations (EventBridge), and the async
    // invocations of the dispatch, SES events and inbound functions (Lambda on-failure destinations). One
    // queue is enough to inspect and replay: each message says where it came from (SQS adds the source
    // queue's ARN, EventBridge the rule and target ARNs, a Lambda destination record the function ARN).
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the deployment (dispatch queue, schedule, SES ' +
        'events rule, and the async invocations of the dispatch, SES events and inbound functions).',
    });

    // Fan-out: each tick puts one message per due-index shard on a queue; workers (at most DISPATCH_WORKERS
    // at once) send each shard at their share of the account's rate, so a busy minute is not one Lambda
    // looping. A shard that keeps failing lands in the dead-letter queue (alarmed); the next tick
    // re-enqueues every shard anyway, so nothing due is forgotten.
    this.dispatchQueue = new Queue(this, 'DispatchQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than a worker may run, so a shard in progress is not handed to a second worker.
      visibilityTimeout: Duration.minutes(6),
      retentionPeriod: Duration.hours(1),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 3 },
    });
    const fanOut = {
      ...shared.environment,
      DISPATCH_WORKERS: String(DISPATCH_WORKERS),
      EXPERT_ADDRESS: context.expertAddress,
      ...(context.backupAddress ? { BACKUP_ADDRESS: context.backupAddress } : {}),
    };

    this.dispatchFunction = new CourseFunction(this, 'DispatchFunction', {
      ...shared,
      handler: 'dispatch',
      description:
        'Every five minutes: enqueues the due-index shards for the workers, runs the question sweep',
      // It also runs the 24-hour sweep of open questions: reminders to the expert, escalation to the backup.
      environment: { ...fanOut, DISPATCH_QUEUE_URL: this.dispatchQueue.queueUrl },
      timeout: Duration.minutes(5),
    });
    this.dispatchQueue.grantSendMessages(this.dispatchFunction);

    this.dispatchWorkerFunction = new CourseFunction(this, 'DispatchWorkerFunction', {
      ...shared,
      handler: 'dispatch-worker',
      description: 'Sends the due course emails of one due-index shard',
      environment: fanOut,
      // The worker stops early enough to finish inside this; the next tick continues.
      timeout: Duration.minutes(5),
    });
    this.dispatchWorkerFunction.addEventSource(
      new SqsEventSource(this.dispatchQueue, {
        batchSize: 1,
        maxConcurrency: DISPATCH_WORKERS,
        reportBatchItemFailures: true,
      }),
    );
    // A failed tick is not retried: the next tick, five minutes later, picks up the same due work, and a
    // retry would only enqueue every shard a second time. It is recorded in the dead-letter queue instead
    // of dropped, so that a failing tick raises the dead-letters alarm.
    this.dispatchFunction.configureAsyncInvoke({
      retryAttempts: 0,
      onFailure: new SqsDestination(this.deadLetters),
    });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
    new HttpStage(this, 'ApiStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { burstLimit: 50, rateLimit: 20 },
      domainMapping: props.siteDomain ? { domainName: props.siteDomain } : undefined,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const route = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('ApiIntegration', this.apiFunction),
    });
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The course is public: anyone may sign up, and confirm/unsubscribe links carry their own HMAC-signed ' +
        'tokens. Abuse is limited by stage throttling and the signup rules in the application.',
    });

    new Rule(this, 'DispatchSchedule', {
      description: 'Runs the dispatcher',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [
        new LambdaFunction(this.dispatchFunction, {
          retryAttempts: 2,
          maxEventAge: Duration.minutes(5),
          deadLetterQueue: this.deadLetters,
        }),
      ],
    });

    // SES events: the configuration set publishes them to the default bus (stateful stack); this rule
    // takes those of our configuration set to the events function. A failing event is retried, then kept
    // in the dead-letter queue (and alarmed on) rather than lost: a lost complaint would mean more mail.
    this.sesEventsFunction = new CourseFunction(this, 'SesEventsFunction', {
      ...shared,
      sendEmail: undefined,
      handler: 'ses-events',
      description: 'Suppresses bounced and complaining addresses; records deliveries the dispatcher missed',
    });
    this.sesEventsFunction.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetters),
    });
    new Rule(this, 'SesEventsRule', {
      description: 'SES events of the course configuration set, to the events function',
      eventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [props.configurationSetName] } } },
      },
      targets: [
        new LambdaFunction(this.sesEventsFunction, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.deadLetters,
        }),
      ],
    });

    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'Course alarms', enforceSSL: true });
    if (context.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(context.alarmEmail));

    const alarm = (id: string, description: string, metric: IMetric, threshold: number) =>
      new Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new SnsAction(this.alarmTopic));

    // Four alarms, not one per function and queue (each alarmed metric costs $0.10 a month, and metric
    // math is billed per metric it reads). No failure goes unseen: an API function error or timeout is a
    // 5xx (Hono answers its own errors with 500, API Gateway answers a failed invocation with 5xx), and
    // every other failure is retried (by SQS, EventBridge or Lambda) and, if it keeps failing, becomes a
    // dead letter. A failure that a retry fixes was never lost, so it does not page anyone.
    alarm(
      'Api5xxAlarm',
      'The API answered with a server error (API function errors and timeouts show up here as 5xx)',
      this.api.metricServerError({ period: Duration.minutes(5), statistic: Stats.SUM }),
      1,
    );
    alarm(
      'DeadLettersAlarm',
      'Something could not be handled after retries (a dispatch shard or tick, an SES event, an inbound ' +
        'message): look in the dead-letter queue; each message says where it came from',
      this.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: Stats.MAXIMUM,
      }),
      1,
    );
    const reputation = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: Stats.MAXIMUM });
    alarm(
      'BounceRateAlarm',
      'SES bounce rate reached 4 % (SES reviews the account at 5 %)',
      reputation('Reputation.BounceRate'),
      BOUNCE_RATE_LIMIT,
    );
    alarm(
      'ComplaintRateAlarm',
      'SES complaint rate reached 0.08 % (SES reviews the account at 0.1 %)',
      reputation('Reputation.ComplaintRate'),
      COMPLAINT_RATE_LIMIT,
    );

    new CfnOutput(this, 'SiteUrl', { description: 'The landing page', value: this.siteUrl });
    new CfnOutput(this, 'ApiUrl', {
      description: "The HTTP API's own endpoint",
      value: this.api.apiEndpoint,
    });
  }
}
