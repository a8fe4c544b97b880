import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { SettingsSchema } from '../../engine/domain/settings.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { tempDir } from './helpers.ts';

const DAY = 86_400_000;

describe('retention (Settings > Storage)', () => {
  const dirs = tempDir('mm-retention-');
  let app: MarketMonitor | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('deletes ticks past the kept days, in chunks, and keeps every candle and the recent ticks', async () => {
    app = await MarketMonitor.open({
      dbPath: path.join(dirs.dir, 'r.db'),
      overrides: { storage: { tickRetentionDays: 2, deadLetterRetentionDays: 30 } },
    });
    app.setPaused(true);
    const now = Date.now();
    const tick = (symbol: string, ts: number): Tick => ({ symbol, ts, price: 10, volume: 1, source: 'replay' });
    const old = ['AAPL', 'MSFT', 'NVDA'].flatMap((s) =>
      Array.from({ length: 2_500 }, (_, i) => tick(s, now - 5 * DAY + i)),
    );
    const recent = Array.from({ length: 100 }, (_, i) => tick('AAPL', now - DAY + i));
    app.store.commitBatch({
      ticks: [...old, ...recent],
      candles: [],
      deadLetters: [
        { at: now - 40 * DAY, topic: 't', partition: 0, offset: 0, reason: 'invalid: old', payload: '{}' },
        { at: now - DAY, topic: 't', partition: 0, offset: 1, reason: 'invalid: new', payload: '{}' },
      ],
      checkpoint: { consumerGroup: 'seed', topic: 't', partition: 0, nextOffset: 2, maxEventTs: now },
      fromOffset: 0,
    });
    const before = app.store.tickCount();
    const candles = app.db.prepare('SELECT count(*) FROM candles').pluck().get();

    expect(await app.retention.run(now)).toBe(old.length + 1);
    expect(app.store.tickCount()).toBe(before - old.length);
    expect(
      app.db
        .prepare('SELECT count(*) FROM ticks WHERE ts < ?')
        .pluck()
        .get(now - 2 * DAY),
    ).toBe(0);
    expect(app.db.prepare('SELECT count(*) FROM candles').pluck().get()).toBe(candles);
    expect(app.store.recentDeadLetters(10).map((d) => d.reason)).toEqual(['invalid: new']);
  });

  it('deletes ticks by whole exchange days in each symbol’s zone', async () => {
    app = await MarketMonitor.open({
      dbPath: path.join(dirs.dir, 'z.db'),
      overrides: { storage: { tickRetentionDays: 1, deadLetterRetentionDays: 30 } },
    });
    app.setPaused(true);
    // Noon in London on 26 March 2026 is 21:00 in Tokyo: a day back is 25 March, 00:00 London and
    // (Tokyo's 25 March having begun at 15:00 UTC on the 24th) 24 March 15:00 UTC.
    const now = Date.UTC(2026, 2, 26, 12);
    const at = Date.UTC(2026, 2, 24, 20); // London's 24 March, Tokyo's 25 March
    app.store.commitBatch({
      ticks: ['VOD.L', '7203.T'].map((symbol) => ({ symbol, ts: at, price: 10, volume: 1, source: 'replay' as const })),
      candles: [],
      deadLetters: [],
      checkpoint: { consumerGroup: 'seed', topic: 't', partition: 0, nextOffset: 1, maxEventTs: now },
      fromOffset: 0,
    });
    expect(await app.retention.run(now)).toBe(1);
    expect(app.db.prepare('SELECT symbol FROM ticks').pluck().all()).toEqual(['7203.T']);
  });

  it('keeps everything at 0 days, and refuses days that are not whole and positive', async () => {
    app = await MarketMonitor.open({ dbPath: path.join(dirs.dir, 'k.db') });
    app.setPaused(true);
    app.store.commitBatch({
      ticks: [{ symbol: 'AAPL', ts: 1_000, price: 1, volume: 1, source: 'replay' }],
      candles: [],
      deadLetters: [],
      checkpoint: { consumerGroup: 'seed', topic: 't', partition: 0, nextOffset: 1, maxEventTs: 1_000 },
      fromOffset: 0,
    });
    expect(app.settings.storage.tickRetentionDays).toBe(0);
    expect(await app.retention.run()).toBe(0);
    expect(app.db.prepare('SELECT count(*) FROM ticks WHERE ts = 1000').pluck().get()).toBe(1);
    expect(SettingsSchema.safeParse({ storage: { tickRetentionDays: -1 } }).success).toBe(false);
    expect(SettingsSchema.safeParse({ storage: { tickRetentionDays: 1.5 } }).success).toBe(false);
  });
});
