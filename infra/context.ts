/**
 * The deployment's settings, read once from CDK context (`-c key=value` or cdk.json) and validated: a
 * missing or malformed value is an error that names its key and shows an example.
 */

/** The validated settings of one deployment. */
export interface CourseContext {
  /** Site and sending domain, e.g. `course.example.com`: the SES identity, and the site when a zone is given. */
  domain: string;
  /** The address course emails come from; always at `domain`, which the SES identity covers. */
  fromAddress: string;
  /** Where questions from subscribers are forwarded (used by the inbound path). */
  expertAddress: string;
  /** Told when a question has waited 24 hours; the functions default it to `expertAddress`. */
  backupAddress?: string;
  /** Days the raw MIME of an inbound message (a question or answer) is kept in S3. */
  inboundRetentionDays: number;
  /** The sender's postal address, printed in every email's footer (required for bulk mail). */
  postalAddress: string;
  /** Replies go to `reply+<id>.<mac>@<replyDomain>`. */
  replyDomain: string;
  /** A Route 53 public zone holding `domain`: DNS records, certificate and the site's custom domain. */
  hostedZone?: { id: string; name: string };
  /** Alarm notifications go here by email. */
  alarmEmail?: string;
  /** The DMARC policy published for `domain` (`p=`): start with `none`, tighten once reports look clean. */
  dmarcPolicy: DmarcPolicy;
  /** True when no context was given and example values stand in: synth works, deployment is refused. */
  placeholder: boolean;
}

/** What receivers should do with mail that fails DMARC. */
export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

const DMARC_POLICIES: readonly DmarcPolicy[] = ['none', 'quarantine', 'reject'];

/** How long raw inbound mail is kept when `inboundRetentionDays` is not given. */
export const DEFAULT_INBOUND_RETENTION_DAYS = 30;

/** A context value is missing or malformed. */
export class ContextError extends Error {
  constructor(
    readonly key: string,
    problem: string,
    example: string,
  ) {
    super(`CDK context "${key}" ${problem}. Pass it like: npx cdk deploy -c ${key}=${example}`);
    this.name = 'ContextError';
  }
}

const EXAMPLES = {
  domain: 'course.example.com',
  fromAddress: 'course@course.example.com',
  expertAddress: 'coach@example.com',
  postalAddress: "'1 Main Street, Springfield, USA'",
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com',
  replyDomain: 'reply.course.example.com',
  alarmEmail: 'ops@example.com',
  dmarcPolicy: 'quarantine',
  backupAddress: 'backup-coach@example.com',
  inboundRetentionDays: '30',
} as const;

type Key = keyof typeof EXAMPLES;

/**
 * Stand-ins used only when no context key at all is given, so that `npx cdk synth` works on a fresh
 * checkout with no flags. The stacks then carry a CloudFormation rule that refuses to deploy them.
 * Any context given switches to strict mode, where every required key must be present and valid.
 */
const PLACEHOLDER = {
  domain: 'course.example.com',
  fromAddress: 'course@course.example.com',
  expertAddress: 'expert@example.com',
  postalAddress: '1 Example Street, Example City',
} as const;

const HOSTNAME = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const EMAIL = /^[^\s@<>"]+@([^\s@<>"]+)$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

