/**
 * Four alarms, not one per function and queue (each alarmed metric costs $0.10 a month, and metric math
 * is billed per metric it reads). No failure goes unseen: an API function error or timeout is a 5xx (Hono
 * answers its own errors with 500, API Gateway answers a failed invocation with 5xx), and every other
 * failure is retried (by SQS, EventBridge or Lambda) and, if it keeps failing, becomes a dead letter. A
 * failure that a retry fixes was never lost, so it does not page anyone.
 */
import { Annotations, Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * SES puts an account under review at a 5 % bounce rate and a 0.1 % complaint rate, and may pause sending
 * above 10 % and 0.5 %: alarm a step before review, while there is time to act.
 */
const BOUNCE_RATE_LIMIT = 0.04;
const COMPLAINT_RATE_LIMIT = 0.0008;

/** Properties of the alarms. */
export interface AlarmsProps {
  api: HttpApi;
  deadLetters: IQueue;
  /** Subscribed to the alarm topic when given. */
  alarmEmail?: string;
}

/** The alarm topic and the four alarms on it: API 5xx, dead letters, SES bounce and complaint rates. */
export class Alarms extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: 'Course alarms', enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    else {
      Annotations.of(this).addWarningV2(
        'course:alarms-notify-nobody',
        'No alarm address: the alarms (API 5xx, dead letters, SES bounce and complaint rates) will notify ' +
          'nobody. Deploy with -c alarmEmail=ops@example.com, or subscribe someone to the alarm topic.',
      );
    }

    this.alarm(
      'Api5xx',
      'The API answered with a server error (API function errors and timeouts show up here as 5xx)',
      props.api.metricServerError({ period: Duration.minutes(5), statistic: Stats.SUM }),
      1,
    );
    this.alarm(
      'DeadLetters',
      'Something could not be handled after retries (a dispatch shard or tick, an SES event, an inbound ' +
        'message): look in the dead-letter queue; each message says where it came from',
      props.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: Stats.MAXIMUM,
      }),
      1,
    );
    this.alarm(
      'BounceRate',
      'SES bounce rate reached 4 % (SES reviews the account at 5 %)',
      reputation('Reputation.BounceRate'),
      BOUNCE_RATE_LIMIT,
    );
    this.alarm(
      'ComplaintRate',
      'SES complaint rate reached 0.08 % (SES reviews the account at 0.1 %)',
      reputation('Reputation.ComplaintRate'),
      COMPLAINT_RATE_LIMIT,
    );
  }

  /** An alarm on the topic when `metric` reaches `threshold` in one period; no data is not a breach. */
  private alarm(id: string, description: string, metric: IMetric, threshold: number): void {
    new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(this.topic));
  }
}

/** An SES account reputation metric, at its worst over the hour. */
const reputation = (metricName: string) =>
  new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: Stats.MAXIMUM });
