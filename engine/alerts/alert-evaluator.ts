import type { Candle } from '../domain/candle.ts';
import type { Tick } from '../domain/tick.ts';
import type { Anomaly } from '../domain/anomaly.ts';
import type { AlertRule } from '../domain/alert-rule.ts';

export interface Firing {
  rule: AlertRule;
  at: number;
  value: number;
  message: string;
}

const VOLUME_AVERAGE_MINUTES = 20;

/**
 * Watches committed ticks and minute candles against the rules. Price rules fire when the price
 * crosses the line and re-arm when it crosses back, so a price hovering above a line alerts once.
 * Every rule then stays quiet for its cooldown after it fired (event time), so a small % move on a
 * busy symbol tells the user once a minute, not at every tick.
 */
export class AlertEvaluator {
  private readonly armed = new Map<number, boolean>();
  private readonly recent = new Map<string, Array<{ ts: number; price: number }>>();
  private readonly minuteVolumes = new Map<string, Map<number, number>>();
  private readonly lastMoveFiring = new Map<number, number>();
  private readonly lastSpikeMinute = new Map<number, number>();
  private readonly lastFiredAt = new Map<number, number>();

  /** A changed or removed rule starts afresh: its crossings, windows and cooldown belonged to the old one. */
  forget(ruleId: number): void {
    for (const state of [this.armed, this.lastMoveFiring, this.lastSpikeMinute, this.lastFiredAt]) state.delete(ruleId);
  }

  evaluate(rules: readonly AlertRule[], ticks: readonly Tick[], candles: readonly Candle[]): Firing[] {
    const firings: Firing[] = [];
    for (const tick of ticks) this.remember(tick, rules);
    for (const candle of candles) if (candle.interval === '1m') this.rememberMinute(candle);
    for (const rule of rules) {
      if (!rule.enabled) continue;
      if (rule.kind === 'anomaly') continue; // judged on anomalies, see onAnomalies
      const firing =
        rule.kind === 'volume-spike'
          ? this.volumeSpike(rule)
          : rule.kind === 'move-percent'
            ? this.move(rule)
            : this.crossing(rule, ticks);
      if (firing && this.pastCooldown(firing)) firings.push(firing);
    }
    return firings;
  }

  /**
   * Anomaly rules fire on each anomaly the engine found for their symbol whose strength (measured
   * value over the detector's threshold) reaches the rule's multiple; each anomaly is found once.
   */
  onAnomalies(rules: readonly AlertRule[], anomalies: readonly Anomaly[]): Firing[] {
    const firings: Firing[] = [];
    for (const rule of rules) {
      if (!rule.enabled || rule.kind !== 'anomaly') continue;
      for (const anomaly of anomalies) {
        if (anomaly.symbol !== rule.symbol || anomaly.threshold === 0) continue;
        const strength = Math.abs(anomaly.value / anomaly.threshold);
        const firing = { rule, at: anomaly.start, value: anomaly.value, message: anomaly.message };
        if (strength >= rule.threshold && this.pastCooldown(firing)) firings.push(firing);
      }
    }
    return firings;
  }

  /** Whether the firing is outside its rule's quiet time after the last one; if so, it starts the next. */
  private pastCooldown(firing: Firing): boolean {
    const last = this.lastFiredAt.get(firing.rule.id);
    if (last !== undefined && firing.at >= last && firing.at < last + firing.rule.cooldownMs) return false;
    this.lastFiredAt.set(firing.rule.id, firing.at);
    return true;
  }

  private crossing(rule: AlertRule, ticks: readonly Tick[]): Firing | null {
    let fired: Firing | null = null;
    for (const tick of ticks) {
      if (tick.symbol !== rule.symbol) continue;
      const beyond = rule.kind === 'price-above' ? tick.price > rule.threshold : tick.price < rule.threshold;
      const armed = this.armed.get(rule.id) ?? true;
      if (beyond && armed) {
        fired = {
          rule,
          at: tick.ts,
          value: tick.price,
          message: `${rule.symbol} at ${tick.price}, ${rule.kind === 'price-above' ? 'above' : 'below'} ${rule.threshold}`,
        };
      }
      this.armed.set(rule.id, !beyond);
    }
    return fired;
  }

  private move(rule: AlertRule): Firing | null {
    const history = this.recent.get(rule.symbol);
    if (!history || history.length < 2) return null;
    const last = history.at(-1)!;
    const since = last.ts - rule.windowMs;
    const window = history.filter((p) => p.ts >= since && p.ts >= (this.lastMoveFiring.get(rule.id) ?? -Infinity));
    if (window.length < 2) return null;
    const low = Math.min(...window.map((p) => p.price));
    const high = Math.max(...window.map((p) => p.price));
    const from = last.price >= (low + high) / 2 ? low : high;
    const change = ((last.price - from) / from) * 100;
    if (Math.abs(change) < rule.threshold) return null;
    this.lastMoveFiring.set(rule.id, last.ts);
    return {
      rule,
      at: last.ts,
      value: change,
      message: `${rule.symbol} moved ${change >= 0 ? '+' : ''}${change.toFixed(2)}% within ${Math.round(rule.windowMs / 60_000)} min`,
    };
  }

  private volumeSpike(rule: AlertRule): Firing | null {
    const minutes = this.minuteVolumes.get(rule.symbol);
    if (!minutes || minutes.size <= VOLUME_AVERAGE_MINUTES / 2) return null;
    const starts = [...minutes.keys()].sort((a, b) => a - b);
    const current = starts.at(-1)!;
    if (this.lastSpikeMinute.get(rule.id) === current) return null;
    const previous = starts.slice(-1 - VOLUME_AVERAGE_MINUTES, -1).map((s) => minutes.get(s)!);
    const average = previous.reduce((a, b) => a + b, 0) / previous.length;
    const volume = minutes.get(current)!;
    if (average <= 0 || volume < rule.threshold * average) return null;
    this.lastSpikeMinute.set(rule.id, current);
    return {
      rule,
      at: current,
      value: volume / average,
      message: `${rule.symbol} traded ${(volume / average).toFixed(1)}x its average minute volume`,
    };
  }

  private remember(tick: Tick, rules: readonly AlertRule[]): void {
    const longest = Math.max(
      0,
      ...rules.filter((r) => r.symbol === tick.symbol && r.kind === 'move-percent').map((r) => r.windowMs),
    );
    if (longest === 0) return;
    const history = this.recent.get(tick.symbol) ?? [];
    history.push({ ts: tick.ts, price: tick.price });
    while (history.length > 0 && history[0]!.ts < tick.ts - longest) history.shift();
    this.recent.set(tick.symbol, history);
  }

  private rememberMinute(candle: Candle): void {
    const minutes = this.minuteVolumes.get(candle.symbol) ?? new Map<number, number>();
    minutes.set(candle.start, candle.volume);
    if (minutes.size > VOLUME_AVERAGE_MINUTES + 5) minutes.delete(Math.min(...minutes.keys()));
    this.minuteVolumes.set(candle.symbol, minutes);
  }
}
