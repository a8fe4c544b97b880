import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandInput, CommandName, CommandOutput, EventPayload } from '../../engine/api/contract.ts';
import { dispatch } from '../../engine/api/dispatch.ts';
import { createHandlers } from '../../engine/app/handlers.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import type { ReplaySource } from '../../engine/sources/replay/replay-source.ts';
import { tempDir } from './helpers.ts';

const T0 = Date.UTC(2026, 10, 2, 15, 0);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** AAPL's ticks, a second apart, at these prices. */
function tickFile(dir: string, name: string, from: number, prices: number[]): string {
  const lines = ['symbol,timestamp,price,volume', ...prices.map((p, i) => `AAPL,${from + i * 1_000},${p},10`)];
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

async function replay(dbPath: string, file: string): Promise<MarketMonitor> {
  const app = await MarketMonitor.open({
    dbPath,
    overrides: { source: { kind: 'replay', replay: { file, speed: 'max' } } },
  });
  cleanups.push(() => app.close());
  return app;
}

function caller(app: MarketMonitor) {
  const handlers = createHandlers(app);
  return async <N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> => {
    const result = await dispatch(handlers, name, input);
    if (!result.ok) throw new Error(result.error.message);
    return result.output as CommandOutput<N>;
  };
}

describe('drawings on a symbol’s charts', () => {
  it('are kept per symbol across restarts, changed and removed, and every change is told to the panels', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dbPath = path.join(dir, 'market.db');
    let app = await replay(dbPath, tickFile(dir, 'a.csv', T0, [100, 101]));
    const told: Array<EventPayload<'drawings'>> = [];
    app.events.subscribe((event, payload) => event === 'drawings' && told.push(payload as EventPayload<'drawings'>));
    let call = caller(app);
    const at = (seconds: number, price: number) => ({ time: T0 + seconds * 1_000, price });
    await call('drawings.add', { symbol: 'aapl', spec: { kind: 'trend', from: at(0, 100), to: at(60, 104) } });
    await call('drawings.add', { symbol: 'AAPL', spec: { kind: 'note', at: at(30, 102), text: '  earnings  ' } });
    const list = await call('drawings.add', {
      symbol: 'AAPL',
      spec: { kind: 'rect', from: at(0, 99), to: at(90, 103) },
    });
    await call('drawings.add', { symbol: 'MSFT', spec: { kind: 'hline', price: 400 } });
    expect(list.map((d) => d.spec.kind)).toEqual(['trend', 'note', 'rect']);
    expect(list[1]!.spec).toEqual({ kind: 'note', at: at(30, 102), text: 'earnings' });
    app.events.flush();
    expect(told.map((t) => [t.symbol, t.drawings.length])).toEqual([
      ['AAPL', 1],
      ['AAPL', 2],
      ['AAPL', 3],
      ['MSFT', 1],
    ]);

    const moved = await call('drawings.update', {
      id: list[0]!.id,
      spec: { kind: 'trend', from: at(0, 100), to: at(120, 106) },
    });
    expect(moved[0]!.spec).toMatchObject({ to: at(120, 106) });
    await call('drawings.remove', { id: list[2]!.id });
    await app.close();
    cleanups.pop();

    app = await replay(dbPath, tickFile(dir, 'b.csv', T0 + 10_000, [101]));
    call = caller(app);
    const kept = await call('drawings.list', { symbol: 'AAPL' });
    expect(kept.map((d) => [d.spec.kind, d.id])).toEqual([
      ['trend', list[0]!.id],
      ['note', list[1]!.id],
    ]);
    await expect(call('drawings.remove', { id: list[2]!.id })).rejects.toThrow(`There is no drawing ${list[2]!.id}`);
  });

  it('refuses shapes that cannot be drawn, saying what is wrong', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const call = caller(await replay(path.join(dir, 'market.db'), tickFile(dir, 'a.csv', T0, [100])));
    await expect(call('drawings.add', { symbol: 'AAPL', spec: { kind: 'hline', price: -5 } })).rejects.toThrow(
      /a price above zero/,
    );
    await expect(
      call('drawings.add', { symbol: 'AAPL', spec: { kind: 'note', at: { time: T0, price: 100 }, text: ' ' } }),
    ).rejects.toThrow(/a note needs text/);
    await expect(call('drawings.add', { symbol: 'AAPL', spec: { kind: 'circle' } as never })).rejects.toThrow(/kind/);
    expect(await call('drawings.list', { symbol: 'AAPL' })).toEqual([]);
  });

  it('turns a horizontal line into a price alert on the right side, which fires like any rule', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dbPath = path.join(dir, 'market.db');
    let app = await replay(dbPath, tickFile(dir, 'a.csv', T0, [100, 100.5, 101]));
    await (app.currentSource as ReplaySource).done;
    await app.drain();
    const call = caller(app);
    const [above] = await call('drawings.add', { symbol: 'AAPL', spec: { kind: 'hline', price: 105 } });
    const [, below] = await call('drawings.add', { symbol: 'AAPL', spec: { kind: 'hline', price: 95 } });
    const rules = await call('drawings.toAlert', { id: above!.id });
    await call('drawings.toAlert', { id: below!.id });
    expect((await call('alerts.list', {})).map((r) => [r.symbol, r.kind, r.threshold])).toEqual([
      ['AAPL', 'price-above', 105],
      ['AAPL', 'price-below', 95],
    ]);
    expect(rules).toHaveLength(1);
    const line = await call('drawings.add', {
      symbol: 'AAPL',
      spec: { kind: 'trend', from: { time: T0, price: 1 }, to: { time: T0 + 1, price: 2 } },
    });
    await expect(call('drawings.toAlert', { id: line.at(-1)!.id })).rejects.toThrow(/Only a horizontal line/);
    await app.close();
    cleanups.pop();

    // The price climbs through the line: the rule made from it fires.
    app = await replay(dbPath, tickFile(dir, 'b.csv', T0 + 10_000, [103, 104.5, 105.5, 106]));
    const fired: Array<EventPayload<'alert'>> = [];
    app.events.subscribe((event, payload) => event === 'alert' && fired.push(payload as EventPayload<'alert'>));
    await (app.currentSource as ReplaySource).done;
    await app.drain();
    app.events.flush();
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ symbol: 'AAPL', ruleId: rules[0]!.id });
    expect(fired[0]!.value).toBeGreaterThan(105);
  });
});
