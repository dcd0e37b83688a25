/** Lambda entry point of the HTTP API (API Gateway HTTP API → Hono). */
import { getConnInfo, handle } from 'hono/aws-lambda';
import { jsonLog } from '../adapters/json-log';
import { cloudDeps } from '../compose';
import { createApp } from '../http/app';
import { plausibleAddress } from '../http/middleware';

const { deps, config } = await cloudDeps(jsonLog('api'));

export const handler = handle(
  createApp(deps, {
    signupFloorMs: config.SIGNUP_FLOOR_MS,
    // API Gateway's `requestContext.http.sourceIp`: the address that connected to it.
    clientAddress: (c) => plausibleAddress(getConnInfo(c).remote.address),
  }),
);
