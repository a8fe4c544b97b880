import type { ISeriesApi } from 'lightweight-charts';
import type { Interval } from '../../../engine/domain/interval.ts';
import type { Anomaly } from '../../../engine/domain/anomaly.ts';
import type { ApiClient } from '../api/client.ts';
import { AnomalyMarkerPrimitive } from './anomaly-marker-primitive.ts';
import { anomalyMarkers } from './anomaly-markers.ts';

/** Keeps a series' anomaly markers: the stored ones at mount, then each one the engine finds. */
export function showAnomalies(
  api: ApiClient,
  series: ISeriesApi<'Candlestick'>,
  symbol: string,
  interval: Interval,
): () => void {
  const markers = new AnomalyMarkerPrimitive();
  series.attachPrimitive(markers);
  const known: Anomaly[] = [];
  const draw = () => markers.setMarkers(anomalyMarkers(known, symbol, interval));
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
    series.detachPrimitive(markers);
  };
}
