import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { validateTick, type Tick } from '../../engine/domain/tick.ts';
import { MarketSimulator } from '../../engine/sources/simulator.ts';
import { syntheticCompany } from '../../engine/sources/synthetic-companies.ts';

const T0 = 1_700_000_000_000;

/** A simulator on a hand-driven clock, started at `start` (resume() sets where the first span begins). */
function simulator(
  seed: number,
  ticksPerSecond: number,
  symbols: readonly string[],
  start = T0,
  sessions?: 'continuous' | 'exchange',
) {
  const clock = { now: start };
  const sim = new MarketSimulator({ seed, ticksPerSecond, ...(sessions ? { sessions } : {}), now: () => clock.now });
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

const at = (iso: string) => Date.parse(iso);
const SECOND = 1_000;
const HOUR = 3_600_000;
/** Simulators on New York hours; the instants below are UTC, and New York is UTC-4 in June. */
const onExchangeHours = (seed: number, ticksPerSecond: number, symbols: readonly string[], startIso: string) =>
  simulator(seed, ticksPerSecond, symbols, at(startIso), 'exchange');
const countIn = (ticks: readonly Tick[], from: number, to: number) =>
  ticks.filter((t) => t.ts >= from && t.ts < to).length;
const medianVolume = (ticks: readonly Tick[]) => ticks.map((t) => t.volume).sort((a, b) => a - b)[ticks.length >> 1]!;
const inOrder = (ticks: readonly Tick[]) => ticks.every((t, i) => i === 0 || t.ts >= ticks[i - 1]!.ts);

describe('MarketSimulator on exchange hours', () => {
  it('trades nothing on a Saturday or at 02:00 New York time, and says when it opens', () => {
    const saturday = onExchangeHours(1, 1_000, ['AAPL', 'MSFT'], '2024-06-08T16:00:00Z'); // Sat 12:00
    expect(saturday.run(steps(120, SECOND)).flat()).toEqual([]);
    expect(saturday.sim.status().message).toBe('Simulated market closed — opens Mon 04:00 New York time (pre-market)');
    const night = onExchangeHours(1, 1_000, ['AAPL'], '2024-06-05T06:00:00Z'); // Wed 02:00
    expect(night.run(steps(120, SECOND)).flat()).toEqual([]);
    expect(night.sim.status().message).toContain('opens Wed 04:00 New York time');
  });

  it('trades at a twentieth of the rate and in smaller trades in the pre-market', () => {
    const pre = onExchangeHours(2, 1_000, ['AAPL', 'MSFT'], '2024-06-05T09:00:00Z'); // Wed 05:00
    const regular = onExchangeHours(2, 1_000, ['AAPL', 'MSFT'], '2024-06-05T15:00:00Z'); // Wed 11:00
    const preTicks = pre.run(steps(60, SECOND)).flat();
    const regularTicks = regular.run(steps(60, SECOND)).flat();
    expect(regularTicks.length).toBe(60_000);
    expect(preTicks.length).toBe(3_000);
    expect(medianVolume(preTicks)).toBeLessThan(medianVolume(regularTicks) / 2);
    expect(pre.sim.status().message).toBe(
      'Simulated market, 1000 ticks/s — pre-market (New York), thin trading until 09:30',
    );
    expect(regular.sim.status().message).toBe(
      'Simulated market, 1000 ticks/s — regular session (New York) until 16:00',
    );
  });

  it('cuts a batch over the 16:00 close and the 20:00 end of after-hours at the boundary', () => {
    const close = at('2024-06-05T20:00:00Z'); // Wed 16:00
    const overClose = onExchangeHours(3, 1_000, ['AAPL', 'MSFT'], '2024-06-05T19:59:50Z');
    const ticks = overClose.run([20 * SECOND]).flat();
    expect(countIn(ticks, close - 10 * SECOND, close)).toBe(10_000);
    expect(countIn(ticks, close, close + 10 * SECOND)).toBe(500);
    expect(ticks.length).toBe(10_500);
    expect(inOrder(ticks)).toBe(true);
    expect(medianVolume(ticks.filter((t) => t.ts >= close))).toBeLessThan(medianVolume(ticks) / 2);

    const shut = close + 4 * HOUR; // Wed 20:00
    const overShut = onExchangeHours(3, 1_000, ['AAPL', 'MSFT'], '2024-06-05T23:59:50Z');
    const late = overShut.run([20 * SECOND]).flat();
    expect(late.length).toBe(500);
    expect(late.every((t) => t.ts < shut)).toBe(true);
  });

  it('opens each trading day with an overnight gap of about a quarter of a session, whatever the closed hours', () => {
    // Log returns of many symbols over one regular session, one night and one weekend.
    const sim = new MarketSimulator({ seed: 4, ticksPerSecond: 1, sessions: 'exchange' });
    const sums = { session: 0, night: 0, weekend: 0 };
    const move = (symbol: string, from: string, to: string) => {
      const before = sim.trade(symbol, at(from)).price;
      return Math.log(sim.trade(symbol, at(to)).price / before) ** 2;
    };
    for (let i = 0; i < 300; i++) {
      const symbol = `S${i}`;
      sums.session += move(symbol, '2024-06-04T13:30:00.000Z', '2024-06-04T19:59:59.999Z'); // Tue 09:30–16:00
      sums.night += move(symbol, '2024-06-04T23:59:59.999Z', '2024-06-05T08:00:00.000Z'); // Tue 20:00 – Wed 04:00
      sums.weekend += move(symbol, '2024-06-07T23:59:59.999Z', '2024-06-10T08:00:00.000Z'); // Fri 20:00 – Mon 04:00
    }
    // Eight closed hours at the usual volatility would make the night 1.5 sessions, the weekend 9.
    expect(sums.night / sums.session).toBeGreaterThan(0.15);
    expect(sums.night / sums.session).toBeLessThan(0.4);
    expect(sums.weekend / sums.session).toBeGreaterThan(0.15);
    expect(sums.weekend / sums.session).toBeLessThan(0.4);
  });

  it('the same seed and clock give the same ticks across a night, with the gap at the open', () => {
    // Tue 19:59:30 to the end of after-hours, the night in one step, then the first minute of Wednesday.
    const clock = [...steps(40, SECOND), 8 * HOUR - 10 * SECOND, ...steps(60, SECOND)];
    const night = (seed: number) => onExchangeHours(seed, 200, ['AAPL', 'MSFT'], '2024-06-04T23:59:30Z').run(clock);
    const batches = night(5);
    expect(night(5)).toEqual(batches);
    expect(night(6)).not.toEqual(batches);
    const ticks = batches.flat();
    const open = at('2024-06-05T08:00:00Z');
    expect(countIn(ticks, at('2024-06-05T00:00:00Z'), open)).toBe(0);
    for (const symbol of ['AAPL', 'MSFT']) {
      const own = ticks.filter((t) => t.symbol === symbol);
      const first = own.findIndex((t) => t.ts >= open);
      expect(first, symbol).toBeGreaterThan(0);
      const jumps = own.slice(1).map((t, i) => Math.abs(Math.log(t.price / own[i]!.price)));
      const gap = jumps[first - 1]!;
      // The jump over the night is larger than any move between two trades of the same session.
      expect(Math.max(...jumps.filter((_, i) => i !== first - 1)), symbol).toBeLessThan(gap);
    }
  });

  it('follows New York across the March DST change: the open moves an hour earlier in UTC', () => {
    // Friday 8 March 2024 is on EST (UTC-5), Monday 11 March on EDT (UTC-4).
    const days = [
      { pre: '2024-03-08T09:00:00Z', regular: '2024-03-08T14:30:00Z' },
      { pre: '2024-03-11T08:00:00Z', regular: '2024-03-11T13:30:00Z' },
    ];
    for (const day of days) {
      for (const [boundary, before, after] of [
        [at(day.pre), 0, 3_000],
        [at(day.regular), 3_000, 60_000],
      ] as const) {
        const start = new Date(boundary - 60 * SECOND).toISOString();
        const ticks = onExchangeHours(6, 1_000, ['AAPL'], start).run(steps(120, SECOND)).flat();
        expect(countIn(ticks, boundary - 60 * SECOND, boundary), start).toBe(before);
        expect(countIn(ticks, boundary, boundary + 60 * SECOND), start).toBe(after);
      }
    }
  });

  it("a symbol's path depends only on the seed and its own ticks, across nights and weekends too", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.integer({ min: 0, max: 3 * 24 * HOUR }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.constantFrom('MSFT', 'NVDA'), { maxLength: 3 }),
        (seed, gaps, others) => {
          const alone = new MarketSimulator({ seed, ticksPerSecond: 1, sessions: 'exchange' });
          const crowded = new MarketSimulator({ seed, ticksPerSecond: 1, sessions: 'exchange' });
          let ts = T0;
          for (const gap of gaps) {
            ts += gap;
            for (const other of others) crowded.trade(other, ts - HOUR);
            expect(crowded.trade('AAPL', ts)).toEqual(alone.trade('AAPL', ts));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('around the clock (the default) trades as it always did, on a Saturday night too', () => {
    const { sim, run } = simulator(42, 30, ['AAPL', 'MSFT', 'NVDA'], at('2024-06-08T07:00:00Z'));
    const ticks = run(Array.from({ length: 200 }, (_, i) => 37 + (i % 11) * 50)).flat();
    // Recorded from the simulator before trading sessions existed.
    expect(ticks.length).toBe(1_708);
    expect(createHash('sha256').update(JSON.stringify(ticks)).digest('hex')).toBe(
      '3d10b3f5640751b79f5585bba8e9591abde73bfe386f2dc62d94cf60d0028602',
    );
    expect(sim.status().message).toBe('Simulated market, 30 ticks/s');
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
