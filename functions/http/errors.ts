import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { MailThrottledError, ValidationError } from '../domain/errors';
import { RateLimitedError } from '../domain/rate-limit';

/** A client error the API names: wrong content type, malformed JSON, body too large. */
export class RequestError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** The JSON body of every API error. */
export interface ErrorBody {
  error: string;
  message: string;
  fields?: Record<string, string>;
}

/** The one place that decides the HTTP status and body of an error. */
export function toHttpError(error: unknown): {
  status: ContentfulStatusCode;
  body: ErrorBody;
  retryAfter?: number;
} {
  if (error instanceof ValidationError) {
    return {
      status: 400,
      body: { error: 'validation_failed', message: error.message, fields: error.fields },
    };
  }
  if (error instanceof RequestError)
    return { status: error.status, body: { error: error.code, message: error.message } };
  if (error instanceof HTTPException && error.status < 500) {
    return {
      status: error.status as ContentfulStatusCode,
      body: { error: 'bad_request', message: error.message || 'Bad request.' },
    };
  }
  if (error instanceof RateLimitedError) {
    return {
      status: 429,
      body: { error: 'rate_limited', message: 'Too many signups from here. Please try again later.' },
      retryAfter: error.retryAfterSeconds,
    };
  }
  if (error instanceof MailThrottledError) {
    return {
      status: 503,
      body: {
        error: 'busy',
        message: 'We are sending a lot of email right now. Please try again in a minute.',
      },
      retryAfter: 60,
    };
  }
  return {
    status: 500,
    body: { error: 'internal', message: 'Something went wrong on our side. Please try again in a minute.' },
  };
}
