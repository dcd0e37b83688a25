/**
 * The site at the edge: the static files (landing page, check-your-inbox page, fingerprinted assets)
 * published to a private bucket at deploy and served by CloudFront, and the dynamic paths sent through
 * the same distribution to the HTTP API, so the site stays one origin. CloudFront adds a secret header
 * the API checks; requests that bypass it are refused.
 */
import { Aws, CfnRule, Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestCookieBehavior,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  AaaaRecord,
  ARecord,
  type IPublicHostedZone,
  PublicHostedZone,
  RecordTarget,
} from 'aws-cdk-lib/aws-route53';
import { CloudFrontTarget } from 'aws-cdk-lib/aws-route53-targets';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { templates } from '../functions/compose';
import { ORIGIN_HEADER, SECURITY_HEADERS } from '../functions/http/middleware';
import { ROOT_OBJECT, type StaticFile, staticSiteFiles } from '../functions/http/static-site';
import type { CourseContext } from './context';

/** Paths the API answers; everything else is the static site. Cookies only where a session lives. */
export const API_PATHS = ['/api/*', '/confirm', '/unsubscribe', '/health'] as const;
export const SESSION_PATHS = ['/console*', '/manage*'] as const;

/** Days CloudFront and bucket access logs are kept (they hold viewers' IP addresses). */
export const EDGE_LOG_DAYS = 30;

/** Properties of the site's edge. */
export interface SiteEdgeProps {
  api: HttpApi;
  context: CourseContext;
  /** The confirmation resend window the pages mention (CONFIRM_RESEND_MINUTES of the functions). */
  confirmResendMinutes: number;
}

/** The bucket, its deployment, the distribution, and with a hosted zone the domain, certificate and records. */
export class SiteEdge extends Construct {
  readonly bucket: Bucket;
  readonly logs: Bucket;
  readonly distribution: Distribution;
  /** `https://<domain>` with a hosted zone, else `https://<distribution>.cloudfront.net`. */
  readonly siteUrl: string;
  /**
   * What CloudFront sends in `x-origin-verify` and the API requires: the random UUID AWS gave this stack
   * when it was created. Not in the repo, never in a template as a literal, the same for the life of the
   * stack (no window where CloudFront and the API disagree), and costs no secret.
   */
  readonly originSecret: string;

  constructor(scope: Construct, id: string, props: SiteEdgeProps) {
    super(scope, id);
    const { context } = props;
    this.originSecret = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    this.logs = logBucket(this);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 's3/',
    });
    const zone = context.hostedZone
      ? PublicHostedZone.fromPublicHostedZoneAttributes(this, 'Zone', {
          hostedZoneId: context.hostedZone.id,
          zoneName: context.hostedZone.name,
        })
      : undefined;
    const certificate = zone ? siteCertificate(this, context, zone) : undefined;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'The course site: static pages from S3, the API under the same origin',
      defaultRootObject: ROOT_OBJECT,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeadersPolicy(this),
        compress: true,
      },
      additionalBehaviors: this.apiBehaviors(props.api),
      domainNames: certificate ? [context.domain] : undefined,
      certificate,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
      logIncludesCookies: false,
    });
    acknowledgeDistribution(this.distribution, Boolean(certificate));
    this.siteUrl = zone ? `https://${context.domain}` : `https://${this.distribution.distributionDomainName}`;
    if (zone) {
      const target = RecordTarget.fromAlias(new CloudFrontTarget(this.distribution));
      new ARecord(this, 'SiteRecord', { zone, recordName: `${context.domain}.`, target });
      new AaaaRecord(this, 'SiteRecordIpv6', { zone, recordName: `${context.domain}.`, target });
    }
    this.publish(context, props.confirmResendMinutes);
  }

  /** The dynamic paths: to the API, never cached, with what the app reads from the viewer's request. */
  private apiBehaviors(api: HttpApi): Record<string, BehaviorOptions> {
    const origin = new HttpOrigin(`${api.apiId}.execute-api.${Stack.of(this).region}.${Aws.URL_SUFFIX}`, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      customHeaders: { [ORIGIN_HEADER]: this.originSecret },
    });
    const behavior = (cookies: boolean): BehaviorOptions => ({
      origin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: apiRequestPolicy(this, cookies),
      compress: true,
    });
    const plain = behavior(false);
    const session = behavior(true);
    return Object.fromEntries([
      ...API_PATHS.map((path) => [path, plain] as const),
      ...SESSION_PATHS.map((path) => [path, session] as const),
    ]);
  }

  /**
   * The static files, rendered with the deployment's settings, published at deploy: one deployment per
   * content type and caching rule (S3 metadata is per deployment). Nothing is pruned, so a page still
   * cached somewhere finds the assets it names. Pages are cached five minutes, at the edge too, so a
   * deploy shows everywhere within five minutes without an invalidation (which needs a grant on "*").
   */
  private publish(context: CourseContext, confirmResendMinutes: number): void {
    const files = staticSiteFiles({
      templates,
      settings: { postalAddress: context.postalAddress, confirmResendMs: confirmResendMinutes * 60_000 },
    });
    const groups = new Map<string, StaticFile[]>();
    for (const file of files) {
      const group = `${file.contentType}|${file.cacheControl}`;
      groups.set(group, [...(groups.get(group) ?? []), file]);
    }
    // One log group for CDK's deployment handler, which all the deployments share.
    const logGroup = new LogGroup(this, 'PublishLogs', { retention: RetentionDays.ONE_MONTH });
    [...groups.values()].forEach((group, i) => {
      const [first] = group as [StaticFile];
      new BucketDeployment(this, `Publish${i}`, {
        destinationBucket: this.bucket,
        sources: group.map((file) => Source.data(file.key, file.body)),
        contentType: first.contentType,
        cacheControl: [CacheControl.fromString(first.cacheControl)],
        prune: false,
        logGroup,
      });
    });
    acknowledgeDeploymentHandler(Stack.of(this));
  }
}

