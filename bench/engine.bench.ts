import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { InProcessLog } from '../engine/bus/in-process-log.ts';
import { INTERVALS } from '../engine/domain/interval.ts';
import type { Tick } from '../engine/domain/tick.ts';
import { MarketSimulator } from '../engine/sources/simulator.ts';
import { openDatabase, type SqliteDatabase } from '../engine/store/database.ts';
import { MarketStore } from '../engine/store/market-store.ts';
import { APP_WRITE_BEHIND } from '../engine/store/candle-buffer.ts';
import { CandleAggregator } from '../engine/stream/candle-aggregator.ts';
import { CandleIndicators, DEFAULT_INDICATORS, sessionOfCandle } from '../engine/stream/indicators/index.ts';
import { TickProcessor } from '../engine/stream/tick-processor.ts';
import { bestOf, bestOfAsync, result, type BenchResult } from './harness.ts';

const SYMBOLS = Array.from({ length: 50 }, (_, i) => `SYM${i}`);

/** A reproducible day of trades over 50 symbols, a few per millisecond. */
export function makeTicks(count: number): Tick[] {
  const simulator = new MarketSimulator({ seed: 1, ticksPerSecond: 1 });
  const start = Date.parse('2024-03-04T14:30:00Z');
  return Array.from({ length: count }, (_, i) =>
    simulator.trade(SYMBOLS[i % SYMBOLS.length]!, start + Math.floor(i / 4)),
  );
}

/**
 * Candles at every interval plus every indicator on each of them (SMA 20, EMA 50, Bollinger 20,
 * RSI 14, session VWAP), updated per batch of 1,000 ticks as the processor drains changed candles,
 * against a loop that only reads the same ticks.
 */
export function aggregationBench(ticks: readonly Tick[], batch = 1_000): BenchResult {
  let sink = 0;
  const bare = bestOf(5, () => {
    for (const t of ticks) sink += t.price + t.volume + t.ts;
  });
  const engine = bestOf(5, () => {
    const aggregator = new CandleAggregator(INTERVALS);
    const series = new Map<string, CandleIndicators>();
    const sessionOf = sessionOfCandle();
    for (let i = 0; i < ticks.length; i += batch) {
      const end = Math.min(i + batch, ticks.length);
      for (let j = i; j < end; j++) aggregator.add(ticks[j]!);
      for (const candle of aggregator.drainChanged()) {
        const key = `${candle.symbol}|${candle.interval}`;
        let indicators = series.get(key);
        if (!indicators) series.set(key, (indicators = new CandleIndicators(DEFAULT_INDICATORS, sessionOf)));
        sink += indicators.push(candle)?.start ?? 0;
      }
    }
  });
  if (sink === 0) throw new Error('unreachable: keeps the loops from being optimised away');
  const perSecond = (ms: number) => (ticks.length / ms) * 1000;
  return result(
    `engine.candles_all_intervals_plus_indicators (${INTERVALS.length} intervals)`,
    perSecond(engine),
    'ticks/s',
    perSecond(bare),
  );
}

/**
 * A new database in a directory of its own, and how to close and remove it: a run writes hundreds
 * of MB of them, which were left in the temporary folder (5.9 GB after a few days of runs).
 */
function tempDb(name: string): { db: SqliteDatabase; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-bench-'));
  const db = openDatabase(path.join(dir, name));
  return {
    db,
    remove: () => {
      if (db.open) db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The engine's persisted path (validate, aggregate, one transaction per batch) against raw inserts of the same rows. */
export function persistenceBench(ticks: readonly Tick[], batch = 5_000): BenchResult {
  // Closed inside the timed runs, as before; removed after them, so deleting files is in neither figure.
  const removals: Array<() => void> = [];
  const raw = bestOf(3, () => {
    const { db, remove } = tempDb('raw.db');
    removals.push(remove);
    const insert = db.prepare('INSERT INTO ticks (symbol, ts, price, volume, side, source) VALUES (?, ?, ?, ?, ?, ?)');
    const commit = db.transaction((rows: readonly Tick[]) => {
      for (const t of rows) insert.run(t.symbol, t.ts, t.price, t.volume, t.side ?? null, t.source);
    });
    for (let i = 0; i < ticks.length; i += batch) commit(ticks.slice(i, i + batch));
    db.close();
  });
  const engine = bestOf(3, () => {
    const { db, remove } = tempDb('engine.db');
    removals.push(remove);
    // As the app writes: candles behind their ticks, all of them written before the clock stops.
    const store = new MarketStore(db, { writeBehind: APP_WRITE_BEHIND });
    const processor = new TickProcessor(store, {
      groupId: 'bench',
      intervals: INTERVALS,
      outOfOrdernessMs: 2_000,
      allowedLatenessMs: 60_000,
    });
    for (let i = 0; i < ticks.length; i += batch) {
      const records = ticks.slice(i, i + batch).map((value, j) => ({ offset: i + j, key: value.symbol, value }));
      void processor.onBatch({ topic: 'bench', partition: 0, records });
    }
    store.close();
    db.close();
  });
  for (const remove of removals) remove();
  const perSecond = (ms: number) => (ticks.length / ms) * 1000;
  return result('persist.ticks_and_candles_sqlite', perSecond(engine), 'ticks/s', perSecond(raw));
}

/** The longest the event loop was blocked while the whole pipeline ingests, against an idle loop. */
export async function blockingBench(ticks: readonly Tick[]): Promise<BenchResult> {
  const measure = async (work: () => Promise<void>) => {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    await work();
    histogram.disable();
    return histogram.max / 1e6;
  };
  const idle = await measure(() => new Promise((resolve) => setTimeout(resolve, 500)));
  const { db, remove } = tempDb('loop.db');
  const bus = new InProcessLog({ partitions: 4 });
  const store = new MarketStore(db, { writeBehind: APP_WRITE_BEHIND });
  const processor = new TickProcessor(store, {
    groupId: 'bench',
    intervals: INTERVALS,
    outOfOrdernessMs: 2_000,
    allowedLatenessMs: 60_000,
  });
  await bus.subscribe(processor);
  const busy = await measure(async () => {
    for (let i = 0; i < ticks.length; i += 1_000) await bus.publish(ticks.slice(i, i + 1_000));
    while (bus.health().partitions.some((p) => p.lag > 0)) await new Promise((resolve) => setTimeout(resolve, 5));
  });
  await bus.close();
  store.close();
  remove();
  return result('loop.longest_task_while_ingesting', busy, 'ms', Math.max(idle, 0.001));
}

export { bestOfAsync };
