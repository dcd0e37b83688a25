/**
 * Reads and validates the environment once. A missing or malformed variable is an error that names it.
 */
import * as z from 'zod/mini';
import { INBOUND_MAIL_PREFIX } from './adapters/dynamo-table';

/** How long a pending address waits for another confirmation email; the static pages state it too. */
export const DEFAULT_CONFIRM_RESEND_MINUTES = 15;

const positiveInt = (fallback: number) =>
  z.pipe(
    z.optional(z.string().check(z.regex(/^\d+$/, 'a whole number'))),
    z.transform((value) => (value === undefined ? fallback : Number(value))),
  );

const ADDRESS = '[^\\s@<>,]+@[^\\s@<>,]+';
const ADDRESS_LIST = new RegExp(`^\\s*${ADDRESS}(\\s*,\\s*${ADDRESS})*\\s*$`);

const schema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  SITE_URL: z
    .string()
    .check(z.regex(/^https?:\/\/[^/\s]+(\/[^\s]*[^/\s])?$/, 'an http(s) URL without a trailing slash')),
  FROM_ADDRESS: z.string().check(z.minLength(3)),
  SENDER_NAME: z._default(z.string(), 'The "It\'s not about you" team'),
  POSTAL_ADDRESS: z.string().check(z.minLength(5)),
  REPLY_DOMAIN: z.string().check(z.regex(/^[a-z0-9.-]+\.[a-z]{2,}$|^localhost$/i)),
  CONFIGURATION_SET: z.optional(z.string()),
  /** Cloud: the Secrets Manager secret holding `{ current, previous? }`. */
  SIGNING_SECRET_ARN: z.optional(z.string()),
  /** Local: the key itself. */
  SIGNING_KEY: z.optional(z.string().check(z.minLength(32))),
  SIGNING_KEY_PREVIOUS: z.optional(z.string().check(z.minLength(32))),
  DUE_SHARDS: positiveInt(8),
  MAX_SEND_RATE: positiveInt(14),
  CONFIRM_RESEND_MINUTES: positiveInt(DEFAULT_CONFIRM_RESEND_MINUTES),
  SIGNUP_FLOOR_MS: positiveInt(300),
  /** Valid signups one client (IP) may make per 10 minutes, five times as many a day (then 429). */
  SIGNUPS_PER_CLIENT: positiveInt(10),
  /** Where subscribers' questions go (required by the inbound and dispatch functions). */
  EXPERT_ADDRESS: z.optional(z.string().check(z.regex(/^[^\s@<>]+@[^\s@<>]+$/, 'an email address'))),
  /** The experts, comma-separated (wins over EXPERT_ADDRESS, which alone is a list of one). */
  EXPERT_ADDRESSES: z.optional(z.string().check(z.regex(ADDRESS_LIST, 'comma-separated email addresses'))),
  /** The operators (they see the operator pages of the console and subscribers' addresses), comma-separated. */
  OPERATOR_ADDRESSES: z.optional(z.string().check(z.regex(ADDRESS_LIST, 'comma-separated email addresses'))),
  /** Told when a question has waited 24 hours; defaults to EXPERT_ADDRESS. */
  BACKUP_ADDRESS: z.optional(z.string().check(z.regex(/^[^\s@<>]+@[^\s@<>]+$/, 'an email address'))),
  /** Cloud: the bucket where the SES receipt rule stores raw inbound mail, and the key prefix it uses. */
  INBOUND_BUCKET: z.optional(z.string().check(z.minLength(3))),
  INBOUND_PREFIX: z._default(z.string(), INBOUND_MAIL_PREFIX),
  QUESTIONS_PER_DAY: positiveInt(5),
  /** Cloud fan-out: the scheduled tick puts one message per due-index shard on this queue. */
  DISPATCH_QUEUE_URL: z.optional(z.string().check(z.regex(/^https?:\/\/\S+$/, 'an SQS queue URL'))),
  /** The API: the queue signups leave their confirmation emails on (the dispatch queue, whose workers send them). */
  CONFIRMATION_QUEUE_URL: z.optional(z.string().check(z.regex(/^https?:\/\/\S+$/, 'an SQS queue URL'))),
  /**
   * Cloud: the value CloudFront puts in the `x-origin-verify` header of every request it forwards; the API
   * refuses requests without it (they did not come through the site's distribution).
   */
  ORIGIN_SECRET: z.optional(z.string().check(z.minLength(16, 'at least 16 characters'))),
  /** Workers that may run at once (the queue's maximum concurrency); each takes this share of the send rate. */
  DISPATCH_WORKERS: positiveInt(1),
});

/** The validated configuration. */
export type Config = z.infer<typeof schema>;

/** A configuration problem: names each bad or missing variable. */
export class ConfigError extends Error {
  constructor(readonly variables: string[]) {
    super(`invalid configuration: ${variables.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** The named optional variables, which one function needs: an error naming each one that is missing. */
export function requireConfig<K extends keyof Config>(
  config: Config,
  names: K[],
): Config & Required<Pick<Config, K>> {
  const missing = names.filter((name) => config[name] === undefined || config[name] === '');
  if (missing.length > 0) throw new ConfigError(missing.map((name) => `${String(name)} is missing`));
  return config as Config & Required<Pick<Config, K>>;
}

/** Validates `env` (default: process.env). */
export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map(
        (issue) =>
          `${String(issue.path[0])} ${issue.input === undefined ? 'is missing' : `is invalid (${issue.message})`}`,
      ),
    );
  }
  return result.data;
}
