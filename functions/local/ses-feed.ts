/**
 * The local stack's stand-in for SES event publishing: every email the SES stand-in accepts becomes a
 * DELIVERY event, EventBridge-shaped as SES sends it, handed to the same handler as in the cloud. As in
 * the cloud the event comes a moment after the send: a course email's event waits until its send is
 * recorded (or, as after a crash between the send and the record, until two seconds have passed).
 */
import type { Deps } from '../app/deps';
import { handleSesEvent } from '../app/handle-ses-event';
import type { Mailer, OutgoingEmail } from '../domain/ports';

/** How long an event waits for its send's record before it goes anyway. */
const RECORD_WAIT_MS = 2000;

/** An EventBridge event as SES publishes it for a configuration set. */
export function sesEventBridgeEvent(
  eventType: 'Delivery' | 'Bounce' | 'Complaint',
  mail: { messageId: string; sentAt: string; to: string; tags: Record<string, string> },
  detail: Record<string, unknown> = {},
) {
  return {
    version: '0',
    source: 'aws.ses',
    'detail-type': `Email ${eventType === 'Delivery' ? 'Delivered' : `${eventType}d`}`,
    detail: {
      eventType,
      mail: {
        messageId: mail.messageId,
        timestamp: mail.sentAt,
        destination: [mail.to],
        tags: Object.fromEntries(Object.entries(mail.tags).map(([name, value]) => [name, [value]])),
      },
      ...detail,
    },
  };
}

interface Pending {
  event: unknown;
  subscriberId?: string | undefined;
  step?: number | undefined;
  queuedAt: number;
}

/** Queues a DELIVERY event per accepted email and hands them to `handleSesEvent`. */
export class SesEventFeed {
  private pending: Pending[] = [];
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: Deps) {}

  /** The mailer that feeds this queue after `inner` accepted an email. */
  wrap(inner: Mailer): Mailer {
    return {
      send: async (email: OutgoingEmail) => {
        const sent = await inner.send(email);
        const sentAt = this.deps.clock.now().toISOString();
        const event = sesEventBridgeEvent(
          'Delivery',
          { messageId: sent.messageId, sentAt, to: email.to, tags: email.tags },
          { delivery: { timestamp: sentAt, recipients: [email.to] } },
        );
        const step = this.deps.steps.find((s) => s.key === email.tags.email)?.index;
        this.pending.push({ event, subscriberId: email.tags.subscriber, step, queuedAt: Date.now() });
        return sent;
      },
    };
  }

  /** Handles every queued event that is due (`all`: every one); one flush at a time. */
  flush(all = false): Promise<number> {
    const run = this.running.then(() => this.handleDue(all));
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Handles every queued event, including ones whose send is not recorded yet. */
  async settle(): Promise<void> {
    for (let tries = 0; tries < 5 && this.pending.length > 0; tries++) await this.flush(true);
  }

  private async handleDue(all: boolean): Promise<number> {
    const waiting: Pending[] = [];
    const queue = this.pending;
    this.pending = waiting;
    let handled = 0;
    for (const item of queue) {
      if (!all && !(await this.isDue(item))) {
        waiting.push(item);
        continue;
      }
      try {
        await handleSesEvent(this.deps, item.event);
        handled += 1;
      } catch (error) {
        // As EventBridge would, try again later.
        this.deps.log.error('local ses event failed', { error: (error as Error).name });
        waiting.push(item);
      }
    }
    return handled;
  }

  private async isDue(item: Pending): Promise<boolean> {
    if (item.step === undefined || !item.subscriberId) return true;
    if (Date.now() - item.queuedAt >= RECORD_WAIT_MS) return true;
    const subscriber = await this.deps.store.get(item.subscriberId);
    return !subscriber || subscriber.step > item.step;
  }
}
