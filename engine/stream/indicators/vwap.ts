/** What session VWAP needs of a candle: its traded value and volume, and the session it belongs to. */
export interface VwapBar {
  turnover: number;
  volume: number;
  /** Start of the bar's exchange session (day); VWAP restarts when it changes. */
  session: number;
}

/**
 * Volume-weighted average price since the session began: traded value over volume of every bar of
 * the session so far. Built from each candle's exact turnover, not from a typical price.
 */
export class SessionVwap {
  private session: number | null = null;
  private turnover = 0;
  private volume = 0;
  private open: VwapBar | null = null;

  update(bar: VwapBar): number | null {
    if (this.open !== null) {
      const base = this.base(this.open.session);
      this.session = this.open.session;
      this.turnover = base.turnover + this.open.turnover;
      this.volume = base.volume + this.open.volume;
    }
    this.open = { ...bar };
    return this.value();
  }

  amend(bar: VwapBar): number | null {
    if (this.open === null) return this.update(bar);
    this.open = { ...bar };
    return this.value();
  }

  value(): number | null {
    if (this.open === null) return null;
    const base = this.base(this.open.session);
    const volume = base.volume + this.open.volume;
    return volume > 0 ? (base.turnover + this.open.turnover) / volume : null;
  }

  private base(session: number): { turnover: number; volume: number } {
    return session === this.session ? { turnover: this.turnover, volume: this.volume } : { turnover: 0, volume: 0 };
  }
}
