/** Lambda entry point of the dispatcher, run by an EventBridge schedule. */
import type { Context } from 'aws-lambda';
import { powertoolsLog } from '../adapters/powertools-log';
import { dispatchDue } from '../app/dispatch-due';
import { sweepOpenQuestions } from '../app/inbound/sweep-open-questions';
import { cloudDeps } from '../compose';

/** Time kept back from the Lambda timeout so a run always finishes its last sends and records. */
const SAFETY_MARGIN_MS = 15_000;

const { deps } = await cloudDeps(powertoolsLog('dispatch'));

/** Sends the due course emails, then keeps the 24-hour promise of open questions (reminders, escalations). */
export const handler = async (_event: unknown, context: Context) => {
  const report = await dispatchDue(deps, {
    deadline: performance.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS,
  });
  return { ...report, questions: await sweepOpenQuestions(deps) };
};
