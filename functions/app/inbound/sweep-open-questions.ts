import { nextSlaMoment, type Question, REMIND_AFTER_MS, slaAction } from '../../domain/questions';
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
 * Keeps the 24-hour promise visible: every question open for 20 hours gets one reminder to the expert it
 * is with, and every question open for 24 hours goes to the backup address and every expert. Reads the
 * open-questions index (oldest first, only those at least 20 hours old); each email is stamped on its
 * question before it is sent (a conditional write only an open question takes), so concurrent sweeps send
 * it once, and the stamp is taken back if the send fails.
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
      const outcome = await sweepOne(deps, id, now);
      if (outcome) report[outcome]++;
    }
    cursor = page.cursor;
  } while (cursor);
  return report;
}

/** Everyone told at 24 hours: the backup address and every expert, once each. */
function escalationRecipients(deps: Deps): string[] {
  const all = [deps.settings.backupAddress, ...deps.settings.expertAddresses];
  return [...new Set(all.filter((address) => address !== ''))];
}

async function slaEmails(deps: Deps, question: Question, action: 'remind' | 'escalate') {
  const subscriber = await deps.store.get(question.subscriberId);
  if (!subscriber) return [];
  if (action === 'remind') return [composeReminder(deps, subscriber, question)];
  const context = {
    sends: await deps.store.listSends(subscriber.id),
    earlier: await deps.questions.listForSubscriber(subscriber.id),
  };
  return escalationRecipients(deps).map((to) => composeEscalation(deps, subscriber, question, context, to));
}

/** The reminder or escalation one question needs now, if any; never for a question answered meanwhile. */
async function sweepOne(deps: Deps, id: string, now: Date): Promise<keyof SweepReport | undefined> {
  const question = await deps.questions.get(id);
  const action = question && slaAction(question, now);
  if (!question || !action) return undefined;
  const field = action === 'remind' ? 'remindedAt' : 'escalatedAt';
  if (!(await deps.questions.markSla(id, field, now.toISOString()))) return undefined;
  try {
    let sent = 0;
    for (const email of await slaEmails(deps, question, action)) {
      // An answer (from the console or by email) may have been recorded since the stamp: look again
      // right before each send, and stop once the question is no longer open.
      if ((await deps.questions.get(id))?.status !== 'open') break;
      await sendWithRetry(deps, email);
      sent++;
    }
    if (sent === 0) return undefined;
    deps.log.info('question sla', { questionId: id, action });
    return action === 'remind' ? 'reminded' : 'escalated';
  } catch (error) {
    await deps.questions.clearSla(id, field).catch(() => undefined);
    deps.log.error('question sla failed', { questionId: id, action, error: (error as Error).name });
    return 'failed';
  }
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
