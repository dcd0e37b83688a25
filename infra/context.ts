/**
 * The deployment's settings, read once from CDK context (`-c key=value` or cdk.json) and validated with
 * zod/mini: a missing or malformed value is an error that names its key and shows an example.
 */
import * as z from 'zod/mini';

/** The validated settings of one deployment. */
export interface CourseContext {
  /** Site and sending domain, e.g. `course.example.com`: the SES identity, and the site when a zone is given. */
  domain: string;
  /** The address course emails come from; always at `domain`, which the SES identity covers. */
  fromAddress: string;
  /** Where questions from subscribers are forwarded (used by the inbound path). */
  expertAddress: string;
  /** Every expert, comma-separated (the console's sign-in list and the assignment rotation); default: `expertAddress`. */
  expertAddresses?: string;
  /** The operators, comma-separated: they see the console's operator pages. */
  operatorAddresses?: string;
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
  /**
   * The site's certificate for CloudFront (it must be in us-east-1). Without it, and with a hosted zone,
   * the stateless stack creates one, which works only when the stacks deploy to us-east-1.
   */
  certificateArn?: string;
  /** The DMARC policy published for `domain` (`p=`): start with `none`, tighten once reports look clean. */
  dmarcPolicy: DmarcPolicy;
  /** Where receivers send DMARC aggregate reports (`rua=mailto:…`); without it nobody gets reports. */
  dmarcReportAddress?: string;
  /**
   * Activate our receipt rule set even when another one is active (`-c replaceActiveRuleSet=true`):
   * that set's receiving stops. Without it, such a deployment fails and changes nothing.
   */
  replaceActiveRuleSet: boolean;
  /** True when no context was given and example values stand in: synth works, deployment is refused. */
  placeholder: boolean;
}

/** What receivers should do with mail that fails DMARC. */
export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

const DMARC_POLICIES = ['none', 'quarantine', 'reject'] as const satisfies readonly DmarcPolicy[];

/** How long raw inbound mail is kept when `inboundRetentionDays` is not given. */
const DEFAULT_INBOUND_RETENTION_DAYS = 30;

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
  dmarcReportAddress: 'dmarc-reports@example.com',
  backupAddress: 'backup-coach@example.com',
  expertAddresses: 'coach@example.com,coach2@example.com',
  operatorAddresses: 'owner@example.com',
  inboundRetentionDays: '30',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
  replaceActiveRuleSet: 'true',
} as const;

type Key = keyof typeof EXAMPLES;

const RETENTION_PROBLEM = 'must be a whole number of days from 1 to 3650';

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
const US_EAST_1_CERTIFICATE = /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;

/** A trimmed, non-empty string; "is missing" when absent. */
const text = z
  .string({ error: (issue) => (issue.input === undefined ? 'is missing' : 'must be a non-empty string') })
  .check(z.trim(), z.minLength(1, 'must be a non-empty string'));
const hostname = text.check(
  z.toLowerCase(),
  z.overwrite((value) => value.replace(/\.$/, '')),
  z.regex(HOSTNAME, 'must be a domain name'),
);
const email = text.check(z.regex(EMAIL, 'must be an email address'));
const ADDRESS = '[^\\s@<>",]+@[^\\s@<>",]+';
const emailList = text.check(
  z.regex(new RegExp(`^${ADDRESS}(\\s*,\\s*${ADDRESS})*$`), 'must be email addresses separated by commas'),
);

