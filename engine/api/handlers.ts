import type { MarketMonitor } from '../app/market-monitor.ts';
import type { Handlers } from './contract.ts';

/** The contract's commands, served by one running MarketMonitor. */
export function createHandlers(app: MarketMonitor): Handlers {
  return {
    'watchlist.list': () => app.watchItems(),
    'watchlist.add': ({ symbol }) => app.addSymbol(symbol),
    'watchlist.remove': ({ symbol }) => app.removeSymbol(symbol),
    'watchlist.reorder': ({ symbols }) => app.reorderWatchlist(symbols),
    'candles.list': (query) => app.store.candles(query),
    'status.get': () => app.status(),
    'source.setPaused': ({ paused }) => app.setPaused(paused),
    'settings.get': () => app.settings,
    'settings.update': (settings) => app.updateSettings(settings),
  };
}
