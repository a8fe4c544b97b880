import { assertPeriod, BarIndicator } from './bar-indicator.ts';
import { ClosedWindow } from './closed-window.ts';

/** Simple moving average over the last `period` bars, the open bar included. */
export class Sma extends BarIndicator<number, number> {
  readonly period: number;
  private readonly closed: ClosedWindow;

  constructor(period: number) {
    super();
    assertPeriod(period);
    this.period = period;
    this.closed = new ClosedWindow(period - 1);
  }

  protected closeBar(close: number): void {
    this.closed.push(close);
  }

  protected valueAt(close: number): number | null {
    return this.closed.full ? (this.closed.sum + close) / this.period : null;
  }
}
