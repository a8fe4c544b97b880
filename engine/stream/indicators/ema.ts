import { assertPeriod } from './sma.ts';

/**
 * Exponential moving average with weight 2 / (period + 1), seeded with the first close (the
 * convention of pandas `ewm(adjust=false)` and of trading-signals); it reports a value once `period`
 * bars have been seen, when the seed's weight has faded. The open bar is recomputed from the value
 * at the last closed bar, so amending it never compounds.
 */
export class Ema {
  readonly period: number;
  private readonly alpha: number;
  private atClosed: number | null = null;
  private closedCount = 0;
  private open: number | null = null;

  constructor(period: number) {
    assertPeriod(period);
    this.period = period;
    this.alpha = 2 / (period + 1);
  }

  update(close: number): number | null {
    if (this.open !== null) {
      this.atClosed = this.next(this.open);
      this.closedCount++;
    }
    this.open = close;
    return this.value();
  }

  amend(close: number): number | null {
    if (this.open === null) return this.update(close);
    this.open = close;
    return this.value();
  }

  value(): number | null {
    if (this.open === null || this.closedCount + 1 < this.period) return null;
    return this.next(this.open);
  }

  private next(close: number): number {
    return close * this.alpha + (this.atClosed ?? close) * (1 - this.alpha);
  }
}
