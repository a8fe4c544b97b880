import type { Candle } from '../domain/candle.ts';
import { INTERVALS, type Interval } from '../domain/interval.ts';
import type { Tick } from '../domain/tick.ts';
import type { DeadLetter } from '../domain/dead-letter.ts';
import { StaleBatchError } from '../domain/stale-batch-error.ts';
import type { SqliteDatabase } from './database.ts';

// Part of the batch API below, so callers of the store may name them from here.
export type { DeadLetter };
export { StaleBatchError };

export interface Checkpoint {
  consumerGroup: string;
  topic: string;
  partition: number;
  /** The next offset to read: everything before it is in this database. */
  nextOffset: number;
  maxEventTs: number | null;
}

/** What one consumed batch changes: written in one transaction, so a crash keeps all of it or none. */
export interface BatchResult {
  ticks: readonly Tick[];
  candles: readonly Candle[];
  deadLetters: readonly DeadLetter[];
  checkpoint: Checkpoint;
  /** The batch's first offset: refused if the stored checkpoint is already past it. */
  fromOffset: number;
}

/** Candle versions read from a candle topic, and where to read on. */
export interface PublishedCandles {
  candles: readonly Candle[];
  checkpoint: Pick<Checkpoint, 'consumerGroup' | 'topic' | 'partition' | 'nextOffset'>;
}

export interface StoredPrice {
  price: number;
  ts: number;
}

export interface CandleQuery {
  symbol: string;
  interval: Interval;
  from?: number;
  to?: number;
  limit?: number;
}

/** A candle query's bound parameters, in the order both candle reads use: unset bounds are open. */
export function candleQueryParams(query: CandleQuery): [string, Interval, number, number, number] {
  return [
    query.symbol,
    query.interval,
    query.from ?? Number.MIN_SAFE_INTEGER,
    query.to ?? Number.MAX_SAFE_INTEGER,
    query.limit ?? 1_000,
  ];
}

interface CandleRow {
  symbol: string;
  interval: Interval;
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  turnover: number;
  trades: number;
  buy_volume: number;
  sell_volume: number;
  open_ts: number;
  close_ts: number;
}

function toCandle(row: CandleRow): Candle {
  return {
    symbol: row.symbol,
    interval: row.interval,
    start: row.start,
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: row.volume,
    turnover: row.turnover,
    trades: row.trades,
    buyVolume: row.buy_volume,
    sellVolume: row.sell_volume,
    openTs: row.open_ts,
    closeTs: row.close_ts,
  };
}

/** A candle stored, or its window's stored version replaced. */
const UPSERT_CANDLE = `
  INSERT INTO candles (symbol, interval, start, open, high, low, close, volume, turnover, trades,
                       buy_volume, sell_volume, open_ts, close_ts)
  VALUES (@symbol, @interval, @start, @open, @high, @low, @close, @volume, @turnover, @trades,
          @buyVolume, @sellVolume, @openTs, @closeTs)
  ON CONFLICT (symbol, interval, start) DO UPDATE SET
    open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
    volume = excluded.volume, turnover = excluded.turnover, trades = excluded.trades,
    buy_volume = excluded.buy_volume, sell_volume = excluded.sell_volume,
    open_ts = excluded.open_ts, close_ts = excluded.close_ts`;

/**
 * A candle stored whole, in place of its window's stored version: the engine's own writes, where
 * the newest fold is always right. REPLACE deletes and inserts, which for this table (no rowid, no
 * other index, no trigger, nothing referring to it) is the upsert above, and costs a third less;
 * positional parameters bind faster than named ones.
 */
