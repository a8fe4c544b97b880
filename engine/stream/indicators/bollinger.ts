import { assertPeriod, BarIndicator } from './bar-indicator.ts';
import { ClosedWindow } from './closed-window.ts';

export interface Bands {
  upper: number;
  middle: number;
  lower: number;
}

/**
 * Bollinger bands: the SMA of `period` closes plus and minus `width` population standard deviations.
 * The open bar joins the exact statistics of the closed bars by one Welford step, which stays
 * accurate where a sum of squares would cancel (prices near 100 moving by cents).
 */
export class Bollinger extends BarIndicator<number, Bands> {
  readonly period: number;
  readonly width: number;
  private readonly closed: ClosedWindow;

  constructor(period: number, width = 2) {
    super();
    assertPeriod(period);
    this.period = period;
    this.width = width;
    this.closed = new ClosedWindow(period - 1);
  }

  protected closeBar(close: number): void {
    this.closed.push(close);
  }

  protected valueAt(x: number): Bands | null {
    if (!this.closed.full) return null;
    const n = this.period;
    const delta = x - this.closed.mean;
    const mean = this.closed.mean + delta / n;
    const m2 = this.closed.m2 + delta * (x - mean);
    const sd = Math.sqrt(Math.max(m2, 0) / n);
    const middle = (this.closed.sum + x) / n;
    return { upper: middle + this.width * sd, middle, lower: middle - this.width * sd };
  }
}
