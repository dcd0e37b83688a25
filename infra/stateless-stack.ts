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

    // Fan-out: each tick puts one message per due-index shard on a queue; workers (at most DISPATCH_WORKERS
    // at once) send each shard at their share of the account's rate, so a busy minute is not one Lambda
    // looping. A shard that keeps failing lands in the dead-letter queue (alarmed); the next tick
    // re-enqueues every shard anyway, so nothing due is forgotten.
    const dispatchQueueDeadLetters = new Queue(this, 'DispatchQueueDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(dispatchQueueDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the dispatch queue.',
    });
    this.dispatchQueue = new Queue(this, 'DispatchQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than a worker may run, so a shard in progress is not handed to a second worker.
      visibilityTimeout: Duration.minutes(6),
      retentionPeriod: Duration.hours(1),
      deadLetterQueue: { queue: dispatchQueueDeadLetters, maxReceiveCount: 3 },
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
    // A failed run is not retried: the next tick, five minutes later, picks up the same due work.
    this.dispatchFunction.configureAsyncInvoke({ retryAttempts: 0 });

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

    const deadLetters = new Queue(this, 'DispatchDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the dispatch schedule.',
    });
    new Rule(this, 'DispatchSchedule', {
      description: 'Runs the dispatcher',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [
        new LambdaFunction(this.dispatchFunction, {
          retryAttempts: 2,
          maxEventAge: Duration.minutes(5),
          deadLetterQueue: deadLetters,
        }),
      ],
    });

    // SES events: the configuration set publishes them to the default bus (stateful stack); this rule
    // takes those of our configuration set to the events function. A failing event is retried, then kept
    // in a dead-letter queue (and alarmed on) rather than lost: a lost complaint would mean more mail.
    this.sesEventsFunction = new CourseFunction(this, 'SesEventsFunction', {
      ...shared,
      sendEmail: undefined,
      handler: 'ses-events',
      description: 'Suppresses bounced and complaining addresses; records deliveries the dispatcher missed',
    });
    const sesEventDeadLetters = new Queue(this, 'SesEventDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(sesEventDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the SES events rule and function.',
    });
    this.sesEventsFunction.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(sesEventDeadLetters),
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
          deadLetterQueue: sesEventDeadLetters,
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

    const fiveMinutes = { period: Duration.minutes(5), statistic: Stats.SUM };
    alarm('ApiErrorsAlarm', 'The API function failed', this.apiFunction.metricErrors(fiveMinutes), 1);
    alarm('DispatchErrorsAlarm', 'A dispatch run failed', this.dispatchFunction.metricErrors(fiveMinutes), 1);
    alarm(
      'DispatchWorkerErrorsAlarm',
      'A dispatch worker failed',
      this.dispatchWorkerFunction.metricErrors(fiveMinutes),
      1,
    );
    alarm(
      'DispatchQueueDeadLettersAlarm',
      'A due-index shard failed three times in a row',
      dispatchQueueDeadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: Stats.MAXIMUM,
      }),
      1,
    );
    alarm(
      'SesEventsErrorsAlarm',
      'The SES events function failed (a bounce or complaint may not be acted on yet)',
      this.sesEventsFunction.metricErrors(fiveMinutes),
      1,
    );
    alarm(
      'SesEventDeadLettersAlarm',
      'An SES event could not be handled after retries: replay it from the dead-letter queue',
      sesEventDeadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: Stats.MAXIMUM,
      }),
      1,
    );
    // Hono answers its own errors with a 500, which the function's error metric does not see.
    alarm('Api5xxAlarm', 'The API answered with a server error', this.api.metricServerError(fiveMinutes), 1);
    alarm(
      'DeadLettersAlarm',
      'The schedule could not invoke the dispatcher',
      deadLetters.metricApproximateNumberOfMessagesVisible({
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
