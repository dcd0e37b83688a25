/** The site behind the HTTP API: the API function, the default route to it, and the throttled, logged stage. */
import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type DomainName,
  type HttpApi,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CourseFunction, type FunctionBase } from './course-function';

/** Properties of the site's API. */
export interface SiteApiProps {
  /** The HTTP API (its endpoint is the site's URL without a custom domain). */
  api: HttpApi;
  base: FunctionBase;
  /** The API's custom domain, mapped to the stage; without it the site is served at the API's own URL. */
  siteDomain?: DomainName;
}

/** Every path of the HTTP API to one function, on a `$default` stage with throttling and access logs. */
export class SiteApi extends Construct {
  readonly function: CourseFunction;

  constructor(scope: Construct, id: string, props: SiteApiProps) {
    super(scope, id);
    const { api } = props;
    this.function = new CourseFunction(this, 'Function', {
      ...props.base,
      // Signup, confirm and unsubscribe: items by key only. It deletes only a profile it just created
      // and lost the address race for, so DeleteItem is limited to `SUB#` keys: never a suppression.
      table: {
        table: props.base.table,
        actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
        deletesUnder: ['SUB#'],
      },
      handler: 'api',
      description: 'HTTP API: pages, signup, confirm, unsubscribe',
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    new HttpStage(this, 'Stage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { burstLimit: 50, rateLimit: 20 },
      domainMapping: props.siteDomain ? { domainName: props.siteDomain } : undefined,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });
    const route = new HttpRoute(this, 'DefaultRoute', {
      httpApi: api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('Integration', this.function),
    });
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The course is public: anyone may sign up, and confirm/unsubscribe links carry their own HMAC-signed ' +
        'tokens. Abuse is limited by stage throttling and the signup rules in the application.',
    });
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
