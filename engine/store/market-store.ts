import type { Candle } from '../domain/candle.ts';
import { INTERVALS, type Interval } from '../domain/interval.ts';
import type { Tick } from '../domain/tick.ts';
import type { DeadLetter } from '../domain/dead-letter.ts';
import { StaleBatchError } from '../domain/stale-batch-error.ts';
import type { SqliteDatabase } from './database.ts';
import { CandleBuffer, type WriteBehindPolicy } from './candle-buffer.ts';

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

/** A background write of waiting candles that failed (a full disk) is tried again this much later. */
const RETRY_FLUSH_MS = 1_000;

export interface MarketStoreOptions {
  /**
   * Candles written behind their ticks: a batch commits its ticks and offsets at once and its
   * candle versions wait (see CandleBuffer) until they are due, until anything reads candles here,
   * or until flushCandles. A crash loses none of them: `candle_mark` holds the newest tick the
   * stored candles include, and the engine folds the ticks after it again at start
   * (TickProcessor.recoverCandles). Unset: every batch writes its candles.
   */
  writeBehind?: WriteBehindPolicy;
  /** Where a failed background write of waiting candles is told (they wait on). */
  warn?: (message: string) => void;
}

/**
 * Ticks, candles, checkpoints and dead letters: the engine's results. Every read of candles here
 * writes the waiting ones first; a reader of the file that does not come through this store
 * (another connection, a query on the raw database) calls flushCandles first.
 */
