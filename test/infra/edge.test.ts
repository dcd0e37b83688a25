/** The site at the edge, the confirmation queue and the route throttles, as the templates say. */
import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../../functions/http/middleware';
import { staticSiteFiles } from '../../functions/http/static-site';
import { readCourseContext } from '../../infra/context';
import { buildCourseApp, type CourseStacks } from '../../infra/course-app';
import { API_PATHS, EDGE_LOG_DAYS, SESSION_PATHS } from '../../infra/site-edge';
import { EXAMPLE_CONTEXT, logicalId, testApp, unacknowledgedNagFindings } from '../support/infra';
import { memoryDeps } from '../support/memory/deps';

const CONTEXT = EXAMPLE_CONTEXT;
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

type Behavior = Record<string, unknown> & { PathPattern?: string; TargetOriginId: string };

function synth(context: Record<string, unknown>) {
  const app: App = testApp(context);
  const stacks: CourseStacks = buildCourseApp(
    app,
    readCourseContext((key) => app.node.tryGetContext(key)),
  );
  app.synth();
  return { app, stacks, template: Template.fromStack(stacks.stateless) };
}

let withZone: ReturnType<typeof synth>;
let withoutZone: ReturnType<typeof synth>;
beforeAll(() => {
  withZone = synth(CONTEXT);
  withoutZone = synth({ ...CONTEXT, hostedZoneId: undefined, hostedZoneName: undefined });
}, 120_000);

const distributionOf = (template: Template) =>
  Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;

