/** Lambda entry point of the HTTP API (API Gateway HTTP API → Hono). */
import { handle } from 'hono/aws-lambda';
import { jsonLog } from '../adapters/json-log';
import { cloudDeps } from '../compose';
import { createApp } from '../http/app';

const { deps, config } = await cloudDeps(jsonLog('api'));

export const handler = handle(createApp(deps, { signupFloorMs: config.SIGNUP_FLOOR_MS }));
