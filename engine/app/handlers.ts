import type { MarketMonitor } from './market-monitor.ts';
import { ANALYSES, findAnalysis } from '../analyses/market-analyses.ts';
import { exportAnalysis, exportAnalysisParquet } from '../export/export-analysis.ts';
import { computeIndicators, indicatorKeys, sessionOfCandle } from '../stream/indicators/index.ts';
import { testKafkaConnection } from '../bus/kafka/test-connection.ts';
import { testInfluxConnection } from '../sinks/influx/test-connection.ts';
import { CandleHistory } from '../store/candle-history.ts';
import type { Handlers } from '../api/contract.ts';
import { SavedQueryRepo } from '../store/saved-query-repo.ts';
import { DrawingRepo } from '../store/drawing-repo.ts';
import { DrawingBoard } from './drawing-board.ts';
import { listSchema } from '../sql/schema.ts';
import { sqlResultCsv } from '../sql/sql-csv.ts';

/**
 * The contract's commands, served by one running MarketMonitor. Each first writes the candles
 * waiting behind their ticks: a chart, an export or a query opened now sees every committed tick.
 */
export function createHandlers(app: MarketMonitor): Handlers {
  const handlers = commandHandlers(app);
  const flushed = Object.entries(handlers).map(([name, handler]) => [
    name,
    (input: never) => {
      app.store.tryFlushCandles();
      return (handler as (input: never) => unknown)(input);
    },
  ]);
  return Object.fromEntries(flushed) as Handlers;
}

function commandHandlers(app: MarketMonitor): Handlers {
  const history = new CandleHistory(app.db);
  const savedQueries = new SavedQueryRepo(app.db);
  const drawings = new DrawingBoard({
    repo: new DrawingRepo(app.db),
    publish: (symbol, list) => app.events.publish('drawings', { symbol, drawings: list }),
    lastPrice: (symbol) => app.store.lastPrice(symbol)?.price,
    addAlert: (rule) => app.addAlert(rule),
  });
  return {
    'watchlist.list': () => app.watchItems(),
    'watchlist.add': ({ symbol }) => app.addSymbol(symbol),
    'watchlist.remove': ({ symbol }) => app.removeSymbol(symbol),
    'watchlist.reorder': ({ symbols }) => app.reorderWatchlist(symbols),
    'watchlist.setProvider': ({ symbol, provider }) => app.setProvider(symbol, provider),
    'providers.list': () => app.providers(),
    'providers.setKey': ({ provider, key }) => app.setProviderKey(provider, key),
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
    'analyses.csv': ({ name, params }) => {
      const { filename, csv } = exportAnalysis(app.db, name, params);
      return { filename, csv };
    },
    'analyses.parquet': ({ name, params }) => {
      const { filename, bytes } = exportAnalysisParquet(app.db, name, params);
      return { filename, base64: Buffer.from(bytes).toString('base64') };
    },
    'sql.schema': () => listSchema(app.db),
    'sql.run': ({ sql, ...options }) => app.sql.run(sql, options),
    'sql.cancel': ({ id }) => ({ cancelled: app.sql.cancel(id) }),
    'sql.csv': async ({ sql, ...options }) => {
      const result = await app.sql.run(sql, options);
      return { filename: 'query.csv', csv: sqlResultCsv(result), truncated: result.truncated };
    },
    'sql.saved.list': () => savedQueries.list(),
    'sql.saved.save': ({ name, sql }) => (savedQueries.save(name, sql), savedQueries.list()),
    'sql.saved.delete': ({ id }) => (savedQueries.remove(id), savedQueries.list()),
    'deadLetters.recent': ({ limit }) => app.store.recentDeadLetters(limit),
    'alerts.list': () => app.alerts.rules(),
    'alerts.add': (rule) => app.addAlert(rule),
    'drawings.list': ({ symbol }) => drawings.list(symbol),
    'drawings.add': ({ symbol, spec }) => drawings.add(symbol, spec),
    'drawings.update': ({ id, spec }) => drawings.update(id, spec),
    'drawings.remove': ({ id }) => drawings.remove(id),
    'drawings.toAlert': ({ id }) => drawings.alertFrom(id),
    'alerts.edit': (rule) => app.editAlert(rule),
    'alerts.setEnabled': ({ id, enabled }) => app.setAlertEnabled(id, enabled),
    'alerts.remove': ({ id }) => app.removeAlert(id),
    'alerts.history': ({ limit }) => app.alerts.history(limit),
    'kafka.testConnection': (settings) => testKafkaConnection(settings),
    'influx.testConnection': (settings) => testInfluxConnection(settings),
    'jobs.list': () => app.jobs.views(),
    'jobs.save': (job) => app.jobs.save(job),
    'jobs.remove': ({ id }) => app.jobs.remove(id),
    'jobs.runNow': ({ id }) => app.jobs.runNow(id),
    'jobs.runs': ({ jobId, limit }) => app.jobs.runs(limit, jobId),
    'portfolio.summary': () => app.portfolio.summary(),
    'portfolio.lots': () => app.portfolio.lots(),
    'portfolio.addLot': (lot) => app.portfolio.addLot(lot),
    'portfolio.editLot': ({ id, ...lot }) => app.portfolio.editLot(id, lot),
    'portfolio.removeLot': ({ id }) => app.portfolio.removeLot(id),
    'portfolio.setBase': ({ base }) => app.portfolio.setBase(base),
    'portfolio.importCsv': ({ csv, columns, account }) => app.portfolio.importCsv(csv, columns, account),
    'portfolio.exportCsv': () => app.portfolio.exportCsv(),
    'portfolio.history': ({ days }) => app.portfolio.history(days),
    'settings.get': () => app.settings,
    'settings.update': (settings) => app.updateSettings(settings),
  };
}
