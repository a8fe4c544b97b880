import { describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { DatabaseInUseError, EngineLock } from '../../engine/store/engine-lock.ts';
import { scratch } from './helpers.ts';

const { dbFile, later } = scratch();

function lock(file: string, mode: 'shared' | 'exclusive'): EngineLock {
  const held = new EngineLock(file, mode);
  later(() => held.release());
  return held;
}

describe('EngineLock', () => {
  it('lets engines on Kafka share a database and gives an in-process engine the database to itself', () => {
    const file = dbFile();
    const a = lock(file, 'shared');
    lock(file, 'shared');
    expect(() => new EngineLock(file, 'exclusive')).toThrow(DatabaseInUseError);
    a.release();
    expect(() => new EngineLock(file, 'exclusive')).toThrow(DatabaseInUseError); // the other one still shares
  });

  it('a switch another engine stands in the way of keeps the lock held', () => {
    const file = dbFile();
    const mine = lock(file, 'shared');
    lock(file, 'shared');
    expect(() => mine.switchTo('exclusive')).toThrow(DatabaseInUseError);
    expect(mine.mode).toBe('shared');
    // Still held: nobody can take the database to itself.
    expect(() => new EngineLock(file, 'exclusive')).toThrow(DatabaseInUseError);
  });

  it('an in-memory database needs no lock', () => {
    lock(':memory:', 'exclusive');
    expect(() => lock(':memory:', 'exclusive')).not.toThrow();
  });
});

describe('two engines on one database', () => {
  it('the second one with an in-process bus is refused until the first closes', async () => {
    const file = dbFile();
    const first = await MarketMonitor.open({ dbPath: file, starterSymbols: ['AAPL'] });
    later(() => first.close());
    await expect(MarketMonitor.open({ dbPath: file })).rejects.toThrow(DatabaseInUseError);
    // The refused one left the first running and the file as it was.
    expect(first.watchlist.symbols()).toEqual(['AAPL']);
    await first.close();
    const second = await MarketMonitor.open({ dbPath: file });
    later(() => second.close());
    expect(second.watchlist.symbols()).toEqual(['AAPL']);
  });
});
