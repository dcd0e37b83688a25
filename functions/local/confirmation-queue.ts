/**
 * The confirmation queue of the local stack, with the semantics of the cloud's (confirmations on the
 * dispatch queue, see functions/handlers/dispatch-worker.ts): a request is delivered at least once; one
 * whose handling fails (the mail service throttles, or anything else throws) is tried again after a
 * delay that doubles each time, and after `maxReceives` tries it is set aside as a dead letter (logged).
 * Consumers share one pacer at the send rate.
 */
import { CONFIRMATION_ATTEMPTS } from '../adapters/sqs-confirmation-queue';
import type { Log } from '../app/deps';
import { Pacer } from '../app/pacer';
import type { ConfirmationQueue, ConfirmationRequest } from '../domain/ports';

/** Options of the local queue. */
export interface LocalQueueOptions {
  /** Sends per second the consumers stay under together (the account's send rate). */
  ratePerSecond: number;
  /** Wait before the first retry; it doubles with each one, up to 15 minutes (SQS's longest delay). @default 2000 */
  visibilityTimeoutMs?: number;
  /** Tries before a request is set aside as a dead letter. @default CONFIRMATION_ATTEMPTS (12) */
  maxReceives?: number;
  log: Log;
}

interface Message {
  request: ConfirmationRequest;
  receives: number;
  visibleAt: number;
}

const MAX_VISIBILITY_MS = 900_000;
/** Requests handled at once, sharing the pacer (the cloud's workers do the same). */
const CONSUMERS = 2;

export class LocalConfirmationQueue implements ConfirmationQueue {
  private readonly waiting: Message[] = [];
  private inFlight = 0;
  private handler: ((request: ConfirmationRequest) => Promise<unknown>) | undefined;
  private readonly pacer: Pacer;
  private timer: NodeJS.Timeout | undefined;
  private readonly drainedWaiters: (() => void)[] = [];
  private stopped = false;
  /** Requests that failed `maxReceives` times. */
  readonly deadLetters: ConfirmationRequest[] = [];

  constructor(private readonly options: LocalQueueOptions) {
    this.pacer = new Pacer(options.ratePerSecond);
  }

  /** Starts delivering to `handler` (bound late: the handler's dependencies include this queue). */
  consume(handler: (request: ConfirmationRequest) => Promise<unknown>): this {
    this.handler = handler;
    this.pump();
    return this;
  }

  async enqueue(request: ConfirmationRequest): Promise<void> {
    this.waiting.push({ request: { ...request }, receives: 0, visibleAt: Date.now() });
    this.pump();
  }

  /** Requests not yet handled for good, waiting or in flight. */
  get depth(): number {
    return this.waiting.length + this.inFlight;
  }

  /** Resolves once every request so far has been handled for good (sent, dropped or dead-lettered). */
  drained(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  /** Stops delivering; waits for the requests in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private pump(): void {
    if (!this.handler || this.stopped) return;
    const now = Date.now();
    while (this.inFlight < CONSUMERS) {
      const index = this.waiting.findIndex((message) => message.visibleAt <= now);
      if (index < 0) break;
      const [message] = this.waiting.splice(index, 1);
      if (message) void this.deliver(message);
    }
    this.wakeForNextVisible();
    if (this.depth === 0) for (const resolve of this.drainedWaiters.splice(0)) resolve();
  }

  private wakeForNextVisible(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length === 0) return;
    const next = Math.min(...this.waiting.map((message) => message.visibleAt));
    this.timer = setTimeout(() => this.pump(), Math.max(0, next - Date.now()));
  }

  private async deliver(message: Message): Promise<void> {
    this.inFlight += 1;
    message.receives += 1;
    try {
      await this.pacer.take();
      await this.handler?.(message.request);
    } catch (error) {
      this.retryLater(message, error as Error);
    } finally {
      this.inFlight -= 1;
      this.pump();
    }
  }

  private retryLater(message: Message, error: Error): void {
    const { log, maxReceives = CONFIRMATION_ATTEMPTS, visibilityTimeoutMs = 2000 } = this.options;
    const subscriberId = message.request.subscriberId;
    if (message.receives >= maxReceives) {
      log.error('confirmation request dead-lettered', { subscriberId, error: error.name });
      this.deadLetters.push(message.request);
      return;
    }
    const wait = Math.min(MAX_VISIBILITY_MS, visibilityTimeoutMs * 2 ** (message.receives - 1));
    log.warn('confirmation request will be retried', { subscriberId, error: error.name, waitMs: wait });
    this.waiting.push({ ...message, visibleAt: Date.now() + wait });
  }
}
