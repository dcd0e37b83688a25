/**
 * Sending what is due: every five minutes a tick puts one message per due-index shard on a queue, and
 * workers (at most DISPATCH_WORKERS at once) send each shard at their share of the account's rate, so a
 * busy minute is not one Lambda looping. A shard that keeps failing lands in the dead-letter queue
 * (alarmed); the next tick re-enqueues every shard anyway, so nothing due is forgotten.
 */
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DUE_INDEX, OPEN_QUESTIONS_INDEX } from '../functions/adapters/dynamo-table';
import type { CourseContext } from './context';
import { CourseFunction, expertEnvironment, type FunctionBase } from './course-function';

/** Dispatch workers at once (SQS maximum concurrency, at least 2); each sends at this share of the rate. */
const DISPATCH_WORKERS = 4;
/** How long a worker may run; it stops early enough to finish inside this. */
const WORKER_TIMEOUT = Duration.minutes(5);
/** Deliveries of a shard before it is dead-lettered. */
const MAX_RECEIVES = 3;
/** AWS advises a queue visibility timeout of at least six times the function's timeout. */
const VISIBILITY_TIMEOUT = Duration.minutes(6 * WORKER_TIMEOUT.toMinutes());

/** Properties of the dispatch fan-out. */
export interface DispatchFanOutProps {
  base: FunctionBase;
  /** The expert and backup addresses, for the tick's sweep of open questions. */
  context: CourseContext;
  /** The deployment's dead-letter queue: shards that keep failing, and failed ticks. */
  deadLetters: IQueue;
}

/** The schedule, the tick function, the shard queue and its workers. */
export class DispatchFanOut extends Construct {
  /** Enqueues the due-index shards and runs the 24-hour sweep of open questions. */
  readonly tickFunction: CourseFunction;
  /** Sends one due-index shard at a time, taken off the queue, at its share of the send rate. */
  readonly workerFunction: CourseFunction;
  readonly queue: Queue;

  constructor(scope: Construct, id: string, props: DispatchFanOutProps) {
    super(scope, id);
    const { base, deadLetters } = props;
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times what a worker may run, so a shard in progress (or retried by the event source) is not
      // handed to a second worker; kept long enough for every receive to time out and dead-letter.
      visibilityTimeout: VISIBILITY_TIMEOUT,
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVES },
    });
    const environment = {
      ...base.environment,
      ...expertEnvironment(props.context),
      DISPATCH_WORKERS: String(DISPATCH_WORKERS),
      // The tick puts shards on the queue; a worker puts a throttled confirmation back, with a delay.
      DISPATCH_QUEUE_URL: this.queue.queueUrl,
    };
    this.tickFunction = new CourseFunction(this, 'TickFunction', {
      ...base,
      // The question sweep: open questions by index, a subscriber's questions and sends, SLA stamps.
      table: {
        table: base.table,
        actions: ['GetItem', 'Query', 'UpdateItem'],
        indexes: [OPEN_QUESTIONS_INDEX.name],
      },
      handler: 'dispatch',
      description:
        'Every five minutes: enqueues the due-index shards for the workers, runs the question sweep',
      // It also runs the 24-hour sweep of open questions: reminders to the expert, escalation to the backup.
      environment,
      timeout: Duration.minutes(5),
    });
    this.queue.grantSendMessages(this.tickFunction);
    this.workerFunction = new CourseFunction(this, 'WorkerFunction', {
      ...base,
      // Due subscribers by index, claims and records by key (suppression included); no table Query.
      table: { table: base.table, actions: ['GetItem', 'PutItem', 'UpdateItem'], indexes: [DUE_INDEX.name] },
      handler: 'dispatch-worker',
      description: 'Sends the due course emails of one due-index shard',
      environment,
      // The worker stops early enough to finish inside this; the next tick continues.
      timeout: WORKER_TIMEOUT,
      // As many as the event source may run at once, and no more: the send rate is shared among them.
      reservedConcurrentExecutions: DISPATCH_WORKERS,
    });
    // Confirmations ride this queue too: the workers send them, so course emails and confirmations
    // together stay under the account's send rate, and one queue is polled, not two.
    this.queue.grantSendMessages(this.workerFunction);
    this.workerFunction.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1,
        maxConcurrency: DISPATCH_WORKERS,
        reportBatchItemFailures: true,
      }),
    );
    this.schedule(deadLetters);
  }

  /** Every five minutes; a tick that fails is recorded as a dead letter, not retried. */
  private schedule(deadLetters: IQueue): void {
    // The next tick, five minutes later, picks up the same due work, and a retry would only enqueue every
    // shard a second time. Recording it in the dead-letter queue instead of dropping it raises the alarm.
    this.tickFunction.configureAsyncInvoke({
      retryAttempts: 0,
      onFailure: new SqsDestination(deadLetters),
    });
    new Rule(this, 'Schedule', {
      description: 'Runs the dispatcher',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [
        new LambdaFunction(this.tickFunction, {
          retryAttempts: 2,
          maxEventAge: Duration.minutes(5),
          deadLetterQueue: deadLetters,
        }),
      ],
    });
  }
}
