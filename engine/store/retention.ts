import { DEFAULT_EXCHANGE_TIME_ZONE, localDayStart } from '../domain/exchange-day.ts';
import type { SqliteDatabase } from './database.ts';

export interface RetentionCutoffs {
  /** Per symbol, delete ticks whose event time is before this (epoch ms), or keep all when undefined. */
  ticksBefore?: (symbol: string) => number;
  /** Delete dead letters received before this, or keep all when undefined. */
  deadLettersBefore?: number;
}

/** Rows per DELETE: each statement stays a few milliseconds, well inside a frame. */
const CHUNK = 2_000;

/**
 * Deletes one chunk of what the retention settings no longer keep and says how many rows went.
 * The caller repeats it between other work until it returns 0, so a large backlog never blocks.
 */
export function pruneChunk(db: SqliteDatabase, cutoffs: RetentionCutoffs): number {
  let deleted = 0;
  if (cutoffs.ticksBefore !== undefined) {
    deleted += pruneTicks(db, cutoffs.ticksBefore);
    if (deleted >= CHUNK) return deleted;
  }
  if (cutoffs.deadLettersBefore !== undefined) {
    deleted += db
      .prepare('DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE at < ? LIMIT ?)')
      .run(cutoffs.deadLettersBefore, CHUNK).changes;
  }
  return deleted;
}

/**
 * Old ticks of each symbol, up to a chunk. Per symbol, through the (symbol, ts) index: ts has no
 * index of its own, and a scan of the whole table would block the engine. Only ticks already in
 * the stored candles (at or before the candle mark): the others are what a crash would fold again.
 */
function pruneTicks(db: SqliteDatabase, ticksBefore: (symbol: string) => number): number {
  const deleteOld = db.prepare(
    'DELETE FROM ticks WHERE id IN (SELECT id FROM ticks WHERE symbol = ? AND ts < ? AND id <= (SELECT last_tick_id FROM candle_mark) LIMIT ?)',
  );
  // With the newest ticks gone, SQLite would give the next tick an id at or below the mark, and a
  // crash would not fold it again: the mark comes down to the newest tick left (all are in candles).
  const lowerMark = db.prepare(
    'UPDATE candle_mark SET last_tick_id = min(last_tick_id, coalesce((SELECT max(id) FROM ticks), 0))',
  );
  return db
    .transaction(() => {
      let deleted = 0;
      for (const symbol of storedSymbols(db)) {
        deleted += deleteOld.run(symbol, ticksBefore(symbol), CHUNK - deleted).changes;
        if (deleted >= CHUNK) break;
      }
      lowerMark.run();
      return deleted;
    })
    .immediate();
}

const DAY_MS = 86_400_000;

/**
 * The cut-offs for settings given in days (0 keeps everything), as of `now`. Ticks go by whole
 * exchange days in each symbol's zone (from the midnight at or before `now` less the days), so a
 * day's ticks are kept or deleted together and a kept day can still be recomputed from them.
 */
export function retentionCutoffs(
  settings: { tickRetentionDays: number; deadLetterRetentionDays: number },
  now: number,
  timeZoneOf: (symbol: string) => string = () => DEFAULT_EXCHANGE_TIME_ZONE,
): RetentionCutoffs {
  const ticksFrom = now - settings.tickRetentionDays * DAY_MS;
  return {
    ...(settings.tickRetentionDays > 0
      ? { ticksBefore: (symbol: string) => localDayStart(ticksFrom, timeZoneOf(symbol)) }
      : {}),
    ...(settings.deadLetterRetentionDays > 0
      ? { deadLettersBefore: now - settings.deadLetterRetentionDays * DAY_MS }
      : {}),
  };
}

/** The symbols in the ticks table, one index step each (a skip scan), not a pass over every row. */
function storedSymbols(db: SqliteDatabase): string[] {
  return db
    .prepare(
      `WITH RECURSIVE s(symbol) AS (
         SELECT min(symbol) FROM ticks
         UNION ALL
         SELECT (SELECT min(symbol) FROM ticks WHERE symbol > s.symbol) FROM s WHERE s.symbol IS NOT NULL
       )
       SELECT symbol FROM s WHERE symbol IS NOT NULL`,
    )
    .pluck()
    .all() as string[];
}
