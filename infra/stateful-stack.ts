/**
 * Everything that holds state or identity and must outlive a redeploy of the functions: the table, the
 * signing key, the SES identity and configuration set, and (with a hosted zone) the site's domain name.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { DomainName } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import {
  ARecord,
  type IPublicHostedZone,
  PublicHostedZone,
  RecordTarget,
  TxtRecord,
} from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  ConfigurationSet,
  DkimIdentity,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  type Identity,
  MailFromBehaviorOnMxFailure,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../functions/adapters/dynamo-table';
import type { CourseContext } from './context';
import { InboundMailStore } from './inbound-mail';

/** Properties of the stateful stack. */
export interface StatefulStackProps extends StackProps {
  context: CourseContext;
}

/** The SES events the product acts on (see functions/app/handle-ses-event.ts). */
export const SES_EVENTS = [
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.REJECT,
  EmailSendingEvent.RENDERING_FAILURE,
];

/** The table, secret, SES identity and configuration set, and the site's domain name when a zone is given. */
export class StatefulStack extends Stack {
  readonly table: TableV2;
  /** JSON `{ "current": <64 characters> }`; a rotation adds `previous` by hand (see the acknowledgment below). */
  readonly signingSecret: Secret;
  readonly emailIdentity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly configurationSetArn: string;
  /** The API's custom domain at `context.domain`; absent without a hosted zone. */
  readonly siteDomain?: DomainName;
  /** The bucket of raw inbound mail, and the receipt rule allowed to write to it. */
  readonly inboundMail: InboundMailStore;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { context } = props;

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: INDEXES.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.KEYS_ONLY,
      })),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.signingSecret = new Secret(this, 'SigningSecret', {
      description: 'HMAC key of confirm and unsubscribe links: { "current": ..., "previous"?: ... }',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'current',
        passwordLength: 64,
        excludePunctuation: true,
      },
      // Losing the key breaks every unsubscribe link already sent.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Unsubscribe links never expire, so the key is rotated by hand: the old value moves to "previous" and ' +
        'stays accepted. An automatic rotation Lambda would invalidate links in mailboxes.',
    });

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    // Bounces, complaints and deliveries go to the default event bus, where the stateless stack's rule
    // hands them to the events function. (The default bus is the only one SES can publish to.)
    this.configurationSet.addEventDestination('EventBridge', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: SES_EVENTS,
    });
    this.inboundMail = new InboundMailStore(this, 'InboundMail', {
      retentionDays: context.inboundRetentionDays,
    });

    this.configurationSetArn = this.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });

    const zone = context.hostedZone
      ? PublicHostedZone.fromPublicHostedZoneAttributes(this, 'Zone', {
          hostedZoneId: context.hostedZone.id,
          zoneName: context.hostedZone.name,
        })
      : undefined;

    this.emailIdentity = new EmailIdentity(this, 'EmailIdentity', {
      identity: domainIdentity(context.domain, zone),
      dkimIdentity: DkimIdentity.easyDkim(),
      mailFromDomain: `mail.${context.domain}`,
      mailFromBehaviorOnMxFailure: MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
      // Every send uses this set even if a caller forgets to name it.
      configurationSet: this.configurationSet,
    });

    // DMARC ties SPF (custom MAIL FROM) and DKIM to the From domain; `p=none` only asks for reports.
    const dmarc = `v=DMARC1; p=${context.dmarcPolicy}; adkim=r; aspf=r`;
    if (zone) {
      new TxtRecord(this, 'DmarcRecord', { zone, recordName: `_dmarc.${context.domain}.`, values: [dmarc] });
      const certificate = new Certificate(this, 'SiteCertificate', {
        domainName: context.domain,
        validation: CertificateValidation.fromDns(zone),
      });
      this.siteDomain = new DomainName(this, 'SiteDomain', { domainName: context.domain, certificate });
      new ARecord(this, 'SiteRecord', {
        zone,
        recordName: `${context.domain}.`,
        target: RecordTarget.fromAlias(
          new ApiGatewayv2DomainProperties(
            this.siteDomain.regionalDomainName,
            this.siteDomain.regionalHostedZoneId,
          ),
        ),
      });
    } else {
      // Without a zone the DNS records are the operator's to create; print them.
      this.emailIdentity.dkimRecords.forEach((record, i) => {
        new CfnOutput(this, `DkimRecord${i + 1}`, {
          description: 'CNAME record that verifies the SES identity (Easy DKIM)',
          value: `${record.name} CNAME ${record.value}`,
        });
      });
      new CfnOutput(this, 'DmarcRecordOutput', {
        description: 'DMARC record of the sending domain',
        value: `_dmarc.${context.domain} TXT "${dmarc}"`,
      });
      new CfnOutput(this, 'MailFromRecords', {
        description: 'Records of the custom MAIL FROM domain',
        value: `mail.${context.domain} MX 10 feedback-smtp.${this.region}.amazonses.com ; mail.${context.domain} TXT "v=spf1 include:amazonses.com ~all"`,
      });
    }
  }
}

/**
 * The SES identity of the course domain, with the zone that receives its DKIM and MAIL FROM records.
 * `Identity.publicHostedZone` would name the identity after the zone itself; the course domain may be a
 * subdomain of the zone (course.example.com in example.com), so it is named after the domain.
 */
function domainIdentity(domain: string, zone: IPublicHostedZone | undefined): Identity {
  return { value: domain, hostedZone: zone };
}
