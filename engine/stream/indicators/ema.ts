import { assertPeriod, BarIndicator } from './bar-indicator.ts';

/**
 * Exponential moving average with weight 2 / (period + 1), seeded with the first close (the
 * convention of pandas `ewm(adjust=False)` and of trading-signals); it reports a value once `period`
 * bars have been seen, when the seed's weight has faded.
 */
export class Ema extends BarIndicator<number, number> {
  readonly period: number;
  private readonly alpha: number;
  private atClosed: number | null = null;
  private closedCount = 0;

  constructor(period: number) {
    super();
    assertPeriod(period);
    this.period = period;
    this.alpha = 2 / (period + 1);
  }

  protected closeBar(close: number): void {
    this.atClosed = this.next(close);
    this.closedCount++;
  }

  protected valueAt(close: number): number | null {
    return this.closedCount + 1 < this.period ? null : this.next(close);
  }

  private next(close: number): number {
    return close * this.alpha + (this.atClosed ?? close) * (1 - this.alpha);
  }
}
