// The Grafana files in resources/grafana against a real InfluxDB 1.x: every InfluxQL query of the
// dashboard, with its template variables filled in the way Grafana fills them, runs on data written
// by the mirror and shows what the mirror wrote; the provisioned data source is the one it names.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Candle } from '../../engine/domain/candle.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { InfluxMirror } from '../../engine/sinks/influx/mirror.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { CandleAggregator } from '../../engine/stream/candle-aggregator.ts';
import { INFLUX_SKIP_REASON, startTestInflux, testMirrorSettings, type TestInflux } from '../support/influx.ts';

const DIR = path.resolve(import.meta.dirname, '../../resources/grafana');
const dashboard = JSON.parse(fs.readFileSync(path.join(DIR, 'market-monitor-dashboard.json'), 'utf8')) as {
  templating: { list: Array<{ name: string; query: string; datasource?: { uid: string } }> };
  panels: Array<{ title: string; type: string; datasource?: { uid: string }; targets?: Array<{ query: string }> }>;
};
const T0 = Date.parse('2026-03-04T14:30:00Z');
const SYMBOLS = ['AAPL', 'BRK B'];

/** Grafana's substitutions for a query over [from, to] at a one-minute step, the "1m" candles and two symbols. */
function fill(query: string, from: number, to: number): string {
  return query
    .replaceAll('$timeFilter', `time >= ${from}ms and time <= ${to}ms`)
    .replaceAll('$__interval', '1m')
    .replaceAll('$interval', '1m')
    .replaceAll('$symbol', `(${SYMBOLS.map((s) => s.replace(/[.*+?^${}()|[\]\\ ]/g, '\\$&')).join('|')})`);
}

describe('Grafana provisioning files', () => {
  it('provision an InfluxDB data source with the uid every panel and variable uses', () => {
    const provisioning = parseYaml(fs.readFileSync(path.join(DIR, 'datasource.yaml'), 'utf8')) as {
      apiVersion: number;
      datasources: Array<{ uid: string; type: string; url: string; jsonData: { dbName: string } }>;
    };
    expect(provisioning.apiVersion).toBe(1);
    const [source] = provisioning.datasources;
    expect(source).toMatchObject({
      type: 'influxdb',
      url: 'http://127.0.0.1:8086',
      jsonData: { dbName: 'market_monitor' },
    });
    const uids = new Set([
      ...dashboard.panels.filter((p) => p.targets).map((p) => p.datasource?.uid),
      ...dashboard.templating.list.filter((v) => v.datasource).map((v) => v.datasource!.uid),
    ]);
    expect([...uids]).toEqual([source!.uid]);
    const providers = parseYaml(fs.readFileSync(path.join(DIR, 'dashboards.yaml'), 'utf8')) as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    expect(providers.providers[0]).toMatchObject({ type: 'file' });
  });
});

describe.skipIf(INFLUX_SKIP_REASON !== null)(
  `Grafana dashboard queries on a real InfluxDB 1.x${INFLUX_SKIP_REASON ? ` (skipped: ${INFLUX_SKIP_REASON})` : ''}`,
  { timeout: 60_000 },
  () => {
    let influx: TestInflux;
    let db: SqliteDatabase;
    const latest = new Map<string, Candle>();
    const ticks: Tick[] = [];

    beforeAll(async () => {
      influx = await startTestInflux();
      await influx.query('CREATE DATABASE market_monitor');
      db = openDatabase(':memory:');
      const mirror = new InfluxMirror({ settings: testMirrorSettings(influx.url, 'market_monitor'), db });
      const aggregator = new CandleAggregator(['1m']);
      // Five minutes of trades, one every 2 s per symbol.
      for (let i = 0; i < 150; i++) {
        for (const [s, symbol] of SYMBOLS.entries()) {
          const tick: Tick = {
            symbol,
            ts: T0 + i * 2_000 + s,
            price: 100 + s * 50 + i / 4,
            volume: 10 + (i % 3),
            side: i % 2 ? 'buy' : 'sell',
            source: 'simulator',
          };
          aggregator.add(tick);
          ticks.push(tick);
          mirror.offer([tick], []);
        }
        for (const c of aggregator.drainChanged()) latest.set(`${c.symbol} ${c.start}`, { ...c });
        mirror.offer([], [...latest.values()]);
      }
      await mirror.flush();
      await mirror.close();
    });

    afterAll(async () => {
      db?.close();
      await influx?.cleanup();
    });

    it('lists the symbols for the $symbol variable', async () => {
      const variable = dashboard.templating.list.find((v) => v.name === 'symbol')!;
      const series = await influx.query(variable.query, 'market_monitor');
      expect(series[0]!.values.map((row) => row[1])).toEqual([...SYMBOLS].sort());
    });

    it('answers every panel query with the mirrored data', async () => {
      const from = T0;
      const to = T0 + 5 * 60_000 - 1;
      const panels = dashboard.panels.filter((p) => p.targets);
      expect(panels.map((p) => p.type)).toEqual([
        'candlestick',
        'timeseries',
        'timeseries',
        'timeseries',
        'timeseries',
      ]);
      for (const panel of panels) {
        for (const target of panel.targets!) {
          const series = await influx.query(fill(target.query, from, to), 'market_monitor');
          expect(series.length, `${panel.title}: ${target.query}`).toBeGreaterThan(0);
          expect(series.flatMap((s) => s.values).length, panel.title).toBeGreaterThan(0);
        }
      }
    });

    it('draws candles and the close line equal to the engine candles', async () => {
      const byTitle = (title: string) => dashboard.panels.find((p) => p.title.startsWith(title))!.targets![0]!.query;
      const from = T0;
      const to = T0 + 5 * 60_000 - 1;
      const closes = await influx.query(fill(byTitle('Close'), from, to), 'market_monitor');
      const want = (symbol: string) =>
        [...latest.values()].filter((c) => c.symbol === symbol).sort((a, b) => a.start - b.start);
      for (const symbol of SYMBOLS) {
        const series = closes.find((s) => s.tags?.symbol === symbol)!;
        expect(series.values).toEqual(want(symbol).map((c) => [c.start, c.close]));
      }
      // The candlestick query merges symbols; with one symbol it is that symbol's candles.
      const one = byTitle('Candles').replaceAll('$symbol', 'AAPL');
      const candles = await influx.query(fill(one, from, to), 'market_monitor');
      expect(candles[0]!.values).toEqual(want('AAPL').map((c) => [c.start, c.open, c.high, c.low, c.close, c.volume]));
      // Buy and sell volume add up to all traded volume.
      const [buy, sell] = dashboard.panels.find((p) => p.title === 'Buy vs sell volume')!.targets!;
      const sum = async (q: string) =>
        (await influx.query(fill(q, from, to), 'market_monitor'))[0]!.values.reduce((n, v) => n + (v[1] as number), 0);
      expect((await sum(buy!.query)) + (await sum(sell!.query))).toBe(ticks.reduce((n, t) => n + t.volume, 0));
    });
  },
);
