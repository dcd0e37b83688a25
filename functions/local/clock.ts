import type { Clock } from '../domain/ports';

/** The local stack's clock: real time plus an offset that time travel moves forward (never back). */
export class TravelClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves the clock to `target` if that is later than now. */
  moveTo(target: Date): void {
    const ahead = target.getTime() - Date.now();
    if (ahead > this.offsetMs) this.offsetMs = ahead;
  }
}
