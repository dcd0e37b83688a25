/** Lambda entry point of the HTTP API (API Gateway HTTP API → Hono). */
import { handle } from 'hono/aws-lambda';
import { powertoolsLog } from '../adapters/powertools-log';
import { cloudDeps } from '../compose';
import { createApp } from '../http/app';

const { deps, config } = await cloudDeps(powertoolsLog('api'));

export const handler = handle(createApp(deps, { signupFloorMs: config.SIGNUP_FLOOR_MS }));