/** Each key's own rules, in the order they are reported; rules across keys are in `checkTogether`. */
const CONTEXT_SCHEMA = z.object({
  domain: hostname,
  fromAddress: email,
  expertAddress: email,
  postalAddress: text.check(z.minLength(5, 'must be a full postal address')),
  replyDomain: z.optional(hostname),
  alarmEmail: z.optional(email),
  backupAddress: z.optional(email),
  expertAddresses: z.optional(emailList),
  operatorAddresses: z.optional(emailList),
  // A number in cdk.json, a string from `-c inboundRetentionDays=30`.
  inboundRetentionDays: z._default(
    z.coerce
      .number({ error: RETENTION_PROBLEM })
      .check(z.refine((days) => Number.isInteger(days) && days >= 1 && days <= 3650, RETENTION_PROBLEM)),
    DEFAULT_INBOUND_RETENTION_DAYS,
  ),
  hostedZoneId: z.optional(text.check(z.regex(HOSTED_ZONE_ID, 'must be a Route 53 zone id'))),
  hostedZoneName: z.optional(hostname),
  dmarcPolicy: z._default(z.enum(DMARC_POLICIES, `must be one of ${DMARC_POLICIES.join(', ')}`), 'none'),
  certificateArn: z.optional(
    text.check(
      z.regex(
        US_EAST_1_CERTIFICATE,
        'must be the ARN of an ACM certificate in us-east-1 (CloudFront uses only those)',
      ),
    ),
  ),
  dmarcReportAddress: z.optional(email),
  // A boolean in cdk.json, a string from `-c replaceActiveRuleSet=true`.
  replaceActiveRuleSet: z._default(
    z.union([z.boolean(), z.enum(['true', 'false'])], { error: 'must be true or false' }),
    false,
  ),
} satisfies Record<Key, z.ZodMiniType>);

type ParsedContext = z.infer<typeof CONTEXT_SCHEMA>;

/** Reads and validates the deployment's context; `get` is usually `(key) => app.node.tryGetContext(key)`. */
export function readCourseContext(get: (key: string) => unknown): CourseContext {
  const keys = Object.keys(EXAMPLES) as Key[];
  const given = Object.fromEntries(keys.map((key) => [key, get(key)]));
  if (keys.every((key) => given[key] === undefined)) {
    return {
      ...PLACEHOLDER,
      replyDomain: `reply.${PLACEHOLDER.domain}`,
      dmarcPolicy: 'none',
      inboundRetentionDays: DEFAULT_INBOUND_RETENTION_DAYS,
      replaceActiveRuleSet: false,
      placeholder: true,
    };
  }
  const parsed = CONTEXT_SCHEMA.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0] as Key;
    const value = given[key];
    const got = value === undefined ? '' : `, got "${String(value)}"`;
    throw new ContextError(key, `${issue.message}${got}`, EXAMPLES[key]);
  }
  return checkTogether(parsed.data);
}

/** The rules that tie keys together: the identity covers the sender, the zone holds the domain. */
function checkTogether(context: ParsedContext): CourseContext {
  const { domain, fromAddress, hostedZoneId, hostedZoneName, ...rest } = context;
  if (fromAddress.split('@')[1]?.toLowerCase() !== domain) {
    const problem = `must be an address at ${domain} (the SES identity this app verifies), got "${fromAddress}"`;
    throw new ContextError('fromAddress', problem, `course@${domain}`);
  }
  const replyDomain = context.replyDomain ?? `reply.${domain}`;
  if (replyDomain !== domain && !replyDomain.endsWith(`.${domain}`)) {
    // Our replies' Reply-To must align with the From domain the SES identity (and DMARC) covers.
    const problem = `must be ${domain} or a subdomain of it, got "${replyDomain}"`;
    throw new ContextError('replyDomain', problem, `reply.${domain}`);
  }
  if (replyDomain === `mail.${domain}`) {
    // The custom MAIL FROM domain has its own MX (bounces to SES feedback) and must not receive mail.
    throw new ContextError(
      'replyDomain',
      `must not be the MAIL FROM domain mail.${domain}`,
      `reply.${domain}`,
    );
  }
  if ((hostedZoneId === undefined) !== (hostedZoneName === undefined)) {
    const missing: Key = hostedZoneId === undefined ? 'hostedZoneId' : 'hostedZoneName';
    const problem = 'is missing (hostedZoneId and hostedZoneName go together)';
    throw new ContextError(missing, problem, EXAMPLES[missing]);
  }
  if (hostedZoneName !== undefined && domain !== hostedZoneName && !domain.endsWith(`.${hostedZoneName}`)) {
    const problem = `must be ${domain} or a parent of it, got "${hostedZoneName}"`;
    throw new ContextError('hostedZoneName', problem, EXAMPLES.hostedZoneName);
  }
  const hostedZone =
    hostedZoneId !== undefined && hostedZoneName !== undefined
      ? { id: hostedZoneId, name: hostedZoneName }
      : undefined;
  const replaceActiveRuleSet = rest.replaceActiveRuleSet === true || rest.replaceActiveRuleSet === 'true';
  return { ...rest, domain, fromAddress, replyDomain, hostedZone, replaceActiveRuleSet, placeholder: false };
}