const REPLACE_CANDLE = `
  INSERT OR REPLACE INTO candles (symbol, interval, start, open, high, low, close, volume, turnover,
                                  trades, buy_volume, sell_volume, open_ts, close_ts)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Ticks, candles, checkpoints and dead letters: the engine's results. */
export class MarketStore {
  private readonly insertTick;
  private readonly replaceCandle;
  private readonly insertDeadLetter;
  private readonly saveCheckpoint;
  private readonly commit;
  private readonly saveAll;
  private readonly mergeAll;
  /** Asked once per replayed tick a database may hold already (AlreadyStored): prepared once. */
  private readonly countIdentity;

  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.countIdentity = db
      .prepare('SELECT count(*) FROM ticks WHERE symbol = ? AND ts = ? AND price = ? AND volume = ? AND side IS ?')
      .pluck();
    this.insertTick = db.prepare(
      'INSERT INTO ticks (symbol, ts, price, volume, side, source) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const replaceCandle = db.prepare(REPLACE_CANDLE);
    this.replaceCandle = (c: Candle) =>
      replaceCandle.run(
        c.symbol,
        c.interval,
        c.start,
        c.open,
        c.high,
        c.low,
        c.close,
        c.volume,
        c.turnover,
        c.trades,
        c.buyVolume,
        c.sellVolume,
        c.openTs,
        c.closeTs,
      );
    this.insertDeadLetter = db.prepare(
      'INSERT INTO dead_letters (at, topic, partition, offset, reason, payload) VALUES (@at, @topic, @partition, @offset, @reason, @payload)',
    );
    this.saveCheckpoint = db.prepare(`
      INSERT INTO checkpoints (consumer_group, topic, partition, next_offset, max_event_ts, updated_at)
      VALUES (@consumerGroup, @topic, @partition, @nextOffset, @maxEventTs, @updatedAt)
      ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET
        next_offset = excluded.next_offset, max_event_ts = excluded.max_event_ts, updated_at = excluded.updated_at`);
    const storedNext = db.prepare(
      'SELECT next_offset FROM checkpoints WHERE consumer_group = ? AND topic = ? AND partition = ?',
    );
    this.commit = db.transaction((batches: readonly BatchResult[]) => {
      for (const batch of batches) {
        const { consumerGroup, topic, partition } = batch.checkpoint;
        const stored = storedNext.pluck().get(consumerGroup, topic, partition) as number | undefined;
        if (stored !== undefined && stored > batch.fromOffset) {
          throw new StaleBatchError(topic, partition, stored, batch.fromOffset);
        }
        for (const t of batch.ticks) this.insertTick.run(t.symbol, t.ts, t.price, t.volume, t.side ?? null, t.source);
        for (const c of batch.candles) this.replaceCandle(c);
        for (const d of batch.deadLetters) this.insertDeadLetter.run(d);
        this.saveCheckpoint.run({ ...batch.checkpoint, updatedAt: Date.now() });
      }
    });
    this.saveAll = db.transaction((candles: readonly Candle[]) => {
      for (const c of candles) this.replaceCandle(c);
    });
    // A published version replaces the stored one only if it folded as many ticks or more: versions
    // read out of order (a slow engine's after its successor's) never take a window back.
    const upsertNewer = db.prepare(`${UPSERT_CANDLE}
      WHERE excluded.trades >= candles.trades`);
    this.mergeAll = db.transaction((batch: PublishedCandles): Candle[] => {
      const applied: Candle[] = [];
      for (const c of batch.candles) if (upsertNewer.run(c).changes > 0) applied.push(c);
      this.saveCheckpoint.run({ ...batch.checkpoint, maxEventTs: null, updatedAt: Date.now() });
      return applied;
    });
  }

  /**
   * A viewer's batch of published candle versions, with the candle topic's next offset, in one
   * transaction: the newest version of each window wins (by tick count). Returns those it stored.
   */
  mergePublishedCandles(batch: PublishedCandles): Candle[] {
    return this.mergeAll.immediate(batch);
  }

  /**
   * Candles the engine re-derived from stored ones, outside any batch: no offset moves, and writing
   * them again gives the same rows.
   */
  saveCandles(candles: readonly Candle[]): void {
    if (candles.length > 0) this.saveAll.immediate(candles);
  }

  /** Writes the batch atomically; IMMEDIATE so the stale check and the writes see one snapshot across processes. */
  commitBatch(batch: BatchResult): void {
    this.commit.immediate([batch]);
  }

  /** Batches of several partitions in one transaction: a stale one refuses them all. */
  commitBatches(batches: readonly BatchResult[]): void {
    this.commit.immediate(batches);
  }

  checkpoint(consumerGroup: string, topic: string, partition: number): Checkpoint | undefined {
    const row = this.db
      .prepare(
        'SELECT consumer_group AS consumerGroup, topic, partition, next_offset AS nextOffset, max_event_ts AS maxEventTs FROM checkpoints WHERE consumer_group = ? AND topic = ? AND partition = ?',
      )
      .get(consumerGroup, topic, partition) as Checkpoint | undefined;
    return row;
  }

  checkpoints(consumerGroup: string, topic: string): Checkpoint[] {
    return this.db
      .prepare(
        'SELECT consumer_group AS consumerGroup, topic, partition, next_offset AS nextOffset, max_event_ts AS maxEventTs FROM checkpoints WHERE consumer_group = ? AND topic = ? ORDER BY partition',
      )
      .all(consumerGroup, topic) as Checkpoint[];
  }

  /** The newest candles of a series, oldest first. */
  candles(query: CandleQuery): Candle[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM (
           SELECT * FROM candles WHERE symbol = ? AND interval = ? AND start >= ? AND start <= ?
           ORDER BY start DESC LIMIT ?
         ) ORDER BY start`,
      )
      .all(...candleQueryParams(query)) as CandleRow[];
    return rows.map(toCandle);
  }

  /** Candles whose window has not ended before `endAfter`: the state the engine reopens after a restart. */
  candlesEndingAfter(endAfter: number, intervalMs: Record<Interval, number>): Candle[] {
    const rows: CandleRow[] = [];
    const query = this.db.prepare('SELECT * FROM candles WHERE interval = ? AND start > ?');
    for (const [interval, size] of Object.entries(intervalMs)) {
      rows.push(...(query.all(interval, endAfter - size) as CandleRow[]));
    }
    return rows.map(toCandle);
  }

  /** The newest event time any consumer stored (or, failing a checkpoint, any candle's last trade). */
  latestEventTime(): number | undefined {
    const fromCheckpoints = this.db.prepare('SELECT max(max_event_ts) FROM checkpoints').pluck().get() as number | null;
    if (fromCheckpoints != null) return fromCheckpoints;
    const fromCandles = this.db.prepare('SELECT max(close_ts) FROM candles').pluck().get() as number | null;
    return fromCandles ?? undefined;
  }

  /** The newest last-trade time of any stored candle that is not after `limit`. */
  latestEventTimeUpTo(limit: number): number | undefined {
    const ts = this.db.prepare('SELECT max(close_ts) FROM candles WHERE close_ts <= ?').pluck().get(limit) as
      number | null;
    return ts ?? undefined;
  }

  /** The event time of the symbol's newest stored tick. */
  lastTickTime(symbol: string): number | undefined {
    const ts = this.db.prepare('SELECT max(ts) FROM ticks WHERE symbol = ?').pluck().get(symbol) as number | null;
    return ts ?? undefined;
  }

  /**
   * The symbol's newest stored price and its event time: its last tick, or the close of its newest
   * candle where that is newer (ticks past their retention are gone, candles stay; a backfill's
   * candles have no ticks behind them).
   */
  lastPrice(symbol: string): StoredPrice | undefined {
    let newest = this.db
      .prepare('SELECT price, ts FROM ticks WHERE symbol = ? ORDER BY ts DESC, id DESC LIMIT 1')
      .get(symbol) as StoredPrice | undefined;
    // One index seek per interval rather than a scan of every candle of the symbol.
    const newestCandle = this.db.prepare(
      'SELECT close AS price, close_ts AS ts FROM candles WHERE symbol = ? AND interval = ? ORDER BY start DESC LIMIT 1',
    );
    for (const interval of INTERVALS) {
      const candle = newestCandle.get(symbol, interval) as StoredPrice | undefined;
      if (candle && (!newest || candle.ts > newest.ts)) newest = candle;
    }
    return newest;
  }

  /** How many stored ticks are this trade: same symbol, event time, price, volume and side. */
  countTicks(tick: Pick<Tick, 'symbol' | 'ts' | 'price' | 'volume' | 'side'>): number {
    return this.countIdentity.get(tick.symbol, tick.ts, tick.price, tick.volume, tick.side ?? null) as number;
  }

  tickCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM ticks').get() as { n: number }).n;
  }

  deadLetterCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM dead_letters').get() as { n: number }).n;
  }

  recentDeadLetters(limit: number): DeadLetter[] {
    return this.db
      .prepare('SELECT at, topic, partition, offset, reason, payload FROM dead_letters ORDER BY id DESC LIMIT ?')
      .all(limit) as DeadLetter[];
  }
}