describe('the distribution', () => {
  it('has two origins: the site bucket through origin access control, the API over TLS 1.2 with the origin secret', () => {
    const config = distributionOf(withZone.template);
    type Origin = {
      DomainName: unknown;
      CustomOriginConfig: unknown;
      OriginCustomHeaders: unknown;
    };
    const [bucket, api] = config.Origins as [Origin, Origin];
    expect(bucket).toMatchObject({
      DomainName: { 'Fn::GetAtt': [logicalId(withZone.stacks.stateless.edge.bucket), 'RegionalDomainName'] },
      OriginAccessControlId: { 'Fn::GetAtt': [expect.stringMatching(/OriginAccessControl/), 'Id'] },
    });
    expect(JSON.stringify(api.DomainName)).toContain(logicalId(withZone.stacks.stateless.api));
    expect(api.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    const secret = withZone.stacks.stateless.resolve(withZone.stacks.stateless.edge.originSecret);
    expect(api.OriginCustomHeaders).toEqual([{ HeaderName: 'x-origin-verify', HeaderValue: secret }]);
    // The value is the stack's own UUID, never a literal in the template.
    expect(secret).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] });
    // And the API function refuses requests without it.
    const apiFunction =
      withZone.template.toJSON().Resources[logicalId(withZone.stacks.stateless.site.function)];
    expect(apiFunction.Properties.Environment.Variables.ORIGIN_SECRET).toEqual(secret);
  });

  it('serves the static site by default: cached, compressed, HTTPS, with the app’s security headers', () => {
    const config = distributionOf(withZone.template);
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior).toMatchObject({
      TargetOriginId: config.Origins[0].Id,
      CachePolicyId: CACHING_OPTIMIZED,
      Compress: true,
      ViewerProtocolPolicy: 'redirect-to-https',
      ResponseHeadersPolicyId: { Ref: expect.stringMatching(/SecurityHeaders/) },
    });
    const policy = Object.values(
      withZone.template.findResources('AWS::CloudFront::ResponseHeadersPolicy'),
    )[0]!.Properties.ResponseHeadersPolicyConfig;
    const sent: Record<string, string> = {
      'Content-Security-Policy': policy.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': policy.SecurityHeadersConfig.FrameOptions.FrameOption,
      'Referrer-Policy': policy.SecurityHeadersConfig.ReferrerPolicy.ReferrerPolicy,
      'Strict-Transport-Security': `max-age=${policy.SecurityHeadersConfig.StrictTransportSecurity.AccessControlMaxAgeSec}; includeSubDomains`,
      'X-XSS-Protection': policy.SecurityHeadersConfig.XSSProtection.Protection ? '1' : '0',
      ...Object.fromEntries(
        (policy.CustomHeadersConfig.Items as { Header: string; Value: string }[]).map((h) => [
          h.Header,
          h.Value,
        ]),
      ),
    };
    expect(sent).toEqual(SECURITY_HEADERS);
    expect(policy.SecurityHeadersConfig.StrictTransportSecurity.IncludeSubdomains).toBe(true);
  });

  it('sends the dynamic paths to the API uncached, with what the app reads; cookies only for sessions', () => {
    const config = distributionOf(withZone.template);
    const behaviors = config.CacheBehaviors as Behavior[];
    expect(behaviors.map((b) => b.PathPattern)).toEqual([...API_PATHS, ...SESSION_PATHS]);
    const policies = withZone.template.findResources('AWS::CloudFront::OriginRequestPolicy');
    for (const behavior of behaviors) {
      expect(behavior).toMatchObject({
        TargetOriginId: config.Origins[1].Id,
        CachePolicyId: CACHING_DISABLED,
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        ViewerProtocolPolicy: 'redirect-to-https',
      });
      const id = (behavior.OriginRequestPolicyId as { Ref: string }).Ref;
      const policy = policies[id]!.Properties.OriginRequestPolicyConfig;
      expect(policy.QueryStringsConfig.QueryStringBehavior).toBe('all');
      expect(policy.HeadersConfig).toEqual({
        HeaderBehavior: 'whitelist',
        Headers: ['Origin', 'Sec-Fetch-Site', 'Content-Type', 'User-Agent', 'CloudFront-Viewer-Address'],
      });
      const session = SESSION_PATHS.some((path) => path === behavior.PathPattern);
      expect(policy.CookiesConfig.CookieBehavior).toBe(session ? 'all' : 'none');
    }
  });

  it('logs every request to a private bucket that keeps logs for 30 days, without cookies', () => {
    const config = distributionOf(withZone.template);
    const logs = withZone.stacks.stateless.edge.logs;
    expect(config.Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [logicalId(logs), 'RegionalDomainName'] },
      IncludeCookies: false,
      Prefix: 'cloudfront/',
    });
    const bucket = withZone.template.toJSON().Resources[logicalId(logs)].Properties;
    expect(bucket.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ ExpirationInDays: EDGE_LOG_DAYS, Status: 'Enabled' }),
    ]);
    expect(bucket.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const site =
      withZone.template.toJSON().Resources[logicalId(withZone.stacks.stateless.edge.bucket)].Properties;
    expect(site.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logicalId(logs) },
      LogFilePrefix: 's3/',
    });
  });

  it('answers at the course domain with a us-east-1 certificate and A/AAAA aliases when a zone is given', () => {
    const config = distributionOf(withZone.template);
    expect(config.Aliases).toEqual(['course.example.com']);
    expect(config.ViewerCertificate).toMatchObject({
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    withZone.template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'course.example.com',
      ValidationMethod: 'DNS',
    });
    expect(withZone.template.toJSON().Rules.CertificateInUsEast1).toBeDefined();
    for (const type of ['A', 'AAAA']) {
      withZone.template.hasResourceProperties('AWS::Route53::RecordSet', {
        Type: type,
        Name: 'course.example.com.',
        AliasTarget: Match.objectLike({ HostedZoneId: Match.anyValue() }),
      });
    }
    expect(withZone.stacks.stateless.siteUrl).toBe('https://course.example.com');
  });

  it('answers at its cloudfront.net name without a zone, and links point there', () => {
    const config = distributionOf(withoutZone.template);
    expect(config.Aliases).toBeUndefined();
    withoutZone.template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    const fn = withoutZone.template.toJSON().Resources[logicalId(withoutZone.stacks.stateless.site.function)];
    expect(fn.Properties.Environment.Variables.SITE_URL).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { 'Fn::GetAtt': [logicalId(withoutZone.stacks.stateless.edge.distribution), 'DomainName'] },
        ],
      ],
    });
  });

  it('uses a given us-east-1 certificate instead of creating one', () => {
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
    const { template } = synth({ ...CONTEXT, certificateArn: arn });
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    expect(distributionOf(template).ViewerCertificate.AcmCertificateArn).toBe(arn);
    expect(() =>
      readCourseContext(
        (key) => ({ ...CONTEXT, certificateArn: arn.replace('us-east-1', 'eu-west-1') })[key as 'domain'],
      ),
    ).toThrow(/certificateArn.*us-east-1/);
  });

  it('publishes exactly the static files the app serves, assets for a year and pages for five minutes', () => {
    const deployments = Object.values(withZone.template.findResources('Custom::CDKBucketDeployment')).map(
      (resource) => resource.Properties,
    );
    const files = staticSiteFiles({
      templates: memoryDeps().deps.templates,
      settings: { postalAddress: CONTEXT.postalAddress, confirmResendMs: 15 * 60_000 },
    });
    const rules = new Set(files.map((file) => `${file.contentType}|${file.cacheControl}`));
    expect(deployments).toHaveLength(rules.size);
    for (const deployment of deployments) {
      expect(deployment.Prune).toBe(false);
      expect(deployment.DestinationBucketName).toEqual({
        Ref: logicalId(withZone.stacks.stateless.edge.bucket),
      });
      const rule = `${deployment.SystemMetadata['content-type']}|${deployment.SystemMetadata['cache-control']}`;
      expect(rules).toContain(rule);
      expect(deployment.SourceObjectKeys).toHaveLength(
        files.filter((f) => `${f.contentType}|${f.cacheControl}` === rule).length,
      );
    }
  });
});

