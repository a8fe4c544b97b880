import type { Tick } from '../../../engine/domain/tick.ts';

export const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'BRK-B', 'EURUSD=X', 'GC=F', 'TSLA'];
/** A minute boundary, so the stream crosses windows of every interval up to 1h. */
export const BASE_TS = 1_767_225_600_000 - 30_000;

/**
 * A reproducible tick stream (a small LCG, not Math.random): prices in quarters and whole volumes,
 * so every sum the engine and SQLite make is exact. Event times wobble by up to `jitterMs` but
 * never further, so with that out-of-orderness bound nothing is late, on any partitioning.
 */
export function tickStream(count: number, seed = 7, jitterMs = 500): Tick[] {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  const ticks: Tick[] = [];
  for (let i = 0; i < count; i++) {
    const symbol = SYMBOLS[Math.floor(next() * SYMBOLS.length)]!;
    const ts = BASE_TS + i * 15 + Math.floor(next() * jitterMs);
    const price = (400 + Math.floor(next() * 400)) / 4;
    const volume = 1 + Math.floor(next() * 100);
    const side = next() < 0.5 ? 'buy' : 'sell';
    ticks.push({ symbol, ts, price, volume, side, source: 'simulator' });
  }
  return ticks;
}
