/**
 * The composition root: the one place where SDK clients and adapters are created and wired into the
 * use cases' dependencies.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import compiled from '../templates/dist/compiled';
import { documentClient } from './adapters/dynamo-document';
import { DynamoQuestionStore } from './adapters/dynamo-question-store';
import { dynamoSafeguards } from './adapters/dynamo-safeguards';
import { DynamoSubscriberStore } from './adapters/dynamo-subscriber-store';
import { SesMailer } from './adapters/ses-mailer';
import type { Deps, Log } from './app/deps';
import { type Config, readConfig } from './config';
import { type CompiledTemplates, courseSteps } from './domain/course';
import type { Clock, MailParser } from './domain/ports';
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

/** Creates the SDK clients; `endpoints` point them at local stand-ins. */
export function createClients(
  overrides: { dynamo?: DynamoDBClientConfig; ses?: SESv2ClientConfig } = {},
): Clients {
  return {
    dynamo: documentClient(overrides.dynamo ?? {}),
    ses: new SESv2Client(overrides.ses ?? {}),
  };
}

/** Reads the signing keys: from Secrets Manager in the cloud (`{ current, previous? }`), or from config locally. */
export async function loadSigningKeys(config: Config, secrets?: SecretsManagerClient): Promise<SigningKeys> {
  if (config.SIGNING_KEY) return { current: config.SIGNING_KEY, previous: config.SIGNING_KEY_PREVIOUS };
  const client = secrets ?? new SecretsManagerClient({});
  const { SecretString } = await client.send(
    new GetSecretValueCommand({ SecretId: config.SIGNING_SECRET_ARN }),
  );
  const parsed = JSON.parse(SecretString ?? '{}') as Partial<SigningKeys>;
  if (typeof parsed.current !== 'string' || parsed.current.length < 32) {
    throw new Error('the signing secret must be JSON with a "current" key of at least 32 characters');
  }
  return { current: parsed.current, previous: parsed.previous };
}

/** Wires the use cases' dependencies from configuration and clients. */
export function createDeps(
  config: Config,
  keys: SigningKeys,
  clients: Clients,
  parts: {
    clock?: Clock;
    log: Log;
    templates?: CompiledTemplates;
    sleep?: (ms: number) => Promise<void>;
    /** Only the functions that read mail need one; the others get `noMailParser`. */
    mailParser?: MailParser;
  },
): Deps {
  const course = parts.templates ?? templates;
  return {
    store: new DynamoSubscriberStore({
      tableName: config.TABLE_NAME,
      dueShards: config.DUE_SHARDS,
      client: clients.dynamo,
    }),
    questions: new DynamoQuestionStore({ tableName: config.TABLE_NAME, client: clients.dynamo }),
    mailParser: parts.mailParser ?? noMailParser,
    mailer: new SesMailer({
      from: `${config.SENDER_NAME} <${config.FROM_ADDRESS}>`,
      configurationSet: config.CONFIGURATION_SET,
      client: clients.ses,
    }),
    clock: parts.clock ?? systemClock,
    keys,
    templates: course,
    steps: courseSteps(course.manifest),
    settings: {
      siteUrl: config.SITE_URL,
      senderName: config.SENDER_NAME,
      postalAddress: config.POSTAL_ADDRESS,
      replyDomain: config.REPLY_DOMAIN,
      confirmResendMs: config.CONFIRM_RESEND_MINUTES * 60_000,
      dueShards: config.DUE_SHARDS,
      leaseMs: 2 * 60_000,
      maxSendRate: config.MAX_SEND_RATE,
      fromAddress: config.FROM_ADDRESS,
      expertAddress: config.EXPERT_ADDRESS ?? '',
      backupAddress: config.BACKUP_ADDRESS ?? config.EXPERT_ADDRESS ?? '',
      questionsPerDay: config.QUESTIONS_PER_DAY,
    },
    newId: () => randomUUID().replaceAll('-', ''),
    sleep: parts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    log: parts.log,
    safeguards: dynamoSafeguards({
      tableName: config.TABLE_NAME,
      client: clients.dynamo,
      limits: signupLimits(config.SIGNUPS_PER_CLIENT),
    }),
  };
}

/**
 * The mail parser of functions that never parse mail. The parser (postal-mime) is passed in by those
 * that do, so that it is not in the other Lambda bundles at all: every kilobyte is parsed on a cold start.
 */
export const noMailParser: MailParser = {
  parse: () => Promise.reject(new Error('this function was composed without a mail parser')),
};

/** Dependencies of a Lambda function: environment, secret and clients, read once per cold start. */
export async function cloudDeps(
  log: Log,
  parts: { mailParser?: MailParser } = {},
): Promise<{ deps: Deps; config: Config }> {
  const config = readConfig();
  const keys = await loadSigningKeys(config);
  return { deps: createDeps(config, keys, createClients(), { log, ...parts }), config };
}