/** CloudFront's and the bucket's access logs: private, kept EDGE_LOG_DAYS days. */
function logBucket(scope: Construct): Bucket {
  const bucket = new Bucket(scope, 'Logs', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    // CloudFront's standard logs are delivered with an ACL.
    objectOwnership: ObjectOwnership.OBJECT_WRITER,
    lifecycleRules: [{ expiration: Duration.days(EDGE_LOG_DAYS) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'This bucket holds the access logs of the site bucket and the distribution; logging it would recurse.',
  });
  return bucket;
}

/**
 * The certificate of the site's domain. CloudFront takes only certificates in us-east-1: the one given
 * as `-c certificateArn=…`, else one created here, which the stack refuses to deploy outside us-east-1.
 */
function siteCertificate(scope: Construct, context: CourseContext, zone: IPublicHostedZone): ICertificate {
  if (context.certificateArn)
    return Certificate.fromCertificateArn(scope, 'Certificate', context.certificateArn);
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && region !== 'us-east-1') {
    throw new Error(
      `CDK context "certificateArn" is missing: CloudFront needs a certificate in us-east-1 and this stack ` +
        `deploys to ${region}. Create one for ${context.domain} there and pass -c certificateArn=arn:aws:acm:us-east-1:…`,
    );
  }
  new CfnRule(Stack.of(scope), 'CertificateInUsEast1', {
    assertions: [
      {
        assert: Fn.conditionEquals(Aws.REGION, 'us-east-1'),
        assertDescription:
          'CloudFront needs the site certificate in us-east-1: deploy there, or pass -c certificateArn=<a us-east-1 certificate>.',
      },
    ],
  });
  return new Certificate(scope, 'Certificate', {
    domainName: context.domain,
    validation: CertificateValidation.fromDns(zone),
  });
}