describe('throttles and confirmations', () => {
  it('throttles the signup post on its own route, sized for the launch spike, and nothing stage-wide', () => {
    withZone.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /api/subscribe' });
    withZone.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: Match.absent(),
      RouteSettings: {
        'POST /api/subscribe': { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 200 },
      },
    });
  });

  it('lets the API queue confirmations on the dispatch queue, whose workers send them and may queue a retry', () => {
    const { dispatch, site } = withZone.stacks.stateless;
    const queueArn = { 'Fn::GetAtt': [logicalId(dispatch.queue), 'Arn'] };
    const resources = withZone.template.toJSON().Resources;
    const env = (fn: IConstruct) => resources[logicalId(fn)].Properties.Environment.Variables;
    expect(env(site.function).CONFIRMATION_QUEUE_URL).toEqual({ Ref: logicalId(dispatch.queue) });
    expect(env(dispatch.workerFunction).DISPATCH_QUEUE_URL).toEqual({ Ref: logicalId(dispatch.queue) });
    for (const fn of [site.function, dispatch.workerFunction]) {
      const policy = fn.role!.node.findChild('DefaultPolicy');
      const statements = resources[logicalId(policy)].Properties.PolicyDocument.Statement as {
        Action: unknown;
        Resource: unknown;
      }[];
      const sends = statements.filter((statement) => [statement.Action].flat().includes('sqs:SendMessage'));
      expect(sends.map((statement) => statement.Resource)).toContainEqual(queueArn);
    }
    withZone.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: queueArn,
      FunctionName: { Ref: logicalId(dispatch.workerFunction) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // One queue is polled for both: no second event source.
    withZone.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  });

  it('leaves no cdk-nag finding unacknowledged with or without a zone', () => {
    expect(unacknowledgedNagFindings(withZone.app)).toEqual([]);
    expect(unacknowledgedNagFindings(withoutZone.app)).toEqual([]);
  });
});
