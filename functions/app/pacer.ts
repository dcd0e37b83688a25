/**
 * Spaces sends evenly under a rate: each caller reserves the next free slot and waits for it, so no
 * one-second window ever holds more than `perSecond` sends, however many workers share the pacer.
 */
export class Pacer {
  private nextSlot = 0;
  private readonly spacingMs: number;

  constructor(
    perSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.spacingMs = 1000 / perSecond;
  }

  /** Resolves when the caller may send. */
  async take(): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.spacingMs;
    if (slot > now) await this.sleep(slot - now);
  }
}