/** SECURITY_HEADERS, as CloudFront's response headers policy spells them (the test compares the two). */
function securityHeadersPolicy(scope: Construct): ResponseHeadersPolicy {
  const h = SECURITY_HEADERS;
  const covered = new Set([
    'Content-Security-Policy',
    'X-Content-Type-Options',
    'X-Frame-Options',
    'Referrer-Policy',
    'Strict-Transport-Security',
    'X-XSS-Protection',
  ]);
  const hsts = /^max-age=(\d+); includeSubDomains$/.exec(h['Strict-Transport-Security'] ?? '');
  if (
    !hsts ||
    h['X-Frame-Options'] !== 'DENY' ||
    h['Referrer-Policy'] !== 'same-origin' ||
    h['X-XSS-Protection'] !== '0'
  ) {
    throw new Error('SECURITY_HEADERS changed: update securityHeadersPolicy in infra/site-edge.ts to match');
  }
  return new ResponseHeadersPolicy(scope, 'SecurityHeaders', {
    comment: 'The same security headers the app sends (functions/http/middleware.ts)',
    securityHeadersBehavior: {
      contentSecurityPolicy: {
        contentSecurityPolicy: h['Content-Security-Policy'] as string,
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.SAME_ORIGIN, override: true },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.seconds(Number(hsts[1])),
        includeSubdomains: true,
        override: true,
      },
      xssProtection: { protection: false, override: true },
    },
    customHeadersBehavior: {
      customHeaders: Object.entries(h)
        .filter(([name]) => !covered.has(name))
        .map(([header, value]) => ({ header, value, override: true })),
    },
  });
}

/**
 * What the app reads from the viewer's request: the query string (tokens), the headers of the cross-site
 * check (Origin, Sec-Fetch-Site), the body's type, the user agent (consent record), and the viewer's
 * address CloudFront writes (signup limits per client); cookies only for the console and manage pages.
 */
function apiRequestPolicy(scope: Construct, cookies: boolean): OriginRequestPolicy {
  const id = cookies ? 'SessionRequests' : 'ApiRequests';
  const existing = scope.node.tryFindChild(id) as OriginRequestPolicy | undefined;
  if (existing) return existing;
  return new OriginRequestPolicy(scope, id, {
    comment: cookies ? 'Console and manage pages: as the API, with cookies' : 'API, confirm and unsubscribe',
    queryStringBehavior: OriginRequestQueryStringBehavior.all(),
    cookieBehavior: cookies ? OriginRequestCookieBehavior.all() : OriginRequestCookieBehavior.none(),
    headerBehavior: OriginRequestHeaderBehavior.allowList(
      'Origin',
      'Sec-Fetch-Site',
      'Content-Type',
      'User-Agent',
      'CloudFront-Viewer-Address',
    ),
  });
}

function acknowledgeDistribution(distribution: Distribution, customDomain: boolean): void {
  const findings: [string, string][] = [
    ['AwsSolutions-CFR1', 'The course is open to job seekers everywhere: no country is blocked.'],
    [
      'AwsSolutions-CFR2',
      'AWS WAF costs more a month than the rest of the stack; abuse of the only write (signup) is limited by ' +
        'the API route throttle and the per-client and per-address rules in the app.',
    ],
  ];
  if (!customDomain) {
    findings.push([
      'AwsSolutions-CFR4',
      'Without a custom domain the distribution uses the cloudfront.net certificate, whose TLS policy cannot ' +
        'be set; with one (a hosted zone) it requires TLS 1.2.',
    ]);
  }
  for (const [id, reason] of findings) Validations.of(distribution).acknowledge({ id, reason });
}

/** The singleton function behind every BucketDeployment of the stack, created by CDK itself. */
function acknowledgeDeploymentHandler(stack: Stack): void {
  const handler = stack.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (!handler) return;
  const findings: [string, string][] = [
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'it writes its own logs with the AWS managed basic execution policy',
    ],
    ['AwsSolutions-IAM5[Action::s3:GetBucket*]', 'it reads its asset objects and the site bucket'],
    ['AwsSolutions-IAM5[Action::s3:GetObject*]', 'it reads its asset objects and the site bucket'],
    ['AwsSolutions-IAM5[Action::s3:List*]', 'it lists its asset objects and the site bucket'],
    ['AwsSolutions-IAM5[Action::s3:Abort*]', 'it uploads to the site bucket (multipart uploads)'],
    [
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'it writes the site bucket (never pruning: prune is off)',
    ],
    [
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      "the files come from CDK's asset bucket",
    ],
    ['AwsSolutions-IAM5[Resource::<EdgeBucket82B3C6DC.Arn>/*]', 'it writes every object of the site bucket'],
  ];
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      "The runtime of CDK's own BucketDeployment handler is chosen by aws-cdk-lib, not by this project.",
  });
  for (const [id, why] of findings) {
    Validations.of(handler).acknowledge({
      id,
      reason: `CDK's own BucketDeployment handler, which runs only at deploy and publishes the static site: ${why}.`,
    });
  }
}
