import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { validateTick, type Tick } from '../../engine/domain/tick.ts';
import { MarketSimulator } from '../../engine/sources/simulator.ts';
import { syntheticCompany } from '../../engine/sources/synthetic-companies.ts';

const T0 = 1_700_000_000_000;

/** A simulator on a hand-driven clock, started at T0 (resume() sets where the first span begins). */
function simulator(seed: number, ticksPerSecond: number, symbols: readonly string[]) {
  const clock = { now: T0 };
  const sim = new MarketSimulator({ seed, ticksPerSecond, now: () => clock.now });
  sim.setSymbols(symbols);
  sim.resume();
  return {
    sim,
    clock,
    /** Advances the clock by each step and collects what is due after it. */
    run(steps: readonly number[]): Tick[][] {
      return steps.map((dt) => {
        clock.now += dt;
        return sim.generateDue();
      });
    },
  };
}

const steps = (n: number, dt = 100) => Array.from({ length: n }, () => dt);

describe('MarketSimulator', () => {
  it('is deterministic: the same seed and clock give the same ticks', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 40 }),
        (seed, dts) => {
          const a = simulator(seed, 50, ['AAPL', 'MSFT', 'EURUSD=X']).run(dts);
          const b = simulator(seed, 50, ['AAPL', 'MSFT', 'EURUSD=X']).run(dts);
          expect(a).toEqual(b);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('different seeds give different markets', () => {
    const a = simulator(1, 50, ['AAPL', 'MSFT']).run(steps(20)).flat();
    const b = simulator(2, 50, ['AAPL', 'MSFT']).run(steps(20)).flat();
    expect(a.length).toBe(b.length); // same clock, same rate
    expect(a.map((t) => t.price)).not.toEqual(b.map((t) => t.price));
    expect(a[0]!.price).not.toBe(b.find((t) => t.symbol === a[0]!.symbol)!.price);
  });

  it("a symbol's path depends only on the seed and its own ticks, not on other symbols", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.constantFrom('MSFT', 'NVDA', 'GC=F'), { maxLength: 5 }),
        (seed, gaps, others) => {
          const alone = new MarketSimulator({ seed, ticksPerSecond: 1 });
          const crowded = new MarketSimulator({ seed, ticksPerSecond: 1 });
          let ts = T0;
          for (const gap of gaps) {
            ts += gap;
            // Other symbols trade before, in between and at the same times.
            for (const other of others) crowded.trade(other, ts - 1);
            const expected = alone.trade('AAPL', ts);
            expect(crowded.trade('AAPL', ts)).toEqual(expected);
            for (const other of others) crowded.trade(other, ts);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('adding a symbol to the watchlist leaves the path of the ticks an existing symbol gets unchanged', () => {
    // Same event times for AAPL in both runs: its prices must agree whatever else is traded.
    const one = simulator(7, 40, ['AAPL']);
    const two = simulator(7, 40, ['AAPL', 'MSFT']);
    const aaplAlone = one.run(steps(30)).flat();
    const mixed = two.run(steps(30)).flat();
    const aaplMixed = mixed.filter((t) => t.symbol === 'AAPL');
    expect(mixed.some((t) => t.symbol === 'MSFT')).toBe(true);
    // Replaying AAPL's own event times on a fresh simulator reproduces its ticks exactly.
    const replay = new MarketSimulator({ seed: 7, ticksPerSecond: 1 });
    expect(aaplMixed.map((t) => replay.trade('AAPL', t.ts))).toEqual(aaplMixed);
    const replayAlone = new MarketSimulator({ seed: 7, ticksPerSecond: 1 });
    expect(aaplAlone.map((t) => replayAlone.trade('AAPL', t.ts))).toEqual(aaplAlone);
    // Both start from the same price: the first trade of a symbol has no elapsed time.
    expect(aaplMixed[0]!.price).toBe(aaplAlone[0]!.price);
  });

  it('every tick is valid, for the watched symbols only, with both sides and plausible prices', () => {
    const symbols = ['AAPL', 'BRK-B', 'EURUSD=X', '^GSPC'];
    const ticks = simulator(11, 250, symbols).run(steps(60)).flat();
    expect(ticks.length).toBeGreaterThan(1_000);
    for (const tick of ticks) {
      expect(validateTick(tick)).toEqual({ ok: true, tick });
      expect(symbols).toContain(tick.symbol);
      expect(tick.source).toBe('simulator');
      expect(Number.isInteger(tick.volume) && tick.volume >= 1).toBe(true);
      expect(Math.round(tick.price * 10_000) / 10_000).toBe(tick.price);
    }
    const sides = new Set(ticks.map((t) => t.side));
    expect(sides).toEqual(new Set(['buy', 'sell']));
    // Every symbol gets a fair share.
    for (const s of symbols) {
      const share = ticks.filter((t) => t.symbol === s).length / ticks.length;
      expect(share, s).toBeGreaterThan(0.15);
      expect(share, s).toBeLessThan(0.35);
    }
    // Buyers lead rises: of the ticks that moved the price up, most are buys.
    let up = 0;
    let upBuys = 0;
    const last = new Map<string, number>();
    for (const t of ticks) {
      const prev = last.get(t.symbol);
      if (prev !== undefined && t.price > prev) {
        up++;
        if (t.side === 'buy') upBuys++;
      }
      last.set(t.symbol, t.price);
    }
    expect(upBuys / up).toBeGreaterThan(0.6);
  });

  it('respects the rate, spreading ticks over each span in event-time order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 1_500 }), { minLength: 1, maxLength: 25 }),
        (rate, dts) => {
          const { sim, clock } = simulator(3, rate, ['AAPL', 'MSFT']);
          let total = 0;
          let elapsed = 0;
          let previous = T0;
          for (const dt of dts) {
            clock.now += dt;
            elapsed += dt;
            const ticks = sim.generateDue();
            total += ticks.length;
            const owedSoFar = (elapsed / 1000) * rate;
            // Never ahead of the rate, never a whole tick behind it.
            expect(total).toBeLessThanOrEqual(owedSoFar + 1e-6);
            expect(total).toBeGreaterThan(owedSoFar - 1 - 1e-6);
            let inOrder = true;
            for (const t of ticks) {
              if (t.ts < previous || t.ts > clock.now) inOrder = false;
              previous = t.ts;
            }
            expect(inOrder, 'ticks in order within the span').toBe(true);
            if (ticks.length > 0) expect(ticks.at(-1)!.ts).toBe(clock.now);
            previous = clock.now;
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('owes nothing for time spent with no symbols or paused: no burst afterwards', () => {
    const { sim, clock, run } = simulator(5, 100, []);
    expect(run(steps(100))).toEqual(steps(100).map(() => [])); // 10 s, nobody watched
    sim.setSymbols(['AAPL']);
    expect(run([1_000]).flat().length).toBeLessThanOrEqual(100);

    sim.pause();
    clock.now += 60_000;
    sim.resume();
    expect(sim.generateDue()).toEqual([]);
    clock.now += 500;
    const due = sim.generateDue();
    expect(due.length).toBeGreaterThanOrEqual(49);
    expect(due.length).toBeLessThanOrEqual(51);
  });

  it('follows setSymbols at once', () => {
    const { sim, run } = simulator(9, 200, ['AAPL', 'MSFT']);
    run(steps(5));
    sim.setSymbols(['MSFT']);
    const after = run(steps(10)).flat();
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after.map((t) => t.symbol))).toEqual(new Set(['MSFT']));
  });

  it('reports its state', async () => {
    const sim = new MarketSimulator({ seed: 1, ticksPerSecond: 20, emitEveryMs: 10 });
    expect(sim.status().state).toBe('stopped');
    const emitted: Tick[][] = [];
    sim.setSymbols(['AAPL']);
    sim.start(async (ticks) => void emitted.push(ticks));
    expect(sim.status()).toMatchObject({ kind: 'simulator', state: 'live' });
    sim.pause();
    expect(sim.status().state).toBe('paused');
    sim.resume();
    await new Promise((resolve) => setTimeout(resolve, 120));
    await sim.stop();
    expect(sim.status().state).toBe('stopped');
    const count = emitted.flat().length;
    expect(count).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(emitted.flat().length).toBe(count); // nothing after stop
  });
});

describe('synthetic company profiles', () => {
  it('bracket the simulated price with their 52-week range, so the profile and the chart agree', () => {
    for (const symbol of ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'BRK-B', 'TSLA']) {
      const first = new MarketSimulator({ seed: 42, ticksPerSecond: 1 }).trade(symbol, 1_700_000_000_000);
      const profile = syntheticCompany(42, symbol);
      expect(profile.fiftyTwoWeekLow!, symbol).toBeLessThan(first.price);
      expect(profile.fiftyTwoWeekHigh!, symbol).toBeGreaterThan(first.price);
    }
  });
});
