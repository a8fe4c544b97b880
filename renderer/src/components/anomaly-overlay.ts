import { createSeriesMarkers, type ISeriesApi, type Time } from 'lightweight-charts';
import type { Interval } from '../../../engine/domain/interval.ts';
import type { Anomaly } from '../../../engine/stream/anomalies/anomaly.ts';
import type { ApiClient } from '../api/client.ts';
import { anomalyMarkers } from './anomaly-markers.ts';

/** Keeps a series' anomaly markers: the stored ones at mount, then each one the engine finds. */
export function showAnomalies(
  api: ApiClient,
  series: ISeriesApi<'Candlestick'>,
  symbol: string,
  interval: Interval,
): () => void {
  let plugin: ReturnType<typeof createSeriesMarkers<Time>> | null = null;
  const known: Anomaly[] = [];
  const draw = () => {
    const markers = anomalyMarkers(known, symbol, interval);
    if (markers.length === 0 && !plugin) return;
    plugin ??= createSeriesMarkers(series, []);
    plugin.setMarkers(markers);
  };
  let live = true;
  void api.call('anomalies.recent', { symbol, limit: 1_000 }).then(
    (stored) => {
      if (!live) return;
      known.push(...stored);
      draw();
    },
    () => undefined,
  );
  const off = api.on('anomaly', (a) => {
    if (a.symbol !== symbol) return;
    known.push(a);
    draw();
  });
  return () => {
    live = false;
    off();
    plugin?.detach();
  };
}