export class MarketStore {
  private readonly insertTick;
  private readonly replaceCandle;
  private readonly insertDeadLetter;
  private readonly saveCheckpoint;
  private readonly commit;
  private readonly saveAll;
  private readonly saveFlushed;
  private readonly recover;
  private buffer: CandleBuffer | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly warn: (message: string) => void;
  private readonly mergeAll;
  /** Asked once per replayed tick a database may hold already (AlreadyStored): prepared once. */
  private readonly countIdentity;

  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase, options: MarketStoreOptions = {}) {
    this.db = db;
    this.buffer = options.writeBehind && new CandleBuffer(options.writeBehind);
    this.warn = options.warn ?? console.warn;
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
    const markNewestTick = db.prepare('UPDATE candle_mark SET last_tick_id = coalesce((SELECT max(id) FROM ticks), 0)');
    /** The candles, and the mark moved to the newest tick: every stored tick is in a stored candle. */
    const writeUpToNewestTick = (candles: readonly Candle[]) => {
      for (const c of candles) this.replaceCandle(c);
      markNewestTick.run();
    };
    // `candles` undefined: the batches' candle versions wait in the buffer, the mark stays.
    this.commit = db.transaction((batches: readonly BatchResult[], candles: readonly Candle[] | undefined) => {
      for (const batch of batches) {
        const { consumerGroup, topic, partition } = batch.checkpoint;
        const stored = storedNext.pluck().get(consumerGroup, topic, partition) as number | undefined;
        if (stored !== undefined && stored > batch.fromOffset) {
          throw new StaleBatchError(topic, partition, stored, batch.fromOffset);
        }
        for (const t of batch.ticks) this.insertTick.run(t.symbol, t.ts, t.price, t.volume, t.side ?? null, t.source);
        for (const d of batch.deadLetters) this.insertDeadLetter.run(d);
        this.saveCheckpoint.run({ ...batch.checkpoint, updatedAt: Date.now() });
      }
      if (candles) writeUpToNewestTick(candles);
    });
    this.saveAll = db.transaction((candles: readonly Candle[]) => {
      for (const c of candles) this.replaceCandle(c);
    });
    this.saveFlushed = db.transaction(writeUpToNewestTick);
    const unfoldedTicks = db.prepare(
      'SELECT symbol, ts, price, volume, side, source FROM ticks WHERE id > (SELECT last_tick_id FROM candle_mark) ORDER BY id',
    );
    this.recover = db.transaction((fold: (ticks: readonly Tick[]) => Candle[]): Candle[] => {
      const rows = unfoldedTicks.all() as Array<Omit<Tick, 'side'> & { side: Tick['side'] | null }>;
      if (rows.length === 0) return [];
      const candles = fold(rows.map(({ side, ...tick }) => (side === null ? tick : { ...tick, side })));
      writeUpToNewestTick(candles);
      return candles;
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
    this.flushCandles();
    return this.mergeAll.immediate(batch);
  }

  /**
   * Candles the engine re-derived from stored ones, outside any batch: no offset moves, and writing
   * them again gives the same rows.
   */
  saveCandles(candles: readonly Candle[]): void {
    this.flushCandles();
    if (candles.length > 0) this.saveAll.immediate(candles);
  }

  /** Writes the batch atomically; IMMEDIATE so the stale check and the writes see one snapshot across processes. */
  commitBatch(batch: BatchResult): void {
    this.commitBatches([batch]);
  }

  /**
   * Batches of several partitions in one transaction: a stale one refuses them all. Their candles
   * are written with them, or wait in the buffer (writeBehind) and are written with a later
   * commit when due; the buffer takes them only once the transaction has committed.
   */
  commitBatches(batches: readonly BatchResult[]): void {
    const incoming = batches.flatMap((b) => b.candles);
    const buffer = this.buffer;
    if (!buffer) return this.commit.immediate(batches, incoming);
    // Nothing waiting and nothing new: the mark moves with these ticks (a batch of dead letters only).
    if (buffer.dueWith(incoming) || (incoming.length === 0 && buffer.size === 0)) {
      this.commit.immediate(batches, buffer.with(incoming));
      buffer.clear();
      this.cancelFlush();
      return;
    }
    this.commit.immediate(batches, undefined);
    buffer.add(incoming);
    if (buffer.size > 0 && this.flushTimer === undefined) this.scheduleFlush(buffer.dueInMs());
  }

  /** Writes the candle versions that wait (writeBehind), in one transaction. */
  flushCandles(): void {
    this.cancelFlush();
    if (!this.buffer || this.buffer.size === 0) return;
    try {
      this.saveFlushed.immediate(this.buffer.with([]));
    } catch (error) {
      this.scheduleFlush(RETRY_FLUSH_MS);
      throw error;
    }
    this.buffer.clear();
  }

  /**
   * flushCandles for a caller that goes on either way (a command, a job): a failure is told and
   * the candles wait on (a command that reads them directly may then see them a moment behind).
   */
  tryFlushCandles(): void {
    try {
      this.flushCandles();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.warn(`Writing candles failed (${reason}); they wait in memory and are tried again in a second.`);
    }
  }

  /**
   * The ticks stored after the newest one the stored candles include (what a crash left out of
   * them), in the order they were stored, handed to `fold`; the candles it returns are written and
   * the mark moved past those ticks. One IMMEDIATE transaction, so that two engines starting on
   * one file cannot both fold them, nor one write its result over the other's newer candles.
   */
  recoverCandles(fold: (ticks: readonly Tick[]) => Candle[]): Candle[] {
    this.flushCandles();
    return this.recover.immediate(fold);
  }

  /**
   * Candles written behind their ticks from now on (see MarketStoreOptions), or with them
   * (undefined). What waits is written first.
   */
  writeCandlesBehind(policy: WriteBehindPolicy | undefined): void {
    this.flushCandles();
    this.buffer = policy && new CandleBuffer(policy);
  }

  /** Writes what waits and stops the background write: before the database closes. */
  close(): void {
    this.flushCandles();
  }

  private flushInBackground(): void {
    this.flushTimer = undefined;
    if (!this.db.open) return;
    this.tryFlushCandles();
  }

  private cancelFlush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  private scheduleFlush(inMs: number): void {
    this.flushTimer = setTimeout(() => this.flushInBackground(), inMs);
    // The host's close writes what waits; a pending write alone must not keep a process alive.
    this.flushTimer.unref?.();
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
    this.flushCandles();
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
    this.flushCandles();
    const rows: CandleRow[] = [];
    const query = this.db.prepare('SELECT * FROM candles WHERE interval = ? AND start > ?');
    for (const [interval, size] of Object.entries(intervalMs)) {
      rows.push(...(query.all(interval, endAfter - size) as CandleRow[]));
    }
    return rows.map(toCandle);
  }

  /** The newest event time any consumer stored (or, failing a checkpoint, any candle's last trade). */
  latestEventTime(): number | undefined {
    this.flushCandles();
    const fromCheckpoints = this.db.prepare('SELECT max(max_event_ts) FROM checkpoints').pluck().get() as number | null;
    if (fromCheckpoints != null) return fromCheckpoints;
    const fromCandles = this.db.prepare('SELECT max(close_ts) FROM candles').pluck().get() as number | null;
    return fromCandles ?? undefined;
  }

  /** The newest last-trade time of any stored candle that is not after `limit`. */
  latestEventTimeUpTo(limit: number): number | undefined {
    this.flushCandles();
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
    this.flushCandles();
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
