import { INBOUND_MAIL_PREFIX } from '../adapters/dynamo-table';
import type { Config } from '../config';

/** The configuration of the local stack: example addresses, fast windows, one client standing for all. */
export function localConfig(siteUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    TABLE_NAME: 'course',
    SITE_URL: siteUrl,
    FROM_ADDRESS: 'course@example.com',
    SENDER_NAME: 'Sam from "It\'s not about you"',
    POSTAL_ADDRESS: '1 Example Street, Springfield 12345, USA',
    REPLY_DOMAIN: 'reply.localhost',
    CONFIGURATION_SET: 'course-local',
    SIGNING_SECRET_ARN: undefined,
    SIGNING_KEY: undefined,
    SIGNING_KEY_PREVIOUS: undefined,
    DUE_SHARDS: 4,
    MAX_SEND_RATE: 50,
    CONFIRM_RESEND_MINUTES: 15,
    SIGNUP_FLOOR_MS: 0,
    // Every local request comes from 127.0.0.1: one client stands for all of them.
    SIGNUPS_PER_CLIENT: 100,
    EXPERT_ADDRESS: 'expert@example.com',
    EXPERT_ADDRESSES: 'expert@example.com,expert2@example.com',
    OPERATOR_ADDRESSES: 'owner@example.com',
    BACKUP_ADDRESS: undefined,
    INBOUND_BUCKET: undefined,
    INBOUND_PREFIX: INBOUND_MAIL_PREFIX,
    QUESTIONS_PER_DAY: 5,
    DISPATCH_QUEUE_URL: undefined,
    DISPATCH_WORKERS: 1,
    CONFIRMATION_QUEUE_URL: undefined,
    ORIGIN_SECRET: undefined,
    ...overrides,
  };
}
