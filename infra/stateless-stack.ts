/**
 * The code and its wiring, safe to redeploy or replace at any time: the site at the edge (CloudFront,
 * the static files' bucket), the HTTP API and its function, the confirmation queue and its sender, the
 * dispatch fan-out, the SES events function, the deployment's dead-letter queue, and the alarms.
 */
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEFAULT_CONFIRM_RESEND_MINUTES } from '../functions/config';
import { Alarms } from './alarms';
import type { CourseContext } from './context';
import { expertEnvironment, type FunctionBase, functionBase, type SharedResources } from './course-function';
import { DispatchFanOut } from './dispatch-fan-out';
import { SesEvents } from './ses-events';
import { SiteApi } from './site-api';
import { SiteEdge } from './site-edge';

/** Properties of the stateless stack: the context and what the stateful stack shares. */
export interface StatelessStackProps extends StackProps {
  context: CourseContext;
  shared: SharedResources;
}

/** The HTTP API, dispatch, SES events, dead letters and alarms. */
export class StatelessStack extends Stack {
  readonly api: HttpApi;
  /** Where the site and its links live: `https://<domain>` with a hosted zone, else the distribution's URL. */
  readonly siteUrl: string;
  readonly edge: SiteEdge;
  /** What every function of the deployment is built on; the inbound stack's function too. */
  readonly functionBase: FunctionBase;
  /**
   * The one dead-letter queue of the deployment: what could not be handled after retries (dispatch
   * shards, dispatch ticks, SES events, inbound mail). Each message says where it came from.
   */
  readonly deadLetters: Queue;
  readonly site: SiteApi;
  readonly dispatch: DispatchFanOut;
  readonly sesEvents: SesEvents;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { context } = props;
    // Here rather than in SiteApi: the distribution in front of it gives the site's URL, which every
    // function's environment carries.
    this.api = new HttpApi(this, 'Api', {
      description: 'Signup, confirm and unsubscribe, behind the site distribution',
      createDefaultStage: false,
    });
    // The deployed functions run with the default resend window; the published pages state the same one.
    this.edge = new SiteEdge(this, 'Edge', {
      api: this.api,
      context,
      confirmResendMinutes: DEFAULT_CONFIRM_RESEND_MINUTES,
    });
    this.siteUrl = this.edge.siteUrl;
    const base = functionBase(props.shared, context, this.siteUrl);
    this.functionBase = base;
    this.deadLetters = deadLetterQueue(this);

    this.dispatch = new DispatchFanOut(this, 'Dispatch', { base, context, deadLetters: this.deadLetters });
    // The API serves the expert console: it needs to know who the experts and operators are.
    const siteBase = { ...base, environment: { ...base.environment, ...expertEnvironment(context) } };
    this.site = new SiteApi(this, 'Site', {
      api: this.api,
      base: siteBase,
      confirmations: this.dispatch.queue,
      originSecret: this.edge.originSecret,
    });
    this.sesEvents = new SesEvents(this, 'SesEvents', { base, deadLetters: this.deadLetters });
    this.alarms = new Alarms(this, 'Alarms', {
      api: this.api,
      deadLetters: this.deadLetters,
      alarmEmail: context.alarmEmail,
    });

    new CfnOutput(this, 'SiteUrl', { description: 'The landing page', value: this.siteUrl });
    new CfnOutput(this, 'ApiUrl', {
      description: "The HTTP API's own endpoint (refuses requests that did not come through the site)",
      value: this.api.apiEndpoint,
    });
  }
}

/**
 * One dead-letter queue for everything that is retried and can still fail: the dispatch queue's shards
 * (SQS redrive), the schedule's and the SES events rule's invocations (EventBridge), and the async
 * invocations of the dispatch, SES events and inbound functions (Lambda on-failure destinations). One
 * queue is enough to inspect and replay: each message says where it came from (SQS adds the source
 * queue's ARN, EventBridge the rule and target ARNs, a Lambda destination record the function ARN).
 */
function deadLetterQueue(stack: Stack): Queue {
  const queue = new Queue(stack, 'DeadLetters', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself the dead-letter queue of the deployment (dispatch queue, schedule, SES ' +
      'events rule, and the async invocations of the dispatch, SES events and inbound functions).',
  });
  return queue;
}
