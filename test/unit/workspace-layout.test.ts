import { describe, expect, it } from 'vitest';
import { MAX_PANELS, addPanel, defaultLayout, updatePanel } from '../../renderer/src/workspace-layout.ts';

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
