import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { migrate } from '../../engine/store/database.ts';
import { MIGRATIONS } from '../../engine/store/migrations.ts';
import { scratch } from './helpers.ts';

const STARTERS = ['AAPL', 'MSFT'];

const { dbFile, open: openApp } = scratch();

function open(file: string): Promise<MarketMonitor> {
  return openApp({ dbPath: file, starterSymbols: STARTERS });
}

/** A database as the version before the app-state table left it, with `setup` run on it. */
function olderDatabase(file: string, setup: (db: Database.Database) => void): void {
  const db = new Database(file);
  const appState = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE app_state'));
  for (let version = 0; version < appState; version++) db.exec(MIGRATIONS[version]!);
  db.pragma(`user_version = ${appState}`);
  setup(db);
  db.close();
}

describe('the starter watchlist', () => {
  it('fills a new database once: a watchlist the user emptied stays empty after a restart', async () => {
    const file = dbFile();
    let app = await open(file);
    expect(app.watchlist.symbols()).toEqual(STARTERS);
    for (const symbol of STARTERS) app.removeSymbol(symbol);
    await app.close();

    app = await open(file);
    expect(app.watchlist.symbols()).toEqual([]);
  });

  it('is not added to symbols a replay or an earlier run left on the watchlist', async () => {
    const file = dbFile();
    olderDatabase(file, (db) => db.prepare('INSERT INTO watchlist VALUES (?, 0, 0)').run('TSLA'));
    const app = await open(file);
    expect(app.watchlist.symbols()).toEqual(['TSLA']);
  });

  it('does not come back into a database used before the upgrade whose watchlist was emptied', async () => {
    const file = dbFile();
    olderDatabase(file, (db) =>
      db.prepare("INSERT INTO ticks (symbol, ts, price, volume, source) VALUES ('AAPL', 1, 1, 1, 'simulator')").run(),
    );
    const app = await open(file);
    expect(app.watchlist.symbols()).toEqual([]);
  });

  it('fills a database a replay created without a watchlist, when the app first opens it', async () => {
    const file = dbFile();
    olderDatabase(file, () => undefined);
    const db = new Database(file);
    migrate(db);
    // What the replay stored after the upgrade made the file current.
    db.prepare("INSERT INTO ticks (symbol, ts, price, volume, source) VALUES ('AMZN', 1, 1, 1, 'replay')").run();
    db.close();
    const app = await open(file);
    expect(app.watchlist.symbols()).toEqual(STARTERS);
  });
});
