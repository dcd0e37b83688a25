/**
 * The composition root: the one place where SDK clients and adapters are created and wired into the
 * use cases' dependencies.
 */
import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import compiled from '../templates/dist/compiled';
import { DynamoAdminStore } from './adapters/dynamo-admin-store';
import { DynamoConsoleStore } from './adapters/dynamo-console-store';
import { documentClient } from './adapters/dynamo-document';
import { DynamoQuestionStore } from './adapters/dynamo-question-store';
import { dynamoSafeguards } from './adapters/dynamo-safeguards';
import { DynamoStatsStore } from './adapters/dynamo-stats';
import { DynamoSubscriberStore } from './adapters/dynamo-subscriber-store';
import { SesMailer } from './adapters/ses-mailer';
import type { Deps, Log, Settings } from './app/deps';
import { type Config, ConfigError, readConfig } from './config';
import { type CompiledTemplates, courseSteps } from './domain/course';
import type { Clock, ConfirmationQueue } from './domain/ports';
import { signupLimits } from './domain/rate-limit';
import type { SigningKeys } from './domain/tokens';

/** The precompiled course (built by `templates/build.ts`). */
export const templates: CompiledTemplates = compiled;

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/** SDK clients, shared by every adapter of one process. */
export interface Clients {
  dynamo: DynamoDBDocumentClient;
  ses: SESv2Client;
}

/** The SDK clients of a Lambda function: region, credentials and endpoints come from its environment. */
export function createClients(): Clients {
  return { dynamo: documentClient({}), ses: new SESv2Client({}) };
}

/** The signing secret's JSON: the key that signs, and the one before it that still verifies. */
const signingSecret = z.object({
  current: z.string().check(z.minLength(32, 'must be at least 32 characters')),
  previous: z.optional(z.string().check(z.minLength(32, 'must be at least 32 characters'))),
});

/** Parses the signing secret's text, or throws an error naming the bad key (never its value). */
export function parseSigningSecret(text: string | undefined): SigningKeys {
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch {
    throw new ConfigError(['the signing secret is not JSON like {"current":"…","previous":"…"}']);
  }
  const parsed = signingSecret.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `the signing secret's "${issue.path.join('.') || 'value'}" ${issue.message}`,
      ),
    );
  }
  return parsed.data;
}

/** Reads the signing keys: from Secrets Manager in the cloud (`{ current, previous? }`), or from config locally. */
export async function loadSigningKeys(config: Config): Promise<SigningKeys> {
  if (config.SIGNING_KEY) return { current: config.SIGNING_KEY, previous: config.SIGNING_KEY_PREVIOUS };
  if (!config.SIGNING_SECRET_ARN) throw new ConfigError(['SIGNING_SECRET_ARN or SIGNING_KEY is missing']);
  const { SecretString } = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: config.SIGNING_SECRET_ARN }),
  );
  return parseSigningSecret(SecretString);
}

/** A comma-separated list of addresses, lower-cased, without blanks or repeats. */
function addressList(value: string | undefined): string[] {
  const all = (value ?? '').split(',').map((address) => address.trim().toLowerCase());
  return [...new Set(all.filter((address) => address !== ''))];
}

/**
 * The keys of a function that signs and verifies nothing (the SES events function): it is not given the
 * secret, and any use of a key fails loudly instead of signing with an empty one.
 */
const NO_SIGNING_KEYS: SigningKeys = Object.freeze({
  get current(): string {
    throw new ConfigError(['this function holds no signing key (cloudDeps with signs: false)']);
  },
});

/** The product settings a configuration describes. */
export function settingsFrom(config: Config): Settings {
  const experts = addressList(config.EXPERT_ADDRESSES ?? config.EXPERT_ADDRESS);
  return {
    siteUrl: config.SITE_URL,
    senderName: config.SENDER_NAME,
    postalAddress: config.POSTAL_ADDRESS,
    replyDomain: config.REPLY_DOMAIN,
    confirmResendMs: config.CONFIRM_RESEND_MINUTES * 60_000,
    dueShards: config.DUE_SHARDS,
    leaseMs: 2 * 60_000,
    maxSendRate: config.MAX_SEND_RATE,
    fromAddress: config.FROM_ADDRESS,
    expertAddress: experts[0] ?? '',
    expertAddresses: experts,
    operatorAddresses: addressList(config.OPERATOR_ADDRESSES),
    backupAddress: config.BACKUP_ADDRESS ?? experts[0] ?? '',
    questionsPerDay: config.QUESTIONS_PER_DAY,
  };
}

/** Wires the use cases' dependencies from configuration and clients. */
export function createDeps(
  config: Config,
  keys: SigningKeys,
  clients: Clients,
  parts: { clock: Clock; log: Log; confirmations: ConfirmationQueue },
): Deps {
  return {
    store: new DynamoSubscriberStore({
      tableName: config.TABLE_NAME,
      dueShards: config.DUE_SHARDS,
      client: clients.dynamo,
    }),
    questions: new DynamoQuestionStore({ tableName: config.TABLE_NAME, client: clients.dynamo }),
    console: new DynamoConsoleStore({ tableName: config.TABLE_NAME, client: clients.dynamo }),
    mailer: new SesMailer({
      from: `${config.SENDER_NAME} <${config.FROM_ADDRESS}>`,
      configurationSet: config.CONFIGURATION_SET,
      client: clients.ses,
    }),
    confirmations: parts.confirmations,
    clock: parts.clock,
    keys,
    templates,
    steps: courseSteps(templates.manifest),
    settings: settingsFrom(config),
    newId: () => randomUUID().replaceAll('-', ''),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: parts.log,
    safeguards: dynamoSafeguards({
      tableName: config.TABLE_NAME,
      client: clients.dynamo,
      limits: signupLimits(config.SIGNUPS_PER_CLIENT),
    }),
    stats: new DynamoStatsStore({ tableName: config.TABLE_NAME, client: clients.dynamo }),
    records: new DynamoAdminStore({ tableName: config.TABLE_NAME, client: clients.dynamo }),
  };
}

/**
 * The confirmation queue of a function that asks for no confirmations: it refuses, naming why. The SQS
 * adapter is passed in by the API, so the other bundles never load the SQS client.
 */
const NO_CONFIRMATIONS: ConfirmationQueue = {
  enqueue: () => Promise.reject(new ConfigError(['this function sends no confirmations'])),
};

/** Dependencies of a Lambda function: environment, secret and clients, read once per cold start. */
export async function cloudDeps(
  log: Log,
  options: { signs?: boolean; confirmations?: (config: Config) => ConfirmationQueue } = {},
): Promise<{ deps: Deps; config: Config }> {
  const config = readConfig();
  const keys = options.signs === false ? NO_SIGNING_KEYS : await loadSigningKeys(config);
  const confirmations = options.confirmations?.(config) ?? NO_CONFIRMATIONS;
  const parts = { clock: systemClock, log, confirmations };
  return { deps: createDeps(config, keys, createClients(), parts), config };
}
