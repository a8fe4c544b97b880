import { BarIndicator } from './bar-indicator.ts';

/** What session VWAP needs of a candle: its traded value and volume, and the session it belongs to. */
export interface VwapBar {
  turnover: number;
  volume: number;
  /** Start of the bar's exchange session (day); VWAP restarts when it changes. */
  session: number;
}

/**
 * Volume-weighted average price since the session began: traded value over volume of every bar of
 * the session so far, from each candle's exact turnover rather than a typical price.
 */
export class SessionVwap extends BarIndicator<VwapBar, number> {
  private session: number | null = null;
  private turnover = 0;
  private volume = 0;

  override update(bar: VwapBar): number | null {
    return super.update({ ...bar });
  }

  override amend(bar: VwapBar): number | null {
    return super.amend({ ...bar });
  }

  protected closeBar(bar: VwapBar): void {
    if (bar.session !== this.session) {
      this.session = bar.session;
      this.turnover = 0;
      this.volume = 0;
    }
    this.turnover += bar.turnover;
    this.volume += bar.volume;
  }

  protected valueAt(bar: VwapBar): number | null {
    const same = bar.session === this.session;
    const volume = (same ? this.volume : 0) + bar.volume;
    return volume > 0 ? ((same ? this.turnover : 0) + bar.turnover) / volume : null;
  }
}
