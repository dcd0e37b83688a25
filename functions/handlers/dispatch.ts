/** Lambda entry point of the dispatcher, run by an EventBridge schedule. */
import type { Context } from 'aws-lambda';
import { powertoolsLog } from '../adapters/powertools-log';
import { dispatchDue } from '../app/dispatch-due';
import { cloudDeps } from '../compose';

/** Time kept back from the Lambda timeout so a run always finishes its last sends and records. */
const SAFETY_MARGIN_MS = 15_000;

const { deps } = await cloudDeps(powertoolsLog('dispatch'));

export const handler = async (_event: unknown, context: Context) =>
  dispatchDue(deps, { deadline: performance.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS });
