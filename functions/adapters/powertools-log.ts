import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../app/deps';

/** `Log` as structured JSON through Powertools Logger (CloudWatch-friendly). Callers pass ids, never personal data. */
export function powertoolsLog(serviceName = 'course'): Log {
  const logger = new Logger({ serviceName });
  return {
    info: (message, data) => logger.info(message, data ?? {}),
    warn: (message, data) => logger.warn(message, data ?? {}),
    error: (message, data) => logger.error(message, data ?? {}),
  };
}
