import { nextSlaMoment, REMIND_AFTER_MS, slaAction } from '../../domain/questions';
import type { Deps } from '../deps';
import { sendWithRetry } from '../send-with-retry';
import { composeEscalation, composeReminder } from './emails';

/** What one sweep did. */
export interface SweepReport {
  reminded: number;
  escalated: number;
  failed: number;
}

/**
 * Keeps the 24-hour promise visible: every question open for 20 hours gets one reminder to the expert,
 * and every question open for 24 hours is sent to the backup address. Reads the open-questions index
 * (oldest first, only those at least 20 hours old); each email is stamped on its question before it is
 * sent, so concurrent sweeps send it once, and the stamp is taken back if the send fails.
 */
export async function sweepOpenQuestions(deps: Deps): Promise<SweepReport> {
  const report: SweepReport = { reminded: 0, escalated: 0, failed: 0 };
  if (!deps.settings.expertAddress) return report;
  const now = deps.clock.now();
  const receivedBy = new Date(now.getTime() - REMIND_AFTER_MS).toISOString();
  let cursor: string | undefined;
  do {
    const page = await deps.questions.listOpen(receivedBy, cursor);
    for (const id of page.ids) {
      const question = await deps.questions.get(id);
      const action = question && slaAction(question, now);
      if (!question || !action) continue;
      const field = action === 'remind' ? 'remindedAt' : 'escalatedAt';
      if (!(await deps.questions.markSla(id, field, now.toISOString()))) continue;
      try {
        const subscriber = await deps.store.get(question.subscriberId);
        if (!subscriber) continue;
        if (action === 'remind') {
          await sendWithRetry(deps, composeReminder(deps, subscriber, question));
          report.reminded++;
        } else {
          const context = {
            sends: await deps.store.listSends(subscriber.id),
            earlier: await deps.questions.listForSubscriber(subscriber.id),
          };
          await sendWithRetry(deps, composeEscalation(deps, subscriber, question, context));
          report.escalated++;
        }
        deps.log.info('question sla', { questionId: id, action });
      } catch (error) {
        await deps.questions.clearSla(id, field).catch(() => undefined);
        report.failed++;
        deps.log.error('question sla failed', { questionId: id, action, error: (error as Error).name });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return report;
}

/** When the sweep next has something to do for the oldest open questions (local time travel stops there). */
export async function nextSweepAt(deps: Deps): Promise<string | undefined> {
  const page = await deps.questions.listOpen('9999-12-31T23:59:59.999Z');
  const moments: string[] = [];
  for (const id of page.ids) {
    const question = await deps.questions.get(id);
    const moment = question && nextSlaMoment(question);
    if (moment) moments.push(moment);
  }
  return moments.sort()[0];
}
