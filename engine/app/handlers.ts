import type { MarketMonitor } from './market-monitor.ts';
import { ANALYSES, findAnalysis } from '../analyses/market-analyses.ts';
import { exportAnalysis } from '../export/export-analysis.ts';
import { computeIndicators, indicatorKeys, sessionOfCandle } from '../stream/indicators/index.ts';
import { testKafkaConnection } from '../bus/kafka/test-connection.ts';
import { testInfluxConnection } from '../sinks/influx/test-connection.ts';
import { CandleHistory } from '../store/candle-history.ts';
import type { Handlers } from '../api/contract.ts';

/** The contract's commands, served by one running MarketMonitor. */
export function createHandlers(app: MarketMonitor): Handlers {
  const history = new CandleHistory(app.db);
  return {
    'watchlist.list': () => app.watchItems(),
    'watchlist.add': ({ symbol }) => app.addSymbol(symbol),
    'watchlist.remove': ({ symbol }) => app.removeSymbol(symbol),
    'watchlist.reorder': ({ symbols }) => app.reorderWatchlist(symbols),
    'candles.list': (query) => app.store.candles(query),
    'candles.history': (query) => ({ ...history.columns(query), timeZone: app.timeZoneOf(query.symbol) }),
    'indicators.series': ({ symbol, interval, limit, spec }) => {
      const candles = app.store.candles({ symbol, interval, limit });
      const points = computeIndicators(candles, spec, sessionOfCandle(app.exchangeDays));
      return { keys: indicatorKeys(spec), points };
    },
    'anomalies.recent': ({ symbol, limit }) => app.anomalies.recent(limit, symbol),
    'status.get': () => app.status(),
    'source.setPaused': ({ paused }) => app.setPaused(paused),
    'companies.get': ({ symbol }) => app.companies.get(symbol) ?? null,
    'symbols.search': ({ query }) => app.searchSymbols(query),
    'analyses.list': () =>
      ANALYSES.map(({ name, title, description, columns }) => ({ name, title, description, columns })),
    'analyses.run': ({ name, params }) => {
      const analysis = findAnalysis(name);
      const rows = analysis.run(app.db, params);
      const symbols = new Set(rows.map((r) => r.symbol).filter((s): s is string => typeof s === 'string'));
      const timeZones = Object.fromEntries([...symbols].map((s) => [s, app.timeZoneOf(s)]));
      return { columns: analysis.columns, rows, timeZones };
    },
    'analyses.csv': ({ name, params }) => exportAnalysis(app.db, name, params),
    'deadLetters.recent': ({ limit }) => app.store.recentDeadLetters(limit),
    'alerts.list': () => app.alerts.rules(),
    'alerts.add': (rule) => app.addAlert(rule),
    'alerts.edit': (rule) => app.editAlert(rule),
    'alerts.setEnabled': ({ id, enabled }) => app.setAlertEnabled(id, enabled),
    'alerts.remove': ({ id }) => app.removeAlert(id),
    'alerts.history': ({ limit }) => app.alerts.history(limit),
    'kafka.testConnection': (settings) => testKafkaConnection(settings),
    'influx.testConnection': (settings) => testInfluxConnection(settings),
    'settings.get': () => app.settings,
    'settings.update': (settings) => app.updateSettings(settings),
  };
}
