import { describe, expect, it } from 'vitest';
import { anomalyMarkers } from '../../renderer/src/chart/anomaly-markers.ts';
import type { Anomaly } from '../../engine/domain/anomaly.ts';

const T = Date.parse('2024-03-05T15:07:00Z');
const anomaly = (over: Partial<Anomaly>): Anomaly => ({
  symbol: 'AAPL',
  interval: '1m',
  start: T,
  kind: 'volume-spike',
  value: 10,
  threshold: 3,
  baseline: 100,
  window: 20,
  message: 'AAPL traded 10x its average',
  ...over,
});

describe('anomaly markers on a chart', () => {
  const found = [
    anomaly({ kind: 'volume-spike' }),
    anomaly({ kind: 'return-z', value: 4.2 }),
    anomaly({ start: T + 6 * 60_000, kind: 'gap' }),
    anomaly({ symbol: 'MSFT' }),
  ];

  it('puts one marker on the bar holding each anomalous minute, keeping what was unusual in its id', () => {
    expect(anomalyMarkers(found, 'AAPL', '1m').map((m) => [m.time, m.id])).toEqual([
      [T / 1000, `${T}:volume+move`],
      [(T + 6 * 60_000) / 1000, `${T + 6 * 60_000}:gap`],
    ]);
    // On 5-minute bars both minutes fall into their own 5-minute windows (15:05 and 15:10).
    expect(anomalyMarkers(found, 'AAPL', '5m').map((m) => m.time)).toEqual([
      Date.parse('2024-03-05T15:05:00Z') / 1000,
      Date.parse('2024-03-05T15:10:00Z') / 1000,
    ]);
  });

  it('shows none where they cannot be placed honestly: seconds charts and exchange-day bars', () => {
    expect(anomalyMarkers(found, 'AAPL', '1s')).toEqual([]);
    expect(anomalyMarkers(found, 'AAPL', '1d')).toEqual([]);
    expect(anomalyMarkers(found, 'TSLA', '1m')).toEqual([]);
  });
});
