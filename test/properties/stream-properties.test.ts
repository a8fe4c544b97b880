/**
 * The stream engine's correctness properties, end to end through TickProcessor, the anomaly
 * detector and SQLite. The shuffled-input property (ticks out of order within the bound give the
 * candles of a SQL recomputation) and the candle/checkpoint side of the restart property live in
 * test/unit/tick-processor.test.ts; these add late data against an independent SQL oracle, and
 * byte-identical CSV exports of every analysis across batchings and restarts.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AnalysisParamsSchema } from '../../engine/analyses/analysis.ts';
import { ANALYSIS_NAMES } from '../../engine/analyses/market-analyses.ts';
import type { BusBatch } from '../../engine/bus/bus.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { exportAnalysis } from '../../engine/export/export-analysis.ts';
import { AnomalyRepo } from '../../engine/store/anomaly-repo.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import { AnomalyDetector, type AnomalyOptions } from '../../engine/stream/anomalies/anomaly-detector.ts';
import { sessionOfCandle } from '../../engine/stream/indicators/index.ts';
import { TickProcessor, type ProcessorOptions } from '../../engine/stream/tick-processor.ts';
import { sqlCandles, storedCandles, tempDir } from '../unit/helpers.ts';

const TOPIC = 'market.ticks';
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA'];
const INTERVALS = ['1s', '1m', '5m', '1d'] as const;
/** Ten seconds before midnight in New York: streams cross an exchange session and windows of every size. */
const BASE = Date.parse('2024-01-10T04:59:50Z');
const OOO = 1_000;
const LATENESS = 3_000;
const OPTIONS: ProcessorOptions = {
  groupId: 'props',
  intervals: INTERVALS,
  outOfOrdernessMs: OOO,
  allowedLatenessMs: LATENESS,
};
/** Tight thresholds on one-second bars, so short random streams do raise anomalies of every kind. */
const ANOMALIES: AnomalyOptions = {
  interval: '1s',
  window: 5,
  zThreshold: 1.5,
  volumeMultiple: 2,
  gapThreshold: 0.005,
};

/** Prices in quarters and whole volumes: every sum is exact, so comparisons can be exact too. */
const stepArb = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  dt: fc.integer({ min: 0, max: 400 }),
  behind: fc.integer({ min: 0, max: 1_000 }),
  price: fc.integer({ min: 400, max: 440 }).map((q) => q / 4),
  volume: fc.integer({ min: 1, max: 500 }),
  side: fc.constantFrom('buy' as const, 'sell' as const, undefined),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

/** Event times run forward; each tick is `behind * scale` ms behind the clock. */
function stream(steps: readonly Step[], scale: number): Tick[] {
  let t = BASE;
  return steps.map((s) => {
    t += s.dt;
    const tick: Tick = {
      symbol: s.symbol,
      ts: t - s.behind * scale,
      price: s.price,
      volume: s.volume,
      source: 'replay',
    };
    if (s.side) tick.side = s.side;
    return tick;
  });
}

/** One engine on one database, wired as MarketMonitor wires it. */
function engine(file: string) {
  const db = openDatabase(file);
  const store = new MarketStore(db);
  const processor = new TickProcessor(store, OPTIONS);
  const anomalies = new AnomalyRepo(db);
  const interval = ANOMALIES.interval;
  const detector = new AnomalyDetector(ANOMALIES, sessionOfCandle(), OOO + LATENESS, (symbol, before, count) => [
    ...store.candles({ symbol, interval, to: before - 1, limit: count }),
    ...store.candles({ symbol, interval, from: before, limit: 100_000 }),
  ]);
  processor.onCommitted((b) => anomalies.record(detector.onCommitted(b.candles)));
  return { db, store, processor };
}

/** A single partition's records with consecutive offsets from `from`, cut into batches of the given sizes. */
function batches(ticks: readonly Tick[], sizes: readonly number[], from = 0): BusBatch[] {
  const out: BusBatch[] = [];
  for (let at = 0, k = 0; at < ticks.length; k++) {
    const size = sizes[k % sizes.length]!;
    out.push({
      topic: TOPIC,
      partition: 0,
      records: ticks.slice(at, at + size).map((value, i) => ({ offset: from + at + i, key: value.symbol, value })),
    });
    at += size;
  }
  return out;
}

/** Every analysis at every interval it can be asked for, as the CSV a user would download. */
function exports(db: SqliteDatabase): string {
  const out: string[] = [];
  for (const name of ANALYSIS_NAMES) {
    for (const interval of INTERVALS) {
      const { filename, csv } = exportAnalysis(db, name, AnalysisParamsSchema.parse({ interval }));
      out.push(`# ${filename}\n${csv}`);
    }
  }
  return out.join('\n');
}

function anomalyCount(db: SqliteDatabase): number {
  return (db.prepare('SELECT count(*) AS n FROM anomalies').get() as { n: number }).n;
}

/** The oracle's database: only the given ticks, in the given order, and nothing of the engine but the schema. */
function oracle(ticks: readonly Tick[]): SqliteDatabase {
  const db = openDatabase(':memory:');
  const insert = db.prepare('INSERT INTO ticks (symbol, ts, price, volume, side, source) VALUES (?, ?, ?, ?, ?, ?)');
  for (const t of ticks) insert.run(t.symbol, t.ts, t.price, t.volume, t.side ?? null, t.source);
  return db;
}

