import type { UTCTimestamp } from 'lightweight-charts';
import type { Anomaly } from '../../../engine/domain/anomaly.ts';
import { INTERVAL_MS, windowStart, type Interval } from '../../../engine/domain/interval.ts';

const LABEL: Record<Anomaly['kind'], string> = { 'return-z': 'move', 'volume-spike': 'volume', gap: 'gap' };

/** An anomaly marker: the bar it sits on, and what was unusual there. */
export interface AnomalyMarker {
  time: UTCTimestamp;
  /** The bar's start and the kinds found on it, e.g. `1709651220000:volume+move`. */
  id: string;
}

/**
 * Where a symbol's anomalies sit on a chart of `interval`: on the bar that holds the anomalous
 * candle's start. Daily bars follow the exchange day, which the engine knows and the page does
 * not, so a daily chart shows none rather than misplaced ones. One marker per bar, oldest first.
 */
export function anomalyMarkers(anomalies: readonly Anomaly[], symbol: string, interval: Interval): AnomalyMarker[] {
  if (interval === '1d') return [];
  const byBar = new Map<number, Anomaly[]>();
  for (const a of anomalies) {
    // An anomaly of a minute bar has no place on a chart of seconds: it is about the whole minute.
    if (a.symbol !== symbol || INTERVAL_MS[interval] < INTERVAL_MS[a.interval]) continue;
    const bar = windowStart(a.start, interval);
    byBar.set(bar, [...(byBar.get(bar) ?? []), a]);
  }
  return [...byBar.entries()]
    .sort(([x], [y]) => x - y)
    .map(([bar, found]) => ({
      time: (bar / 1000) as UTCTimestamp,
      // No text on the chart: at coarse intervals labels pile into each other. The kinds travel in
      // the id; the Alerts and Analyses views tell the whole story.
      id: `${bar}:${[...new Set(found.map((a) => LABEL[a.kind]))].join('+')}`,
    }));
}