/** Reads and validates the deployment's context; `get` is usually `(key) => app.node.tryGetContext(key)`. */
export function readCourseContext(get: (key: string) => unknown): CourseContext {
  const keys = Object.keys(EXAMPLES) as Key[];
  if (keys.every((key) => get(key) === undefined)) {
    return {
      ...PLACEHOLDER,
      replyDomain: `reply.${PLACEHOLDER.domain}`,
      dmarcPolicy: 'none',
      inboundRetentionDays: DEFAULT_INBOUND_RETENTION_DAYS,
      placeholder: true,
    };
  }

  const optional = (key: Key): string | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '')
      throw new ContextError(key, 'must be a non-empty string', EXAMPLES[key]);
    return value.trim();
  };
  const required = (key: Key): string => {
    const value = optional(key);
    if (value === undefined) throw new ContextError(key, 'is missing', EXAMPLES[key]);
    return value;
  };
  const hostname = (key: Key, value: string): string => {
    const lower = value.toLowerCase();
    if (!HOSTNAME.test(lower))
      throw new ContextError(key, `must be a domain name, got "${value}"`, EXAMPLES[key]);
    return lower;
  };
  const email = (key: Key, value: string): string => {
    if (!EMAIL.test(value))
      throw new ContextError(key, `must be an email address, got "${value}"`, EXAMPLES[key]);
    return value;
  };

  const domain = hostname('domain', required('domain'));

  const fromAddress = email('fromAddress', required('fromAddress'));
  if (fromAddress.split('@')[1]?.toLowerCase() !== domain) {
    throw new ContextError(
      'fromAddress',
      `must be an address at ${domain} (the SES identity this app verifies), got "${fromAddress}"`,
      `course@${domain}`,
    );
  }

  const expertAddress = email('expertAddress', required('expertAddress'));

  const postalAddress = required('postalAddress');
  if (postalAddress.length < 5) {
    throw new ContextError('postalAddress', 'must be a full postal address', EXAMPLES.postalAddress);
  }

  const replyDomain = hostname('replyDomain', optional('replyDomain') ?? `reply.${domain}`);
  if (replyDomain === `mail.${domain}`) {
    // The custom MAIL FROM domain has its own MX (bounces to SES feedback) and must not receive mail.
    throw new ContextError(
      'replyDomain',
      `must not be the MAIL FROM domain mail.${domain}`,
      `reply.${domain}`,
    );
  }

  const alarmEmailValue = optional('alarmEmail');
  const alarmEmail = alarmEmailValue === undefined ? undefined : email('alarmEmail', alarmEmailValue);

  const backupAddressValue = optional('backupAddress');
  const backupAddress =
    backupAddressValue === undefined ? undefined : email('backupAddress', backupAddressValue);

  // A number in cdk.json, a string from `-c inboundRetentionDays=30`.
  const retentionValue = get('inboundRetentionDays');
  const inboundRetentionDays =
    retentionValue === undefined ? DEFAULT_INBOUND_RETENTION_DAYS : Number(String(retentionValue).trim());
  if (!Number.isInteger(inboundRetentionDays) || inboundRetentionDays < 1 || inboundRetentionDays > 3650) {
    throw new ContextError(
      'inboundRetentionDays',
      `must be a whole number of days from 1 to 3650, got "${String(retentionValue)}"`,
      EXAMPLES.inboundRetentionDays,
    );
  }

  const zoneId = optional('hostedZoneId');
  const zoneNameValue = optional('hostedZoneName');
  if ((zoneId === undefined) !== (zoneNameValue === undefined)) {
    const missing: Key = zoneId === undefined ? 'hostedZoneId' : 'hostedZoneName';
    throw new ContextError(
      missing,
      'is missing (hostedZoneId and hostedZoneName go together)',
      EXAMPLES[missing],
    );
  }
  const dmarcPolicy = (optional('dmarcPolicy') ?? 'none') as DmarcPolicy;
  if (!DMARC_POLICIES.includes(dmarcPolicy)) {
    throw new ContextError(
      'dmarcPolicy',
      `must be one of ${DMARC_POLICIES.join(', ')}, got "${dmarcPolicy}"`,
      EXAMPLES.dmarcPolicy,
    );
  }

  let hostedZone: CourseContext['hostedZone'];
  if (zoneId !== undefined && zoneNameValue !== undefined) {
    if (!HOSTED_ZONE_ID.test(zoneId)) {
      throw new ContextError(
        'hostedZoneId',
        `must be a Route 53 zone id, got "${zoneId}"`,
        EXAMPLES.hostedZoneId,
      );
    }
    const zoneName = hostname('hostedZoneName', zoneNameValue.replace(/\.$/, ''));
    if (domain !== zoneName && !domain.endsWith(`.${zoneName}`)) {
      throw new ContextError(
        'hostedZoneName',
        `must be ${domain} or a parent of it, got "${zoneName}"`,
        EXAMPLES.hostedZoneName,
      );
    }
    hostedZone = { id: zoneId, name: zoneName };
  }

  return {
    domain,
    fromAddress,
    expertAddress,
    postalAddress,
    replyDomain,
    hostedZone,
    alarmEmail,
    dmarcPolicy,
    backupAddress,
    inboundRetentionDays,
    placeholder: false,
  };
}
