/** The production HTTP app for in-process tests (`app.request()`), with the client's address in `env.ip`. */
import type { Hono } from 'hono';
import type { Deps } from '../../functions/app/deps';
import { type Config, readConfig } from '../../functions/config';
import { createApp } from '../../functions/http/app';

/** The app as Lambda builds it; a request's client address is the `ip` of the env passed to `app.request()`. */
export function testApp(deps: Deps, signupFloorMs = 0): Hono {
  return createApp(deps, {
    signupFloorMs,
    clientAddress: (c) => (c.env as { ip?: string } | undefined)?.ip,
  });
}

/** The env of a request from `ip`. */
export const fromClient = (ip: string | undefined) => ({ ip });

/** The environment a deployed function gets, reduced to what is required: every limit at its default. */
const DEPLOYED_ENV = {
  TABLE_NAME: 'course',
  SITE_URL: 'https://course.example.com',
  FROM_ADDRESS: 'course@course.example.com',
  POSTAL_ADDRESS: '1 Main Street, Springfield',
  REPLY_DOMAIN: 'reply.course.example.com',
  SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing',
};

/** The signup limits a deployment runs with (the local stack lets 127.0.0.1 sign up more often). */
export function deployedSignupLimits(): Pick<Config, 'SIGNUPS_PER_CLIENT' | 'CONFIRM_RESEND_MINUTES'> {
  const { SIGNUPS_PER_CLIENT, CONFIRM_RESEND_MINUTES } = readConfig(DEPLOYED_ENV);
  return { SIGNUPS_PER_CLIENT, CONFIRM_RESEND_MINUTES };
}
