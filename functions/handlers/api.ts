/** Lambda entry point of the HTTP API (API Gateway HTTP API behind CloudFront → Hono). */
import { getConnInfo, handle } from 'hono/aws-lambda';
import { jsonLog } from '../adapters/json-log';
import { SqsConfirmationQueue } from '../adapters/sqs-confirmation-queue';
import { cloudDeps } from '../compose';
import { requireConfig } from '../config';
import { createApp } from '../http/app';
import { plausibleAddress, viewerAddress } from '../http/middleware';

// The one function that asks for confirmations, so the one that carries the SQS adapter for them.
const { deps, config } = await cloudDeps(jsonLog('api'), {
  confirmations: (read) =>
    new SqsConfirmationQueue({
      queueUrl: requireConfig(read, ['CONFIRMATION_QUEUE_URL']).CONFIRMATION_QUEUE_URL,
    }),
});

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
