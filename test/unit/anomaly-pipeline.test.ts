import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../engine/app/handlers.ts';
import type { EventPayload } from '../../engine/api/contract.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { AlertRuleInputSchema } from '../../engine/domain/alert-rule.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { AlertRepo } from '../../engine/store/alert-repo.ts';
import type { ReplaySource } from '../../engine/sources/replay/replay-source.ts';
import { computeIndicators, DEFAULT_INDICATORS } from '../../engine/stream/indicators/index.ts';
import { tempDir } from './helpers.ts';

const T0 = Date.parse('2024-03-05T15:00:00Z');

/** 40 quiet minutes of AAPL, one trade every 10 s, with a 3% jump and ten times the volume in minute 30. */
function tickFile(dir: string): string {
  const lines = ['symbol,timestamp,price,volume,side'];
  for (let i = 0; i < 240; i++) {
    const minute = Math.floor(i / 6);
    const price = (minute >= 30 ? 103 : 100) + (minute % 2) * 0.05 + (i % 2) * 0.01;
    lines.push(`AAPL,${T0 + i * 10_000},${price},${minute === 30 ? 1_000 : 100},buy`);
  }
  const file = path.join(dir, 'ticks.csv');
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

describe('anomalies and indicators through the running engine', () => {
  const tmp = tempDir();
  let app: MarketMonitor;
  const published: Array<EventPayload<'anomaly'>> = [];

  beforeAll(async () => {
    // Alert rules stored before the stream starts, as a user would have set them: told of every
    // anomaly (no cooldown), since the two of minute 30 share one candle.
    const db = openDatabase(path.join(tmp.dir, 'market.db'));
    const rules = new AlertRepo(db);
    rules.addRule(AlertRuleInputSchema.parse({ symbol: 'AAPL', kind: 'anomaly', threshold: 1, cooldownMs: 0 }));
    rules.addRule(AlertRuleInputSchema.parse({ symbol: 'MSFT', kind: 'anomaly', threshold: 1, cooldownMs: 0 }));
    db.close();
    app = await MarketMonitor.open({
      dbPath: path.join(tmp.dir, 'market.db'),
      overrides: { source: { kind: 'replay', replay: { file: tickFile(tmp.dir), speed: 'max' } } },
    });
    app.events.subscribe((event, payload) => {
      if (event === 'anomaly') published.push(payload as EventPayload<'anomaly'>);
    });
    await (app.currentSource as ReplaySource).done;
    await app.drain();
    app.events.flush();
  });
  afterAll(async () => {
    await app.close();
    tmp.cleanup();
  });

  it('publishes and stores the jump and the volume spike of minute 30, with their evidence', async () => {
    const minute30 = T0 + 30 * 60_000;
    expect(published.map((a) => [a.kind, a.start])).toEqual([
      ['return-z', minute30],
      ['volume-spike', minute30],
    ]);
    expect(published[1]).toMatchObject({ value: 10, baseline: 600, threshold: 3, window: 20 });
    const handlers = createHandlers(app);
    expect(await handlers['anomalies.recent']({ symbol: 'AAPL', limit: 10 })).toHaveLength(2);
  });

  it('fires the anomaly alert of AAPL once for each anomaly found, and none for MSFT', async () => {
    const history = app.alerts.history(10);
    expect(history.map((h) => h.message).sort()).toEqual(published.map((a) => a.message).sort());
    expect(history.every((h) => h.symbol === 'AAPL')).toBe(true);
  });

  it('serves indicator series computed from the stored candles', async () => {
    const handlers = createHandlers(app);
    const { keys, points } = await handlers['indicators.series']({
      symbol: 'AAPL',
      interval: '1m',
      limit: 1_000,
      spec: DEFAULT_INDICATORS,
    });
    expect(keys).toEqual(['sma20', 'ema50', 'bb20.upper', 'bb20.middle', 'bb20.lower', 'rsi14', 'vwap']);
    expect(points).toHaveLength(40);
    expect(points).toEqual(
      computeIndicators(app.store.candles({ symbol: 'AAPL', interval: '1m' }), DEFAULT_INDICATORS),
    );
    // Minute 19 is the first with 20 bars behind it: closes 100.01 and 100.06 alternate.
    expect(points[18]!.values.sma20).toBeNull();
    expect(points[19]!.values.sma20).toBeCloseTo(100.035, 9);
    expect(points.at(-1)!.values.vwap).toBeGreaterThan(100);
  });
});
