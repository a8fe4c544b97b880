import { ClosedWindow } from './closed-window.ts';

/**
 * Simple moving average over the last `period` bars, the still-open bar included. The closed bars
 * are summed afresh whenever one closes, so an open bar amended a thousand times never drifts.
 */
export class Sma {
  readonly period: number;
  private readonly closed: ClosedWindow;
  private open: number | null = null;

  constructor(period: number) {
    assertPeriod(period);
    this.period = period;
    this.closed = new ClosedWindow(period - 1);
  }

  /** A new bar opens: the previous open bar is final. */
  update(close: number): number | null {
    if (this.open !== null) this.closed.push(this.open);
    this.open = close;
    return this.value();
  }

  /** The open bar changed. */
  amend(close: number): number | null {
    if (this.open === null) return this.update(close);
    this.open = close;
    return this.value();
  }

  value(): number | null {
    if (this.open === null || !this.closed.full) return null;
    return (this.closed.sum + this.open) / this.period;
  }
}

export function assertPeriod(period: number): void {
  if (!Number.isInteger(period) || period < 1)
    throw new RangeError(`An indicator period must be a whole number >= 1, not ${period}`);
}
