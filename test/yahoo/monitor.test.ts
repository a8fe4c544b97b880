import { afterEach, describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { createHandlers } from '../../engine/app/handlers.ts';
import { dispatch } from '../../engine/api/dispatch.ts';
import type { SymbolMatch } from '../../engine/sources/yahoo/symbol-search.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { createFixtureFetch, type FixtureFetch } from '../support/yahoo-fixtures.ts';
import { until } from '../unit/helpers.ts';

let app: MarketMonitor | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function openOnYahoo(fixtures: FixtureFetch): Promise<{ app: MarketMonitor; notices: string[] }> {
  const notices: string[] = [];
  const opened = await MarketMonitor.open({
    dbPath: ':memory:',
    overrides: { source: { kind: 'yahoo' } },
    starterSymbols: ['AAPL', 'BABA'],
    yahooClient: yahooClientFactory({ fetch: fixtures.fetch, timeoutMs: 200 }),
    statusEveryMs: 60_000,
  });
  opened.events.subscribe((event, payload) => {
    if (event === 'notice') notices.push((payload as { message: string }).message);
  });
  app = opened;
  return { app: opened, notices };
}

describe('MarketMonitor with the Yahoo source', () => {
  it('polls the watchlist, stores company profiles, and answers symbol search through the contract', async () => {
    const fixtures = createFixtureFetch();
    const { app } = await openOnYahoo(fixtures);
    await until(() => app.status().source.state !== 'starting', 'the first poll');
    expect(app.status().source).toMatchObject({ kind: 'yahoo', state: 'live' });
    expect(fixtures.log).toContain('GET https://query.finance.yahoo.com/v7/finance/quote?symbols=AAPL%2CBABA');

    await until(() => app.companies.get('BABA') !== undefined, 'company profiles');
    expect(app.companies.get('AAPL')).toMatchObject({ sector: 'Technology', country: 'United States' });
    expect(app.companies.get('BABA')).toMatchObject({ shortName: 'Alibaba Group Holding Limited' });

    const handlers = createHandlers(app);
    const found = await dispatch(handlers, 'symbols.search', { query: 'AAPL' });
    expect(found.ok && (found.output as SymbolMatch[])[0]).toEqual({
      symbol: 'AAPL',
      name: 'Apple Inc.',
      exchange: 'NASDAQ',
      type: 'Equity',
    });
    const empty = await dispatch(handlers, 'symbols.search', { query: ' ' });
    expect(empty).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('offers no Yahoo suggestions while the simulator runs, and asks Yahoo nothing', async () => {
    const fixtures = createFixtureFetch();
    app = await MarketMonitor.open({
      dbPath: ':memory:',
      starterSymbols: ['AAPL'],
      yahooClient: yahooClientFactory({ fetch: fixtures.fetch }),
      statusEveryMs: 60_000,
    });
    const found = await dispatch(createHandlers(app), 'symbols.search', { query: 'AAPL' });
    expect(found).toEqual({ ok: true, output: [] });
    expect(fixtures.log).toEqual([]);
  });

  it('says when Yahoo is unreachable at start and offers the simulator', async () => {
    const fixtures = createFixtureFetch();
    fixtures.always('finance.yahoo.com', { kind: 'network' });
    const { app, notices } = await openOnYahoo(fixtures);
    await until(() => notices.length > 0, 'a notice');
    expect(app.status().source.state).toBe('offline');
    expect(notices[0]).toMatch(
      /^Yahoo Finance is unreachable \(Offline: Yahoo is unreachable, retrying in \d+ s\)\. Choose the simulator/,
    );
  });

  it('stays paused through a settings save, and resumes when asked', async () => {
    const fixtures = createFixtureFetch();
    const { app } = await openOnYahoo(fixtures);
    await until(() => app.status().source.state !== 'starting', 'the first poll');
    app.setPaused(true);
    await app.updateSettings(app.settings);
    expect(app.status().source.state).toBe('paused');
    const quotes = () => fixtures.log.filter((k) => k.includes('/v7/finance/quote')).length;
    const before = quotes();
    app.setPaused(false);
    await until(() => quotes() > before, 'a poll after resuming');
    expect(app.status().source.state).not.toBe('paused');
  });
});
