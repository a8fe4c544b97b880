import { describe, expect, it } from 'vitest';
import { MAX_PANELS, addPanel, defaultLayout, shiftActive, updatePanel } from '../../renderer/src/workspace-layout.ts';

describe('adding chart panels', () => {
  it('goes round the watchlist: panels beyond its length do not all open on its first symbol', () => {
    const symbols = ['AAPL', 'MSFT', 'NVDA', 'AMZN'];
    let layout = defaultLayout();
    layout = updatePanel(layout, layout.active, { symbol: 'AAPL' });
    while (layout.panels.length < MAX_PANELS) layout = addPanel(layout, symbols);
    expect(layout.panels.map((p) => p.symbol)).toEqual([...symbols, ...symbols, ...symbols, ...symbols]);
    expect(addPanel(layout, symbols)).toBe(layout);
  });

  it('fills the least shown symbol first, and a new panel starts without indicators', () => {
    let layout = defaultLayout();
    layout = updatePanel(layout, layout.active, { symbol: 'MSFT', indicators: true });
    layout = addPanel(layout, ['AAPL', 'MSFT']);
    expect(layout.panels.at(-1)).toMatchObject({ symbol: 'AAPL', indicators: false });
    expect(layout.active).toBe(layout.panels.at(-1)!.id);
    expect(addPanel(defaultLayout(), []).panels.at(-1)!.symbol).toBeNull();
  });
});

describe('moving the active panel', () => {
  it('swaps it with its neighbour, keeps it active, and leaves it where it is at either end', () => {
    const base = defaultLayout();
    let layout = updatePanel(base, base.active, { symbol: 'AAPL' });
    layout = addPanel(addPanel(layout, ['AAPL', 'MSFT', 'NVDA']), ['AAPL', 'MSFT', 'NVDA']);
    const symbols = (l: typeof layout) => l.panels.map((p) => p.symbol);
    expect(symbols(layout)).toEqual(['AAPL', 'MSFT', 'NVDA']);
    const back = shiftActive(layout, -1);
    expect(symbols(back)).toEqual(['AAPL', 'NVDA', 'MSFT']);
    expect(back.active).toBe(layout.active);
    expect(shiftActive(layout, 1)).toBe(layout);
    const first = shiftActive(back, -1);
    expect(symbols(first)).toEqual(['NVDA', 'AAPL', 'MSFT']);
    expect(shiftActive(first, -1)).toBe(first);
  });
});
