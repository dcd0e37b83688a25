/**
 * Everything that holds state or identity and must outlive a redeploy of the functions: the table, the
 * signing key, the SES identity and configuration set (the site's domain and certificate live with its
 * distribution, in the stateless stack).
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { type IPublicHostedZone, PublicHostedZone, TxtRecord } from 'aws-cdk-lib/aws-route53';
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
import type { SharedResources } from './course-function';
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

/** The table, secret, SES identity and configuration set. */
export class StatefulStack extends Stack {
  readonly table: TableV2;
  /** JSON `{ "current": <64 characters> }`; a rotation adds `previous` by hand (see the acknowledgment in `signingSecret`). */
  readonly signingSecret: Secret;
  readonly emailIdentity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  /** What every function uses (table, signing key, SES sending), handed to the stacks that add functions. */
  readonly shared: SharedResources;
  /** The bucket of raw inbound mail, and the receipt rule allowed to write to it. */
  readonly inboundMail: InboundMailStore;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { context } = props;
    this.table = courseTable(this);
    this.signingSecret = signingSecret(this);
    this.configurationSet = configurationSet(this);
    this.inboundMail = new InboundMailStore(this, 'InboundMail', {
      retentionDays: context.inboundRetentionDays,
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
    this.shared = {
      table: this.table,
      signingSecret: this.signingSecret,
      sending: {
        identity: this.emailIdentity,
        configurationSetName: this.configurationSet.configurationSetName,
        configurationSetArn: this.formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: this.configurationSet.configurationSetName,
        }),
      },
    };
    // DMARC ties SPF (custom MAIL FROM) and DKIM to the From domain; `p=none` only asks for reports.
    // `rua=` asks receivers for aggregate reports, the evidence for tightening the policy later.
    const reports = context.dmarcReportAddress ? `; rua=mailto:${context.dmarcReportAddress}` : '';
    const dmarc = `v=DMARC1; p=${context.dmarcPolicy}; adkim=r; aspf=r${reports}`;
    if (zone)
      new TxtRecord(this, 'DmarcRecord', { zone, recordName: `_dmarc.${context.domain}.`, values: [dmarc] });
    else printDnsRecords(this, context.domain, this.emailIdentity, dmarc);
  }
}

/** The single table, from the shared definition; kept on delete, recoverable to any point in time. */
function courseTable(stack: Stack): TableV2 {
  return new TableV2(stack, 'Table', {
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
}

/** The HMAC key of confirm and unsubscribe links, generated by Secrets Manager and never in the repo. */
function signingSecret(stack: Stack): Secret {
  const secret = new Secret(stack, 'SigningSecret', {
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
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'Unsubscribe links never expire, so the key is rotated by hand: the old value moves to "previous" and ' +
      'stays accepted. An automatic rotation Lambda would invalidate links in mailboxes.',
  });
  return secret;
}

/** The configuration set every send goes through, publishing its SES events to the default bus. */
function configurationSet(stack: Stack): ConfigurationSet {
  const set = new ConfigurationSet(stack, 'ConfigurationSet', {
    reputationMetrics: true,
    sendingEnabled: true,
    suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
  });
  // Bounces, complaints and deliveries go to the default event bus, where the stateless stack's rule
  // hands them to the events function. (The default bus is the only one SES can publish to.)
  set.addEventDestination('EventBridge', {
    destination: EventDestination.eventBus(EventBus.fromEventBusName(stack, 'DefaultBus', 'default')),
    events: SES_EVENTS,
  });
  return set;
}

/** Without a zone the DNS records are the operator's to create: printed as outputs. */
function printDnsRecords(stack: Stack, domain: string, identity: EmailIdentity, dmarc: string): void {
  identity.dkimRecords.forEach((record, i) => {
    new CfnOutput(stack, `DkimRecord${i + 1}`, {
      description: 'CNAME record that verifies the SES identity (Easy DKIM)',
      value: `${record.name} CNAME ${record.value}`,
    });
  });
  new CfnOutput(stack, 'DmarcRecordOutput', {
    description: 'DMARC record of the sending domain',
    value: `_dmarc.${domain} TXT "${dmarc}"`,
  });
  new CfnOutput(stack, 'MailFromRecords', {
    description: 'Records of the custom MAIL FROM domain',
    value: `mail.${domain} MX 10 feedback-smtp.${stack.region}.amazonses.com ; mail.${domain} TXT "v=spf1 include:amazonses.com ~all"`,
  });
}

/**
 * The SES identity of the course domain, with the zone that receives its DKIM and MAIL FROM records.
 * `Identity.publicHostedZone` would name the identity after the zone itself; the course domain may be a
 * subdomain of the zone (course.example.com in example.com), so it is named after the domain.
 */
function domainIdentity(domain: string, zone: IPublicHostedZone | undefined): Identity {
  return { value: domain, hostedZone: zone };
}
