import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandName, CommandInput, CommandOutput } from '../../engine/api/contract.ts';
import { dispatch } from '../../engine/api/dispatch.ts';
import { EncryptedKeyFile, type KeyCipher } from '../../engine/app/encrypted-key-file.ts';
import { EnvSecretStore } from '../../engine/app/env-secrets.ts';
import { createHandlers } from '../../engine/app/handlers.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { Backoff } from '../../engine/base/backoff.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { createFixtureFetch } from '../support/yahoo-fixtures.ts';
import { tempDir, until } from '../unit/helpers.ts';
import { FakeStreamer, REAL_FRAMES, realFrameAt } from '../yahoo/stream-helpers.ts';
import { coinbaseFrame, FakeCoinbase, FakeFinnhub, finnhubFrame } from './trade-servers.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server<T extends { stop(): Promise<void> }>(start: () => Promise<T>): Promise<T> {
  const started = await start();
  cleanups.push(() => started.stop());
  return started;
}

async function openLive(options: {
  dbPath?: string;
  coinbase?: FakeCoinbase;
  finnhub?: FakeFinnhub;
  yahooStream?: FakeStreamer;
  env?: NodeJS.ProcessEnv;
  symbols?: string[];
}): Promise<MarketMonitor> {
  const backoff = () => new Backoff({ baseMs: 20, maxMs: 100, random: () => 0 });
  const app = await MarketMonitor.open({
    dbPath: options.dbPath ?? ':memory:',
    overrides: { source: { kind: 'yahoo' } },
    starterSymbols: options.symbols ?? ['BTC-USD'],
    yahooClient: yahooClientFactory({ fetch: createFixtureFetch().fetch, timeoutMs: 500 }),
    providerFeeds: {
      ...(options.coinbase ? { coinbase: { url: options.coinbase.url, backoff: backoff() } } : {}),
      ...(options.finnhub ? { finnhub: { url: options.finnhub.url, backoff: backoff() } } : {}),
    },
    secrets: new EnvSecretStore(options.env ?? {}),
    ...(options.yahooStream ? { yahooStream: { url: options.yahooStream.url, backoff: backoff() } } : {}),
    statusEveryMs: 20,
  });
  cleanups.push(() => app.close());
  return app;
}

/** The contract as a transport serves it: a refusal is thrown with the message the user reads. */
function caller(app: MarketMonitor) {
  const handlers = createHandlers(app);
  return async <N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> => {
    const result = await dispatch(handlers, name, input);
    if (!result.ok) throw new Error(result.error.message);
    return result.output as CommandOutput<N>;
  };
}

const storedTicks = (app: MarketMonitor, symbol: string) =>
  app.db.prepare('SELECT ts, price, volume, source FROM ticks WHERE symbol = ? ORDER BY ts, id').all(symbol);

