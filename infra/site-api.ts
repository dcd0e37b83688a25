/**
 * The HTTP API behind the site's distribution: the API function, its routes, and a `$default` stage with
 * access logs and no stage-wide throttle (a crowd of readers must never meet one); the signup post has
 * its own route throttle, sized for a launch-day spike.
 */
import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  type HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OPEN_QUESTIONS_INDEX } from '../functions/adapters/dynamo-table';
import { CourseFunction, type FunctionBase } from './course-function';

/**
 * The throttle of `POST /api/subscribe`, for a spike of 1,000 signups in 30 seconds (a post shared
 * widely): about 33 a second on average, bursts of a few hundred. Beyond it API Gateway answers 429
 * before the function runs, so a flood cannot queue more confirmations than SES sends in minutes.
 */
export const SIGNUP_THROTTLE = { rateLimit: 50, burstLimit: 200 } as const;
export const SIGNUP_ROUTE = 'POST /api/subscribe';

/** Properties of the site's API. */
export interface SiteApiProps {
  api: HttpApi;
  base: FunctionBase;
  /** Where signups leave their confirmation emails. */
  confirmations: IQueue;
  /** The value CloudFront sends in `x-origin-verify`; the function refuses requests without it. */
  originSecret: string;
}

/** The API function, the signup route and the default route to it, and the logged `$default` stage. */
export class SiteApi extends Construct {
  readonly function: CourseFunction;

  constructor(scope: Construct, id: string, props: SiteApiProps) {
    super(scope, id);
    const { api } = props;
    this.function = new CourseFunction(this, 'Function', {
      ...props.base,
      // Signup, confirm and unsubscribe by key; the manage page, the console and the operator's figures
      // also query a subscriber's partition, a day's figures, the console's partition and the queue of
      // questions. It deletes a profile it just created and lost the address race for (`SUB#`), a
      // console session on sign-out and a saved reply (`CONSOLE…`): never a suppression or a counter.
      table: {
        table: props.base.table,
        actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
        indexes: [OPEN_QUESTIONS_INDEX.name],
        deletesUnder: ['SUB#', 'CONSOLE'],
      },
      handler: 'api',
      description:
        'HTTP API: signup, confirm, unsubscribe, manage, the console (and the pages, behind CloudFront)',
      environment: {
        ...props.base.environment,
        CONFIRMATION_QUEUE_URL: props.confirmations.queueUrl,
        ORIGIN_SECRET: props.originSecret,
      },
    });
    props.confirmations.grantSendMessages(this.function);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    const stage = new HttpStage(this, 'Stage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });
    const integration = new HttpLambdaIntegration('Integration', this.function);
    const routes = [
      new HttpRoute(this, 'DefaultRoute', { httpApi: api, routeKey: HttpRouteKey.DEFAULT, integration }),
      new HttpRoute(this, 'SignupRoute', {
        httpApi: api,
        routeKey: HttpRouteKey.with('/api/subscribe', HttpMethod.POST),
        integration,
      }),
    ];
    const cfnStage = stage.node.defaultChild as CfnStage;
    // A JSON map in CloudFormation: its keys are written as CloudFormation spells them.
    cfnStage.routeSettings = {
      [SIGNUP_ROUTE]: {
        ThrottlingRateLimit: SIGNUP_THROTTLE.rateLimit,
        ThrottlingBurstLimit: SIGNUP_THROTTLE.burstLimit,
      },
    };
    // Route settings name a route that must exist first.
    for (const route of routes) {
      stage.node.addDependency(route);
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'The course is public: anyone may sign up, and confirm/unsubscribe links carry their own HMAC-signed ' +
          'tokens. Only requests carrying the secret CloudFront adds are served; signups are limited by the ' +
          'route throttle and the signup rules in the application.',
      });
    }
  }
}

/**
 * What the stage logs of each request, one JSON line: no request or response body, and no client IP
 * (personal data the product has no use for once the request is answered).
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    method: '$context.httpMethod',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latency: '$context.responseLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);
