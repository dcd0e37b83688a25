/**
 * Confirmation emails off the request path: the API leaves one request per accepted signup (or allowed
 * resend) on a queue, and a sender function takes them at the account's send rate. A throttled or
 * failed request comes back after a growing backoff; one that keeps failing becomes a dead letter.
 */
import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CourseFunction, type FunctionBase } from './course-function';

/** Senders at once (SQS maximum concurrency, at least 2); each sends at this share of the rate. */
export const CONFIRMATION_SENDERS = 2;
/** How long one batch may take: ten requests at a share of the send rate, with SES's retries. */
const SENDER_TIMEOUT = Duration.seconds(30);

/** Properties of the confirmation queue and its sender. */
export interface ConfirmationsProps {
  base: FunctionBase;
  deadLetters: IQueue;
}

/** The queue and the function that sends what is on it. */
export class Confirmations extends Construct {
  readonly queue: Queue;
  readonly function: CourseFunction;

  constructor(scope: Construct, id: string, props: ConfirmationsProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the sender's timeout (AWS's advice for Lambda consumers); a throttled request is made
      // visible sooner by the sender itself, with a backoff that doubles per receive.
      visibilityTimeout: Duration.seconds(SENDER_TIMEOUT.toSeconds() * 6),
      // A confirmation link works for 7 days; a request older than 4 is better dead-lettered and looked at.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: props.deadLetters, maxReceiveCount: 10 },
    });
    this.function = new CourseFunction(this, 'Function', {
      ...props.base,
      handler: 'confirmations',
      description: 'Sends the confirmation emails signups queued, at its share of the send rate',
      environment: {
        ...props.base.environment,
        CONFIRMATION_QUEUE_URL: this.queue.queueUrl,
        CONFIRMATION_SENDERS: String(CONFIRMATION_SENDERS),
      },
      timeout: SENDER_TIMEOUT,
    });
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxConcurrency: CONFIRMATION_SENDERS,
        reportBatchItemFailures: true,
      }),
    );
  }
}