describe('a watched symbol routed to a real-time provider', () => {
  it('takes its ticks from Coinbase alone, at the trades’ times, and goes back to Yahoo when the route is removed', async () => {
    const coinbase = await server(FakeCoinbase.start);
    const yahooStream = await server(FakeStreamer.start);
    const app = await openLive({ coinbase, yahooStream });
    await until(() => app.status().source.state === 'live', 'the first poll');
    const polledTicks = storedTicks(app, 'BTC-USD').length;

    const items = app.setProvider('btc-usd', 'coinbase');
    expect(items[0]).toMatchObject({ symbol: 'BTC-USD', provider: 'coinbase', feed: { provider: 'Coinbase' } });
    await until(() => coinbase.subscribed().join() === 'BTC-USD', 'the Coinbase subscription');
    const t0 = Date.now();
    coinbase.send(
      coinbaseFrame(
        [
          { id: '11', symbol: 'BTC-USD', ts: t0 + 500, price: 96_101.5, size: 0.25 },
          { id: '10', symbol: 'BTC-USD', ts: t0, price: 96_100, size: 0.5 },
        ],
        'snapshot',
      ),
    );
    await until(() => storedTicks(app, 'BTC-USD').length === polledTicks + 2, 'two Coinbase ticks stored');
    expect(storedTicks(app, 'BTC-USD').slice(polledTicks)).toEqual([
      { ts: t0, price: 96_100, volume: 0.5, source: 'coinbase' },
      { ts: t0 + 500, price: 96_101.5, volume: 0.25, source: 'coinbase' },
    ]);
    // Yahoo still streams and polls it (market state, time zone) but stores no BTC-USD tick while Coinbase has it.
    await until(() => yahooStream.subscribed().join() === 'BTC-USD', 'the Yahoo subscription');
    const streamed = app.yahooSource!.counters.streamedTicks;
    yahooStream.send(realFrameAt(REAL_FRAMES.btcUsd, { time: t0 + 700, price: 1.5, dayVolume: 1e12 }));
    await until(() => app.yahooSource!.counters.streamedTicks === streamed + 1, 'Yahoo made its tick');
    coinbase.send(coinbaseFrame([{ id: '12', symbol: 'BTC-USD', ts: t0 + 900, price: 96_102, size: 0.1 }]));
    await until(() => storedTicks(app, 'BTC-USD').length === polledTicks + 3, 'the next Coinbase tick');
    expect(
      storedTicks(app, 'BTC-USD')
        .slice(polledTicks)
        .map((t) => (t as { source: string }).source),
    ).toEqual(['coinbase', 'coinbase', 'coinbase']);
    const [item] = app.watchItems();
    expect(item!.last).toEqual({ price: 96_102, ts: t0 + 900 });
    expect(item!.feed).toMatchObject({ provider: 'Coinbase', mode: 'streaming', stale: null });
    expect(app.status().source.message).toContain('Coinbase: streaming 1 symbol');

    app.setProvider('BTC-USD', null);
    await until(() => coinbase.open === 0, 'Coinbase closed with nothing routed');
    expect(app.watchItems()[0]).toMatchObject({ provider: null, feed: { provider: 'Yahoo Finance' } });
  });

  it('shows a Coinbase outage on the row, with the reason, and recovers', async () => {
    const coinbase = await server(FakeCoinbase.start);
    const app = await openLive({ coinbase });
    const feeds: string[] = [];
    app.events.subscribe((event, payload) => {
      const feed = (
        payload as Array<{ feed?: { provider: string; why?: string; stale: { reason: string } | null } }>
      )[0]?.feed;
      if (event === 'watchlist' && feed?.provider === 'Coinbase')
        feeds.push(`${feed.stale?.reason ?? 'fresh'} ${feed.why ?? ''}`.trim());
    });
    app.setProvider('BTC-USD', 'coinbase');
    await until(() => coinbase.subscribed().length === 1, 'the subscription');
    coinbase.refuse(true);
    coinbase.dropAll();
    await until(() => feeds.some((f) => f.startsWith('stream-down')), 'the watchlist told of the outage');
    expect(feeds.find((f) => f.startsWith('stream-down'))).toMatch(
      /^stream-down stream down: Coinbase answered HTTP 503, retrying in \d+ s$/,
    );
    coinbase.refuse(false);
    await until(() => coinbase.subscribed().length === 1, 'subscribed again');
    coinbase.send(coinbaseFrame([{ id: '1', symbol: 'BTC-USD', ts: Date.now(), price: 96_000, size: 1 }]));
    await until(() => app.watchItems()[0]!.feed!.stale === null, 'fresh again');
  });

  it('refuses a provider that cannot stream the symbol, and a symbol not watched, saying why', async () => {
    const app = await openLive({ symbols: ['AAPL'] });
    const call = caller(app);
    await expect(call('watchlist.setProvider', { symbol: 'AAPL', provider: 'coinbase' })).rejects.toThrow(
      'Coinbase streams crypto pairs such as BTC-USD, not AAPL',
    );
    await expect(call('watchlist.setProvider', { symbol: 'TSLA', provider: 'finnhub' })).rejects.toThrow(
      'TSLA is not on the watchlist',
    );
    await expect(call('watchlist.setProvider', { symbol: 'AAPL', provider: 'kraken' as 'coinbase' })).rejects.toThrow(
      /provider/,
    );
    expect(app.watchItems()[0]!.provider).toBeNull();
  });
});

