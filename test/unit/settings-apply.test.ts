import { describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { rebuildPlan } from '../../engine/app/settings-impact.ts';
import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from '../../engine/domain/settings.ts';
import { scratch, until } from './helpers.ts';

const FAST = { source: { simulator: { ticksPerSecond: 1_000 } } };
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA'];

const { dbFile, open: openApp } = scratch();

function open(file: string): Promise<MarketMonitor> {
  return openApp({ dbPath: file, overrides: FAST, starterSymbols: SYMBOLS });
}

function maxTickId(app: MarketMonitor): number {
  return app.db.prepare('SELECT coalesce(max(id), 0) FROM ticks').pluck().get() as number;
}

/** Each symbol's price at the last tick up to `id`, and at the first tick after it. */
function pricesAround(app: MarketMonitor, id: number): Map<string, { before: number; after: number }> {
  const out = new Map<string, { before: number; after: number }>();
  for (const symbol of SYMBOLS) {
    const before = app.db
      .prepare('SELECT price FROM ticks WHERE symbol = ? AND id <= ? ORDER BY id DESC LIMIT 1')
      .pluck()
      .get(symbol, id) as number;
    const after = app.db
      .prepare('SELECT price FROM ticks WHERE symbol = ? AND id > ? ORDER BY id LIMIT 1')
      .pluck()
      .get(symbol, id) as number;
    out.set(symbol, { before, after });
  }
  return out;
}

function tradedSince(app: MarketMonitor, id: number): boolean {
  return SYMBOLS.every((symbol) => app.db.prepare('SELECT 1 FROM ticks WHERE symbol = ? AND id > ?').get(symbol, id));
}

function withChange(settings: Settings, change: (s: Settings) => void): Settings {
  const copy = structuredClone(settings);
  change(copy);
  return copy;
}

describe('applying saved settings', () => {
  it('a theme or retention change rebuilds nothing: the same source and engine keep running', async () => {
    const app = await open(dbFile());
    await until(() => tradedSince(app, 0), 'ticks of every symbol', 5_000);
    const source = app.currentSource;
    await app.updateSettings(withChange(app.settings, (s) => (s.appearance.theme = 'dark')));
    await app.updateSettings(withChange(app.settings, (s) => (s.storage.tickRetentionDays = 30)));
    expect(app.settings.appearance.theme).toBe('dark');
    expect(app.settings.storage.tickRetentionDays).toBe(30);
    expect(app.currentSource).toBe(source);
    const id = maxTickId(app);
    await until(() => app.db.prepare('SELECT 1 FROM ticks WHERE id > ?').get(id) !== undefined, 'more ticks', 5_000);
  });

  it('a new simulator (another seed) goes on from each symbol’s last stored price', async () => {
    const app = await open(dbFile());
    await until(() => tradedSince(app, 0), 'ticks of every symbol', 5_000);
    const source = app.currentSource;
    await app.updateSettings(withChange(app.settings, (s) => (s.source.simulator.seed = 7)));
    expect(app.currentSource).not.toBe(source);
    const handover = maxTickId(app);
    await until(() => tradedSince(app, handover), 'ticks of the new simulator', 5_000);
    // A symbol's first trade of the new simulator is at its last stored price: no time has passed for it.
    for (const [symbol, { before, after }] of pricesAround(app, handover)) expect(after, symbol).toBe(before);
  });

  it('a restart goes on from each symbol’s last stored price, not from the seed', async () => {
    const file = dbFile();
    const first = await open(file);
    await until(() => first.store.tickCount() > 500, 'ticks', 5_000);
    await first.close();
    const app = await open(file);
    const restart = maxTickId(app);
    await until(() => tradedSince(app, restart), 'ticks after the restart', 5_000);
    for (const [symbol, { before, after }] of pricesAround(app, restart)) expect(after, symbol).toBe(before);
  });
});

describe('rebuildPlan', () => {
  const base = SettingsSchema.parse({});
  it('rebuilds nothing for the theme, retention or a replay file the running simulator does not use', () => {
    for (const change of [
      (s: Settings) => (s.appearance.theme = 'light'),
      (s: Settings) => (s.storage.deadLetterRetentionDays = 3),
      (s: Settings) => (s.source.replay.file = '/tmp/x.csv'),
      (s: Settings) => (s.source.yahoo.regularSeconds = 30),
    ]) {
      expect(rebuildPlan(base, withChange(base, change))).toEqual({ core: false, source: false });
    }
  });

  it('restarts the source alone for its own settings, and everything for bus, stream or mirror', () => {
    expect(
      rebuildPlan(
        base,
        withChange(base, (s) => (s.source.simulator.seed = 7)),
      ),
    ).toEqual({
      core: false,
      source: true,
    });
    expect(
      rebuildPlan(
        base,
        withChange(base, (s) => (s.source.kind = 'yahoo')),
      ),
    ).toEqual({
      core: false,
      source: true,
    });
    for (const change of [
      (s: Settings) => (s.stream.intervals = ['1m']),
      (s: Settings) => (s.bus.partitions = 8),
      (s: Settings) => (s.influx.enabled = true),
    ]) {
      expect(rebuildPlan(base, withChange(base, change))).toEqual({ core: true, source: true });
    }
    expect(rebuildPlan(DEFAULT_SETTINGS, base)).toEqual({ core: false, source: false });
  });
});
