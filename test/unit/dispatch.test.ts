import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { dispatch, UserError } from '../../engine/api/dispatch.ts';
import {
  commands,
  isCommandName,
  type CallResult,
  type CommandInput,
  type CommandName,
  type Handlers,
  type WatchItem,
} from '../../engine/api/contract.ts';
import { createHandlers } from '../../engine/app/handlers.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { DEFAULT_SETTINGS } from '../../engine/domain/settings.ts';
import { SymbolSchema } from '../../engine/domain/symbol.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { WatchlistRepo } from '../../engine/store/watchlist-repo.ts';
import { tempDir } from './helpers.ts';

const SYMBOL_MESSAGE = SymbolSchema.safeParse('bad symbol!').error!.issues[0]!.message;

/** Handlers over a real watchlist table; the rest refuse in the ways the tests need. */
function setup() {
  const db = openDatabase(':memory:');
  const repo = new WatchlistRepo(db);
  const calls: Array<{ name: string; input: unknown }> = [];
  const items = (): WatchItem[] =>
    repo.list().map((e) => ({ ...e, last: null, dayOpen: null, dayVolume: 0, spark: [] }));
  let failWith: unknown;
  // Commands this test does not serve refuse loudly; the contract may grow without breaking the test.
  const unserved = Object.fromEntries(
    Object.keys(commands).map((name) => [
      name,
      () => {
        throw new Error(`${name} is not served in this test`);
      },
    ]),
  ) as unknown as Handlers;
  const handlers: Handlers = {
    ...unserved,
    'watchlist.list': (input) => (calls.push({ name: 'watchlist.list', input }), items()),
    'watchlist.add': (input) => {
      calls.push({ name: 'watchlist.add', input });
      if (!repo.add(input.symbol)) throw new UserError(`${input.symbol} is already on the watchlist`);
      return items();
    },
    'watchlist.remove': async (input) => {
      calls.push({ name: 'watchlist.remove', input });
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (!repo.remove(input.symbol)) throw new UserError(`${input.symbol} is not on the watchlist`);
      return items();
    },
    'watchlist.reorder': (input) => (
      calls.push({ name: 'watchlist.reorder', input }),
      repo.reorder(input.symbols),
      items()
    ),
    'candles.list': (input) => (calls.push({ name: 'candles.list', input }), []),
    'status.get': () => {
      throw failWith;
    },
    'source.setPaused': () => {
      // A handler may validate further and throw a ZodError of its own.
      z.object({ paused: z.literal(false, { message: 'cannot pause now' }) }).parse({ paused: true });
      throw new Error('unreachable');
    },
    'settings.get': () => DEFAULT_SETTINGS,
    'settings.update': (settings) => (calls.push({ name: 'settings.update', input: settings }), settings),
  };
  return { db, repo, handlers, calls, fail: (e: unknown) => (failWith = e) };
}

/**
 * A valid input for every command, so the compiler asks for one when the contract grows. The
 * connection tests point at a port nothing listens on: they answer with a report of the failure.
 */
