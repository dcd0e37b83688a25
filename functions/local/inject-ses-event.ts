/** A bounce or a complaint for the latest course email to an address, through the cloud's SES events handler. */
import { randomUUID } from 'node:crypto';
import type { Deps } from '../app/deps';
import { handleSesEvent, type SesEventOutcome } from '../app/handle-ses-event';
import { normaliseEmail } from '../domain/subscriber';
import { sesEventBridgeEvent } from './ses-feed';

/** The kinds of event an operator can inject. */
export type InjectedKind = 'bounce' | 'complaint';

/** Nothing to inject: the address is unknown or has had no course email. */
export class NothingToInjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToInjectError';
  }
}

/**
 * Builds the event SES would publish for a permanent bounce or a complaint about the latest course email
 * to `address`, and hands it to `handleSesEvent`. The event happens at `at`, or a minute after the email
 * was sent if that is later (the local clock may have traveled ahead of the real one).
 */
export async function injectSesEvent(
  deps: Deps,
  kind: InjectedKind,
  address: string,
  at: Date,
): Promise<{ outcome: SesEventOutcome; key: string }> {
  const subscriber = await deps.store.findByEmail(normaliseEmail(address));
  if (!subscriber) throw new NothingToInjectError('no subscriber has that address');
  const latest = (await deps.store.listSends(subscriber.id)).at(-1);
  if (!latest) throw new NothingToInjectError('no course email has been sent to that address yet');
  const when = new Date(Math.max(at.getTime(), Date.parse(latest.sentAt) + 60_000)).toISOString();
  const recipient = [{ emailAddress: subscriber.email }];
  const feedback = { timestamp: when, feedbackId: `local-${randomUUID()}` };
  const detail =
    kind === 'bounce'
      ? { bounce: { bounceType: 'Permanent', bouncedRecipients: recipient, ...feedback } }
      : { complaint: { complainedRecipients: recipient, ...feedback } };
  const mail = {
    messageId: latest.messageId,
    sentAt: latest.sentAt,
    to: subscriber.email,
    tags: { subscriber: subscriber.id, email: latest.key },
  };
  const event = sesEventBridgeEvent(kind === 'bounce' ? 'Bounce' : 'Complaint', mail, detail);
  return { outcome: await handleSesEvent(deps, event), key: latest.key };
}