const SIZES = { '1s': 1_000, '1m': 60_000, '5m': 300_000 } as const;

function expectCandlesEqual(engineDb: SqliteDatabase, oracleDb: SqliteDatabase): void {
  for (const [interval, size] of Object.entries(SIZES)) {
    expect(storedCandles(engineDb, interval), interval).toEqual(sqlCandles(oracleDb, interval, size));
  }
}

/** A failure stops shrinking after a while: a counterexample half-shrunk beats a test that never ends. */
const BOUNDED = { interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true };

const tmp = tempDir('mm-props-');
afterAll(() => tmp.cleanup());

describe('stream engine properties', () => {
  it('late ticks within the allowed lateness amend to the batch result; later ones change nothing and are counted and dead-lettered', async () => {
    let amended = 0;
    let tooLate = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 30, maxLength: 150, size: 'medium' }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 9 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 4 }),
        async (steps, withholdPattern, sizes) => {
          // In order within the bound, minus the withheld ticks, which come after all the others.
          const all = stream(steps, 1);
          const withheld = all.filter((_, i) => withholdPattern[i % withholdPattern.length]! && i % 3 === 0);
          const onTime = all.filter((t) => !withheld.includes(t));
          const { db, processor } = engine(':memory:');
          for (const b of batches(onTime, sizes)) await processor.onBatch(b);
          expect(processor.counters.late).toBe(0);

          const maxSeen = Math.max(...onTime.map((t) => t.ts));
          const lateBefore = maxSeen - OOO - LATENESS;
          const beyond = withheld.filter((t) => t.ts < lateBefore);
          const within = withheld.filter((t) => t.ts >= lateBefore).sort((a, b) => a.ts - b.ts);

          // Beyond the allowed lateness: no candle changes; the counter and the dead letters show each tick.
          const before = storedCandles(db);
          const [beyondBatch] = batches(beyond, [beyond.length || 1], onTime.length);
          if (beyondBatch) await processor.onBatch(beyondBatch);
          expect(storedCandles(db)).toEqual(before);
          expect(processor.counters.late).toBe(beyond.length);
          const letters = db.prepare('SELECT reason, payload FROM dead_letters ORDER BY id').all() as Array<{
            reason: string;
            payload: string;
          }>;
          expect(letters.map((d) => JSON.parse(d.payload))).toEqual(beyond);
          for (const d of letters) expect(d.reason).toMatch(/^late: \d+ ms past the allowed lateness$/);

          // Within it (oldest first, so none of them makes another late): amended to the batch result.
          const [withinBatch] = batches(within, [within.length || 1], onTime.length + beyond.length);
          if (withinBatch) await processor.onBatch(withinBatch);
          expect(processor.counters).toEqual({
            accepted: onTime.length + within.length,
            late: beyond.length,
            invalid: 0,
          });
          const truth = oracle([...onTime, ...within]);
          expectCandlesEqual(db, truth);
          truth.close();
          db.close();
          amended += within.length;
          tooLate += beyond.length;
        },
      ),
      { numRuns: 100, ...BOUNDED },
    );
    // Not vacuous: both kinds of late tick happened.
    expect(amended).toBeGreaterThan(0);
    expect(tooLate).toBeGreaterThan(0);
  });

  it('the same input, delivered in different batches, gives byte-identical exports of every analysis', async () => {
    let anomalies = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 20, maxLength: 200, size: 'medium' }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }),
        async (steps, sizesA, sizesB) => {
          // Up to 5 s behind against 1 s + 3 s of tolerance: some ticks amend passed windows, some are late.
          const ticks = stream(steps, 5);
          const runs: string[] = [];
          for (const sizes of [sizesA, sizesB]) {
            const { db, processor } = engine(':memory:');
            for (const b of batches(ticks, sizes)) await processor.onBatch(b);
            runs.push(exports(db));
            anomalies += anomalyCount(db);
            db.close();
          }
          expect(runs[1]).toBe(runs[0]);
        },
      ),
      { numRuns: 40, ...BOUNDED },
    );
    expect(anomalies).toBeGreaterThan(0);
  });

  it('a restart from SQLite in the middle of a stream ends with byte-identical exports, anomalies included', async () => {
    let run = 0;
    let anomalies = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 20, maxLength: 200, size: 'medium' }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 99 }),
        async (steps, sizes, cut) => {
          const ticks = stream(steps, 5);
          const all = batches(ticks, sizes);
          const split = Math.floor((cut / 100) * all.length);

          const reference = engine(':memory:');
          for (const b of all) await reference.processor.onBatch(b);

          const file = path.join(tmp.dir, `restart-${run++}.db`);
          const first = engine(file);
          for (const b of all.slice(0, split)) await first.processor.onBatch(b);
          first.db.close(); // the process ends here
          const second = engine(file);
          for (const b of all.slice(split)) await second.processor.onBatch(b);

          expect(exports(second.db)).toBe(exports(reference.db));
          anomalies += anomalyCount(reference.db);
          second.db.close();
          reference.db.close();
        },
      ),
      { numRuns: 40, ...BOUNDED },
    );
    expect(anomalies).toBeGreaterThan(0);
  });
});