const SAMPLE_INPUT: { [N in CommandName]: CommandInput<N> } = {
  'watchlist.list': {},
  'watchlist.add': { symbol: 'TSLA' },
  'watchlist.remove': { symbol: 'TSLA' },
  'watchlist.reorder': { symbols: ['AAPL'] },
  'watchlist.setProvider': { symbol: 'AAPL', provider: null },
  'providers.list': {},
  'drawings.list': { symbol: 'AAPL' },
  'drawings.add': { symbol: 'AAPL', spec: { kind: 'hline', price: 190 } },
  'drawings.update': { id: 1, spec: { kind: 'hline', price: 191 } },
  'drawings.toAlert': { id: 1 },
  'drawings.remove': { id: 1 },
  'providers.setKey': { provider: 'finnhub', key: 'sample-key-0123' },
  'candles.list': { symbol: 'AAPL', interval: '1m' },
  'candles.history': { symbol: 'AAPL', interval: '1m' },
  'indicators.series': { symbol: 'AAPL', interval: '1m' },
  'anomalies.recent': {},
  'status.get': {},
  'source.setPaused': { paused: false },
  'companies.get': { symbol: 'AAPL' },
  'symbols.search': { query: 'apple' },
  'analyses.list': {},
  'analyses.run': { name: 'candles' },
  'analyses.csv': { name: 'daily-volume' },
  'analyses.parquet': { name: 'daily-volume' },
  'sql.schema': {},
  'sql.run': { sql: 'SELECT symbol FROM watchlist' },
  'sql.cancel': { id: 'nothing-running' },
  'sql.csv': { sql: 'SELECT symbol FROM watchlist' },
  'sql.saved.list': {},
  'sql.saved.save': { name: 'watchlist', sql: 'SELECT * FROM watchlist' },
  'sql.saved.delete': { id: 1 },
  'deadLetters.recent': {},
  'alerts.list': {},
  'alerts.add': { symbol: 'AAPL', kind: 'price-above', threshold: 1_000 },
  'alerts.edit': { id: 1, symbol: 'AAPL', kind: 'price-below', threshold: 10, cooldownMs: 0 },
  'alerts.setEnabled': { id: 1, enabled: false },
  'alerts.remove': { id: 1 },
  'alerts.history': {},
  'kafka.testConnection': { brokers: ['127.0.0.1:1'] },
  'influx.testConnection': { url: 'http://127.0.0.1:1' },
  'jobs.list': {},
  'jobs.save': {
    name: 'Tidy the database',
    schedule: { type: 'daily', time: '03:00', timeZone: 'UTC' },
    task: { kind: 'maintenance' },
  },
  'jobs.runNow': { id: 1 },
  'jobs.runs': { jobId: 1 },
  'jobs.remove': { id: 1 },
  'settings.get': {},
  'portfolio.summary': {},
  'portfolio.lots': {},
  'portfolio.addLot': { account: 'Main', symbol: 'AAPL', quantity: 10, price: 180, date: '2026-01-05' },
  'portfolio.editLot': {
    id: 1,
    account: 'Main',
    symbol: 'AAPL',
    quantity: 12,
    price: 181,
    date: '2026-01-05',
    fees: 1,
  },
  'portfolio.removeLot': { id: 1 },
  'portfolio.setBase': { base: 'EUR' },
  'portfolio.importCsv': {
    csv: 'Ticker,Qty,Price,Date\nMSFT,-3,410.5,2026-01-06\n',
    columns: { symbol: 'Ticker', quantity: 'Qty' },
    account: 'Broker',
  },
  'portfolio.exportCsv': {},
  'portfolio.history': { days: 30 },
  'settings.update': { source: { simulator: { ticksPerSecond: 20 } } },
};