describe("Finnhub's key", () => {
  it('comes from the environment on the headless host; set in the UI it lasts the session, and never crosses the contract or reaches SQLite', async () => {
    const finnhub = await server(FakeFinnhub.start);
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dbPath = path.join(dir, 'keys.db');
    const app = await openLive({ dbPath, finnhub, symbols: ['AAPL'] });
    const call = caller(app);
    await call('watchlist.setProvider', { symbol: 'AAPL', provider: 'finnhub' });
    expect(app.watchItems()[0]!.feed!.stale).toMatchObject({ reason: 'no-key' });
    expect(finnhub.handshakes).toEqual([]);

    await expect(call('providers.setKey', { provider: 'finnhub', key: 'short' })).rejects.toThrow(/8-200/);
    const views = await call('providers.setKey', { provider: 'finnhub', key: ` ${FakeFinnhub.KEY} ` });
    expect(views.find((p) => p.id === 'finnhub')!.key).toMatchObject({ present: true, where: 'this session only' });
    await until(() => finnhub.subscribed().join() === 'AAPL', 'subscribed with the key');
    expect(finnhub.tokens()).toEqual([FakeFinnhub.KEY]);
    finnhub.send(finnhubFrame([{ symbol: 'AAPL', ts: Date.now(), price: 190.25, size: 100 }]));
    await until(() => storedTicks(app, 'AAPL').some((t) => (t as { source: string }).source === 'finnhub'), 'a tick');

    const everything = JSON.stringify([
      await call('providers.list', {}),
      await call('status.get', {}),
      app.watchItems(),
    ]);
    expect(everything).not.toContain(FakeFinnhub.KEY);
    await app.close();
    for (const file of fs.readdirSync(dir))
      expect(fs.readFileSync(path.join(dir, file)).includes(FakeFinnhub.KEY)).toBe(false);
  });

  it('is read from FINNHUB_API_KEY when the host has no keychain', async () => {
    const finnhub = await server(FakeFinnhub.start);
    const app = await openLive({ finnhub, symbols: ['AAPL'], env: { FINNHUB_API_KEY: FakeFinnhub.KEY } });
    expect(app.providers().find((p) => p.id === 'finnhub')!.key).toEqual({
      present: true,
      where: 'environment variable FINNHUB_API_KEY',
    });
    app.setProvider('AAPL', 'finnhub');
    await until(() => finnhub.subscribed().join() === 'AAPL', 'subscribed with the key');
  });
});

/** Stands in for Electron's safeStorage (no Electron binary here): AES with a key the "OS" holds. */
function testCipher(options: { available?: boolean; backend?: string } = {}): KeyCipher {
  const osKey = crypto.randomBytes(32);
  return {
    available: () => options.available ?? true,
    backend: () => options.backend ?? 'gnome_libsecret',
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', osKey, iv);
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
    },
    decrypt(sealed) {
      const decipher = crypto.createDecipheriv('aes-256-gcm', osKey, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

describe('the desktop key file', () => {
  it('keeps only ciphertext on disk, survives a restart, and forgets on request', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = path.join(dir, 'provider-keys.json');
    const cipher = testCipher();
    const store = new EncryptedKeyFile(file, cipher, new EnvSecretStore({}));
    expect(store.status('finnhub')).toEqual({ present: false, where: 'environment variable FINNHUB_API_KEY' });
    store.set('finnhub', FakeFinnhub.KEY);
    expect(fs.readFileSync(file, 'utf8')).not.toContain(FakeFinnhub.KEY);
    expect(new EncryptedKeyFile(file, cipher).get('finnhub')).toBe(FakeFinnhub.KEY);
    expect(store.status('finnhub')).toEqual({ present: true, where: 'OS keychain' });
    store.set('finnhub', null);
    expect(store.get('finnhub')).toBeUndefined();
  });

  it('says when the keychain is plain text or missing, and reads a damaged file as no key', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = path.join(dir, 'provider-keys.json');
    const basic = new EncryptedKeyFile(file, testCipher({ backend: 'basic_text' }), new EnvSecretStore({}));
    basic.set('finnhub', FakeFinnhub.KEY);
    expect(basic.status('finnhub').warning).toMatch(/only obfuscated/);
    const none = new EncryptedKeyFile(file, testCipher({ available: false }), new EnvSecretStore({}));
    expect(() => none.set('finnhub', FakeFinnhub.KEY)).toThrow(/keychain is not available/);
    fs.writeFileSync(file, '{not json');
    expect(new EncryptedKeyFile(file, testCipher(), new EnvSecretStore({})).get('finnhub')).toBeUndefined();
  });
});
