/** Lambda entry point of the HTTP API (API Gateway HTTP API behind CloudFront → Hono). */
import { getConnInfo, handle } from 'hono/aws-lambda';
import { jsonLog } from '../adapters/json-log';
import { cloudDeps } from '../compose';
import { createApp } from '../http/app';
import { plausibleAddress, viewerAddress } from '../http/middleware';

const { deps, config } = await cloudDeps(jsonLog('api'));

export const handler = handle(
  createApp(deps, {
    signupFloorMs: config.SIGNUP_FLOOR_MS,
    originSecret: config.ORIGIN_SECRET,
    // Behind CloudFront the connection comes from an edge server: the viewer is in the header CloudFront
    // writes (trusted, since requests without the origin secret are refused). Without it, API Gateway's
    // `requestContext.http.sourceIp`.
    clientAddress: (c) =>
      config.ORIGIN_SECRET
        ? viewerAddress(c.req.header('cloudfront-viewer-address'))
        : plausibleAddress(getConnInfo(c).remote.address),
  }),
);
