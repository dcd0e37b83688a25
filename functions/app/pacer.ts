/**
 * Keeps sends under a rate shared by any number of workers. Each caller reserves the next evenly spaced
 * slot, waits for it, and then also checks the sends actually made in the last second, so that no
 * one-second window ever holds more than `perSecond` sends, even when timers fire late and bunch up.
 */
/** Extra room in the one-second window: the time between a slot and the request reaching SES varies. */
const WINDOW_MS = 1050;

export class Pacer {
  private nextSlot = 0;
  private readonly spacingMs: number;
  private readonly limit: number;
  /** When the most recent sends actually started, oldest first (at most `limit` of them). */
  private readonly recent: number[] = [];

  constructor(
    perSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.spacingMs = 1000 / perSecond;
    this.limit = Math.max(1, Math.floor(perSecond));
  }

  /** Resolves when the caller may send; call it right before the send. */
  async take(): Promise<void> {
    const reserved = Math.max(this.now(), this.nextSlot);
    this.nextSlot = reserved + this.spacingMs;
    for (;;) {
      const now = this.now();
      const oldest = this.recent.length >= this.limit ? (this.recent[0] as number) : Number.NEGATIVE_INFINITY;
      const allowedAt = Math.max(reserved, oldest + WINDOW_MS);
      if (now >= allowedAt) break;
      await this.sleep(Math.ceil(allowedAt - now));
    }
    this.recent.push(this.now());
    if (this.recent.length > this.limit) this.recent.shift();
  }
}