function errorOf(result: CallResult) {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.output)}`);
  return result.error;
}

describe('dispatch', () => {
  it.each([['nope'], ['WATCHLIST.LIST'], [42], [undefined], [null], ['__proto__'], ['toString'], ['hasOwnProperty']])(
    'refuses the unknown command %s without calling anything',
    async (name) => {
      const { handlers, calls } = setup();
      const error = errorOf(await dispatch(handlers, name, {}));
      expect(error.code).toBe('unknown-command');
      expect(error.message).toContain(String(name));
      expect(calls).toEqual([]);
      expect(isCommandName(name)).toBe(false);
    },
  );

  it('the handlers the hosts build answer every contract command with output of its schema', async () => {
    // A file: the SQL console reads it over a connection of its own.
    const { dir, cleanup } = tempDir();
    const app = await MarketMonitor.open({
      dbPath: path.join(dir, 'market.db'),
      overrides: { source: { simulator: { ticksPerSecond: 20 } } },
      starterSymbols: ['AAPL'],
    });
    try {
      const handlers = createHandlers(app);
      // In the contract's order, so a command that needs an earlier one's state (remove after add) has it.
      for (const name of Object.keys(commands) as CommandName[]) {
        const result = await dispatch(handlers, name, SAMPLE_INPUT[name]);
        expect(result, name).toMatchObject({ ok: true });
        if (result.ok) expect(commands[name].output.safeParse(result.output).error, name).toBeUndefined();
      }
    } finally {
      await app.close();
      cleanup();
    }
  }, 30_000);

  it('runs a command with parsed input (trimmed, upper-cased symbols, defaults applied)', async () => {
    const { handlers, calls, db } = setup();
    const added = await dispatch(handlers, 'watchlist.add', { symbol: ' brk-b ' });
    expect(added.ok).toBe(true);
    if (added.ok) expect((added.output as WatchItem[]).map((i) => i.symbol)).toEqual(['BRK-B']);
    await dispatch(handlers, 'candles.list', { symbol: 'aapl', interval: '1m' });
    expect(calls.at(-1)).toEqual({
      name: 'candles.list',
      input: {
        symbol: 'AAPL',
        interval: '1m',
        limit: commands['candles.list'].input.parse({ symbol: 'A', interval: '1m' }).limit,
      },
    });
    // Commands without input accept none at all.
    for (const input of [undefined, null, {}])
      expect((await dispatch(handlers, 'watchlist.list', input)).ok).toBe(true);
    db.close();
  });

  it('refuses invalid input with a message per field, and does not call the handler', async () => {
    const { handlers, calls, repo, db } = setup();
    const error = errorOf(await dispatch(handlers, 'watchlist.add', { symbol: 'bad symbol!' }));
    expect(error.code).toBe('invalid-input');
    expect(error.fields).toEqual({ symbol: SYMBOL_MESSAGE });
    expect(error.message).toBe(`symbol: ${SYMBOL_MESSAGE}`);
    expect(calls).toEqual([]);
    expect(repo.symbols()).toEqual([]);
    db.close();
  });

  it('names every bad field, nested ones by their dotted path, and unknown keys', async () => {
    const { handlers, calls, db } = setup();
    const many = errorOf(await dispatch(handlers, 'candles.list', { symbol: '', interval: '2m', limit: 0 }));
    expect(many.code).toBe('invalid-input');
    expect(Object.keys(many.fields!).sort()).toEqual(['interval', 'limit', 'symbol']);
    for (const [field, text] of Object.entries(many.fields!)) {
      expect(text.length).toBeGreaterThan(0);
      expect(many.message).toContain(`${field}: ${text}`);
    }

    const nested = errorOf(await dispatch(handlers, 'settings.update', { bus: { partitions: 0, topic: 'a b' } }));
    expect(Object.keys(nested.fields!).sort()).toEqual(['bus.partitions', 'bus.topic']);

    const extra = errorOf(await dispatch(handlers, 'watchlist.add', { symbol: 'AAPL', colour: 'red' }));
    expect(extra.code).toBe('invalid-input');
    expect(Object.values(extra.fields!).join(' ')).toContain('colour');

    const notObject = errorOf(await dispatch(handlers, 'watchlist.remove', 'AAPL'));
    expect(notObject.code).toBe('invalid-input');
    expect(calls).toEqual([]);
    db.close();
  });

  it('reports a handler that throws or rejects as failed, with its message', async () => {
    const { handlers, db, fail } = setup();
    await dispatch(handlers, 'watchlist.add', { symbol: 'AAPL' });
    const dup = errorOf(await dispatch(handlers, 'watchlist.add', { symbol: 'aapl' }));
    expect(dup).toEqual({ code: 'failed', message: 'AAPL is already on the watchlist' });

    const missing = errorOf(await dispatch(handlers, 'watchlist.remove', { symbol: 'MSFT' }));
    expect(missing).toEqual({ code: 'failed', message: 'MSFT is not on the watchlist' });

    fail(new Error('disk on fire'));
    expect(errorOf(await dispatch(handlers, 'status.get', {}))).toEqual({ code: 'failed', message: 'disk on fire' });
    fail('a bare string');
    expect(errorOf(await dispatch(handlers, 'status.get', {}))).toEqual({ code: 'failed', message: 'a bare string' });
    db.close();
  });

  it('reports a ZodError thrown by a handler as invalid input', async () => {
    const { handlers, db } = setup();
    const error = errorOf(await dispatch(handlers, 'source.setPaused', { paused: true }));
    expect(error).toEqual({
      code: 'invalid-input',
      message: 'paused: cannot pause now',
      fields: { paused: 'cannot pause now' },
    });
    db.close();
  });
});
