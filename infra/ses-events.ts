/**
 * SES events: the configuration set publishes them to the default bus (stateful stack); a rule takes
 * those of our configuration set to the events function. A failing event is retried, then kept in the
 * dead-letter queue (and alarmed on) rather than lost: a lost complaint would mean more mail.
 */
import { Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CourseFunction, type FunctionBase } from './course-function';

/** Properties of the SES events wiring. */
export interface SesEventsProps {
  base: FunctionBase;
  /** Where an event that still fails after retries is kept. */
  deadLetters: IQueue;
}

/** The events function and the rule that feeds it our configuration set's events. */
export class SesEvents extends Construct {
  /** Suppresses bounced and complaining addresses; records deliveries the dispatcher missed. */
  readonly function: CourseFunction;

  constructor(scope: Construct, id: string, props: SesEventsProps) {
    super(scope, id);
    const { base, deadLetters } = props;
    // It reads and writes items by key, sends nothing and signs nothing: no SES grant, no secret.
    this.function = new CourseFunction(this, 'Function', {
      ...base,
      table: { table: base.table, actions: ['GetItem', 'PutItem', 'UpdateItem'] },
      secret: undefined,
      sendEmail: undefined,
      handler: 'ses-events',
      // One invocation per email sent (its DELIVERY event): Lambda's START/END/REPORT lines would be most
      // of this function's log bill. Its own warnings (a recorded delivery, a suppression) still reach it.
      platformLogs: 'warnings',
      description: 'Suppresses bounced and complaining addresses; records deliveries the dispatcher missed',
    });
    this.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(deadLetters),
    });
    new Rule(this, 'Rule', {
      description: 'SES events of the course configuration set, to the events function',
      eventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [base.sendEmail.configurationSetName] } } },
      },
      targets: [
        new LambdaFunction(this.function, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: deadLetters,
        }),
      ],
    });
  }
}
