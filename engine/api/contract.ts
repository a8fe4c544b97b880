/**
 * The one door between the engine and any UI. Commands take zod-validated input; events are pushed.
 * Electron IPC and the WebSocket bridge are two transports of exactly this contract.
 */
import { z } from 'zod';
import { AlertEventSchema, AlertRuleEditSchema, AlertRuleInputSchema, AlertRuleSchema } from '../domain/alert-rule.ts';
import { BusHealthSchema } from '../domain/bus-health.ts';
import { DeadLetterSchema } from '../domain/dead-letter.ts';
import { SinkStatusSchema } from '../domain/sink-status.ts';
import { SourceStatusSchema } from '../domain/source-status.ts';
import { ViewerHealthSchema } from '../domain/viewer-health.ts';
import { AnalysisParamsSchema } from '../analyses/analysis.ts';
import { ANALYSIS_NAMES } from '../analyses/catalog.ts';
import { AppModeSchema, KafkaSettingsSchema } from '../domain/bus-settings.ts';
import { CandleSchema } from '../domain/candle.ts';
import { CompanyProfileSchema } from '../domain/company.ts';
import { FeedHealthSchema } from '../domain/feed-health.ts';
import { ProviderIdSchema } from '../domain/provider.ts';
import { DrawingSchema, DrawingSpecSchema } from '../domain/drawing.ts';
import { ApiKeySchema, KeyStatusSchema } from '../domain/secrets.ts';
import { InfluxSettingsSchema } from '../domain/influx-settings.ts';
import { IntervalSchema } from '../domain/interval.ts';
import { SettingsSchema } from '../domain/settings.ts';
import { SymbolSchema } from '../domain/symbol.ts';
import { SymbolMatchSchema } from '../domain/symbol-match.ts';
import { AnomalySchema } from '../domain/anomaly.ts';
import { SQL_DEFAULT_ROW_LIMIT, SQL_DEFAULT_TIME_LIMIT_MS, SQL_MAX_ROW_LIMIT } from '../domain/sql-limits.ts';
import { IndicatorSpecSchema } from '../stream/indicators/index.ts';
import { JobInputSchema, JobRunSchema, JobViewSchema } from '../domain/job.ts';
import { CurrencyCodeSchema, LotSchema } from '../domain/portfolio.ts';

export const WatchItemSchema = z.object({
  symbol: z.string(),
  position: z.number().int(),
  addedAt: z.number(),
  last: z.object({ price: z.number(), ts: z.number() }).nullable(),
  /** The exchange day's opening price: change and change % are measured from it. */
  dayOpen: z.number().nullable(),
  dayVolume: z.number(),
  /** Closes of the latest one-minute candles, oldest first. */
  spark: z.array(z.number()),
  /** The real-time provider chosen for it; null: the live source's own (Yahoo). */
  provider: ProviderIdSchema.nullable(),
  /** Where its prices come from now (streaming, polling and why), when they last came, and why they are stale. */
  feed: FeedHealthSchema.optional(),
});
export type WatchItem = z.infer<typeof WatchItemSchema>;

export const StatusSchema = z.object({
  /** An engine computes candles from ticks; a viewer stores those the engines publish on Kafka. */
  mode: AppModeSchema.optional(),
  /** A viewer's reading of the candle topics. */
  viewer: ViewerHealthSchema.optional(),
  source: SourceStatusSchema,
  bus: BusHealthSchema,
  engine: z.object({
    ticksPerSecond: z.number(),
    accepted: z.number(),
    late: z.number(),
    invalid: z.number(),
    openWindows: z.number(),
    /** Post-commit listeners (mirror, alerts, anomalies...) that threw: their batches are stored all the same. */
    listenerErrors: z.array(
      z.object({ name: z.string(), count: z.number(), lastMessage: z.string(), lastAt: z.number() }),
    ),
  }),
  database: z.object({ path: z.string(), sizeBytes: z.number() }),
  /** Every sink the app knows, switched on or off (InfluxDB today), in the sink registry's order. */
  sinks: z.array(SinkStatusSchema),
});
export type Status = z.infer<typeof StatusSchema>;

export const NoticeSchema = z.object({
  level: z.enum(['info', 'warning', 'error']),
  message: z.string(),
});
export type Notice = z.infer<typeof NoticeSchema>;

const NoInput = z.object({}).strict().prefault({});

const ColumnSchema = z.object({
  key: z.string(),
  header: z.string(),
  kind: z.enum(['time', 'day', 'number', 'integer', 'percent', 'text']),
});
const AnalysisRequestSchema = z
  .object({ name: z.enum(ANALYSIS_NAMES), params: AnalysisParamsSchema.prefault({}) })
  .strict();
export const AnalysisInfoSchema = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  columns: z.array(ColumnSchema),
});
export type AnalysisInfo = z.infer<typeof AnalysisInfoSchema>;

const SqlQuerySchema = z
  .object({
    sql: z.string().trim().min(1, 'Type a query').max(100_000),
    id: z.string().min(1).max(64).optional(),
    rowLimit: z.number().int().min(1).max(SQL_MAX_ROW_LIMIT).default(SQL_DEFAULT_ROW_LIMIT),
    timeLimitMs: z.number().int().min(100).max(600_000).default(SQL_DEFAULT_TIME_LIMIT_MS),
  })
  .strict();
const SqlCellSchema = z.union([z.string(), z.number(), z.null()]);
const SqlResultSchema = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.string().nullable() })),
  rows: z.array(z.array(SqlCellSchema)),
  truncated: z.boolean(),
  rowLimit: z.number(),
  elapsedMs: z.number(),
});
export type SqlResult = z.infer<typeof SqlResultSchema>;
const SqlTableSchema = z.object({
  name: z.string(),
  type: z.enum(['table', 'view']),
  columns: z.array(z.object({ name: z.string(), type: z.string(), notNull: z.boolean(), primaryKey: z.boolean() })),
});
export type SqlTable = z.infer<typeof SqlTableSchema>;
const SavedQuerySchema = z.object({ id: z.number(), name: z.string(), sql: z.string(), updatedAt: z.number() });
export type SavedQuery = z.infer<typeof SavedQuerySchema>;

/** A real-time provider and whether it has the key it needs; the key itself never crosses the contract. */
export const ProviderViewSchema = z.object({
  id: ProviderIdSchema,
  name: z.string(),
  needsKey: z.boolean(),
  maxSymbols: z.number().int().optional(),
  covers: z.string(),
  key: KeyStatusSchema.nullable(),
});
export type ProviderView = z.infer<typeof ProviderViewSchema>;

/** A column of a `candles.history` answer. */
const NumberColumn = z.instanceof(Float64Array);

/** The most candles one request may ask for. */
export const MAX_CANDLES_PER_REQUEST = 100_000;

/** The newest `limit` candles of a series within [from, to]. */
const CandleQuerySchema = z
  .object({
    symbol: SymbolSchema,
    interval: IntervalSchema,
    from: z.number().int().optional(),
    to: z.number().int().optional(),
    limit: z.number().int().min(1).max(MAX_CANDLES_PER_REQUEST).default(1_000),
  })
  .strict();

/** A lot as the user enters it; its symbol spelled as the watchlist's (upper case). */
const LotInputSchema = LotSchema.extend({ symbol: SymbolSchema });
const StoredLotSchema = z.object({
  id: z.number().int(),
  account: z.string(),
  symbol: z.string(),
  quantity: z.number(),
  price: z.number(),
  date: z.string(),
  fees: z.number(),
});
export type StoredLotView = z.infer<typeof StoredLotSchema>;

/** One account's holding of one symbol (domain/portfolio.ts `Position`): money in the base currency. */
const PositionSchema = z.object({
  account: z.string(),
  symbol: z.string(),
  quantity: z.number(),
  averagePrice: z.number(),
  currency: z.string().nullable(),
  lastPrice: z.number().nullable(),
  cost: z.number(),
  marketValue: z.number().nullable(),
  dayPnl: z.number().nullable(),
  totalPnl: z.number().nullable(),
  totalPnlPercent: z.number().nullable(),
  weight: z.number().nullable(),
  problem: z.string().nullable(),
});
export type PositionView = z.infer<typeof PositionSchema>;

export const PortfolioViewSchema = z.object({
  base: z.string(),
  positions: z.array(PositionSchema),
  marketValue: z.number(),
  cost: z.number(),
  dayPnl: z.number(),
  totalPnl: z.number(),
  /** Positions left out of the totals: a price or an FX rate is missing. */
  unvalued: z.number().int(),
  /** The local date lots count as traded today on. */
  today: z.string(),
  accounts: z.array(z.string()),
  /** The FX rates used, by Yahoo symbol (EURUSD=X: dollars per euro). */
  rates: z.record(z.string(), z.number()),
  /** FX symbols the positions need that have no rate yet. */
  missingRates: z.array(z.string()),
});
export type PortfolioView = z.infer<typeof PortfolioViewSchema>;

const CsvColumn = z.string().trim().min(1, 'Name a column').max(200).optional();
/** The file's column for each lot field, where it is not called by the field's own name. */
const LotColumnMappingSchema = z
  .object({
    account: CsvColumn,
    symbol: CsvColumn,
    quantity: CsvColumn,
    price: CsvColumn,
    date: CsvColumn,
    fees: CsvColumn,
  })
  .strict();

/** Domain knows no analyses: the names an export job takes are checked against the catalog here. */
function analysesInCatalog(job: z.output<typeof JobInputSchema>, ctx: z.RefinementCtx): void {
  if (job.task.kind !== 'export') return;
  job.task.analyses.forEach((name, i) => {
    if (!ANALYSIS_NAMES.includes(name))
      ctx.addIssue({ code: 'custom', path: ['task', 'analyses', i], message: `no analysis is called "${name}"` });
  });
}

export const commands = {
  'watchlist.list': { input: NoInput, output: z.array(WatchItemSchema) },
  'watchlist.add': { input: z.object({ symbol: SymbolSchema }).strict(), output: z.array(WatchItemSchema) },
  'watchlist.remove': { input: z.object({ symbol: SymbolSchema }).strict(), output: z.array(WatchItemSchema) },
  'watchlist.reorder': {
    input: z.object({ symbols: z.array(SymbolSchema).max(1_000) }).strict(),
    output: z.array(WatchItemSchema),
  },
  /** Routes a symbol's prices to a real-time provider, or (null) back to the live source's own. */
  'watchlist.setProvider': {
    input: z.object({ symbol: SymbolSchema, provider: ProviderIdSchema.nullable() }).strict(),
    output: z.array(WatchItemSchema),
  },
  'providers.list': { input: NoInput, output: z.array(ProviderViewSchema) },
  /** Keeps a provider's key in the host's keychain (null forgets it). */
  'providers.setKey': {
    input: z.object({ provider: ProviderIdSchema, key: ApiKeySchema.nullable() }).strict(),
    output: z.array(ProviderViewSchema),
  },
  'candles.list': {
    input: CandleQuerySchema,
    output: z.array(CandleSchema),
  },
  /**
   * The same candles as `candles.list`, as one array per field (oldest first): the chart's history
   * load. OHLCV and turnover (VWAP) only, what a chart draws; trade counts, side volumes and open/close
   * times stay with `candles.list`.
   * Each field is a Float64Array (see engine/store/candle-history.ts).
   */
  'candles.history': {
    input: CandleQuerySchema,
    output: z.object({
      symbol: z.string(),
      interval: IntervalSchema,
      /** The exchange time zone the symbol's day candles start in (absent from older hosts: New York). */
      timeZone: z.string().optional(),
      start: NumberColumn,
      open: NumberColumn,
      high: NumberColumn,
      low: NumberColumn,
      close: NumberColumn,
      volume: NumberColumn,
      turnover: NumberColumn,
    }),
  },
  /** Indicators over the same newest `limit` candles that `candles.list` returns (they warm up over the first ones). */
  'indicators.series': {
    input: z
      .object({
        symbol: SymbolSchema,
        interval: IntervalSchema,
        limit: z.number().int().min(1).max(MAX_CANDLES_PER_REQUEST).default(1_000),
        spec: IndicatorSpecSchema.prefault({}),
      })
      .strict(),
    output: z.object({
      keys: z.array(z.string()),
      points: z.array(z.object({ start: z.number(), values: z.record(z.string(), z.number().nullable()) })),
    }),
  },
  'anomalies.recent': {
    input: z
      .object({ symbol: SymbolSchema.optional(), limit: z.number().int().min(1).max(1_000).default(100) })
      .strict()
      .prefault({}),
    output: z.array(AnomalySchema),
  },
  'status.get': { input: NoInput, output: StatusSchema },
  'source.setPaused': { input: z.object({ paused: z.boolean() }).strict(), output: StatusSchema },
  'companies.get': { input: z.object({ symbol: SymbolSchema }).strict(), output: CompanyProfileSchema.nullable() },
  /** Yahoo Finance symbol search for the watchlist's add box: name, exchange and type of each match. */
  'symbols.search': {
    input: z.object({ query: z.string().trim().min(1).max(64) }).strict(),
    output: z.array(SymbolMatchSchema),
  },
  'analyses.list': { input: NoInput, output: z.array(AnalysisInfoSchema) },
  'analyses.run': {
    input: AnalysisRequestSchema,
    output: z.object({
      columns: z.array(ColumnSchema),
      rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
      /** The exchange time zone of each symbol in the rows, to show its days' dates (absent from older hosts). */
      timeZones: z.record(z.string(), z.string()).optional(),
    }),
  },
  'analyses.csv': { input: AnalysisRequestSchema, output: z.object({ filename: z.string(), csv: z.string() }) },
  /** The same rows as one Parquet file; its bytes as base64, since the WebSocket carries JSON text. */
  'analyses.parquet': {
    input: AnalysisRequestSchema,
    output: z.object({ filename: z.string(), base64: z.string() }),
  },
  /** The store's tables and views with their columns, for the SQL console. */
  'sql.schema': { input: NoInput, output: z.array(SqlTableSchema) },
  /**
   * One read-only query over the store (anything else is refused), in a process of its own that
   * the time limit or `sql.cancel` with the same `id` kills; the first `rowLimit` rows.
   */
  'sql.run': { input: SqlQuerySchema, output: SqlResultSchema },
  'sql.cancel': {
    input: z.object({ id: z.string().min(1).max(64) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  /** The same query's rows as CSV (run again, so rows stored since may appear). */
  'sql.csv': {
    input: SqlQuerySchema,
    output: z.object({ filename: z.string(), csv: z.string(), truncated: z.boolean() }),
  },
  'sql.saved.list': { input: NoInput, output: z.array(SavedQuerySchema) },
  /** Saving under a name already there replaces its text. */
  'sql.saved.save': {
    input: z
      .object({
        name: z.string().trim().min(1, 'Give the query a name').max(80),
        sql: z.string().trim().min(1).max(100_000),
      })
      .strict(),
    output: z.array(SavedQuerySchema),
  },
  'sql.saved.delete': { input: z.object({ id: z.number().int() }).strict(), output: z.array(SavedQuerySchema) },
  'deadLetters.recent': {
    input: z
      .object({ limit: z.number().int().min(1).max(1_000).default(50) })
      .strict()
      .prefault({}),
    output: z.array(DeadLetterSchema),
  },
  'alerts.list': { input: NoInput, output: z.array(AlertRuleSchema) },
  'alerts.add': { input: AlertRuleInputSchema, output: z.array(AlertRuleSchema) },
  'drawings.list': { input: z.object({ symbol: SymbolSchema }).strict(), output: z.array(DrawingSchema) },
  'drawings.add': {
    input: z.object({ symbol: SymbolSchema, spec: DrawingSpecSchema }).strict(),
    output: z.array(DrawingSchema),
  },
  'drawings.update': {
    input: z.object({ id: z.number().int(), spec: DrawingSpecSchema }).strict(),
    output: z.array(DrawingSchema),
  },
  /** A horizontal line becomes a price alert on its symbol, above or below the last price. */
  'drawings.toAlert': { input: z.object({ id: z.number().int() }).strict(), output: z.array(AlertRuleSchema) },
  'drawings.remove': { input: z.object({ id: z.number().int() }).strict(), output: z.array(DrawingSchema) },
  /** Changes a rule in place (its history stays with it). */
  'alerts.edit': { input: AlertRuleEditSchema, output: z.array(AlertRuleSchema) },
  /** Switches a rule off without losing it, or back on. */
  'alerts.setEnabled': {
    input: z.object({ id: z.number().int(), enabled: z.boolean() }).strict(),
    output: z.array(AlertRuleSchema),
  },
  'alerts.remove': { input: z.object({ id: z.number().int() }).strict(), output: z.array(AlertRuleSchema) },
  'alerts.history': {
    input: z
      .object({ limit: z.number().int().min(1).max(1_000).default(100) })
      .strict()
      .prefault({}),
    output: z.array(AlertEventSchema),
  },
  'kafka.testConnection': {
    input: KafkaSettingsSchema,
    output: z.discriminatedUnion('ok', [
      z.object({
        ok: z.literal(true),
        brokers: z.array(z.string()),
        controller: z.number().nullable(),
        clusterId: z.string(),
        topics: z.array(z.string()),
        tookMs: z.number(),
      }),
      z.object({ ok: z.literal(false), error: z.string(), tookMs: z.number() }),
    ]),
  },
  'influx.testConnection': {
    input: InfluxSettingsSchema,
    output: z.object({ ok: z.boolean(), version: z.string().optional(), message: z.string() }),
  },
  'jobs.list': { input: NoInput, output: z.array(JobViewSchema) },
  /** A new job without `id`, a change with it; the analyses must be names of the catalog. */
  'jobs.save': { input: JobInputSchema.superRefine(analysesInCatalog), output: z.array(JobViewSchema) },
  /** Runs the job after any run under way; answers with the finished run. */
  'jobs.runNow': { input: z.object({ id: z.number().int() }).strict(), output: JobRunSchema },
  /** The newest runs first, of one job or of all. */
  'jobs.runs': {
    input: z
      .object({ jobId: z.number().int().optional(), limit: z.number().int().min(1).max(1_000).default(50) })
      .strict()
      .prefault({}),
    output: z.array(JobRunSchema),
  },
  'jobs.remove': { input: z.object({ id: z.number().int() }).strict(), output: z.array(JobViewSchema) },
  /** The lots valued as positions per account and symbol, with totals, in the base currency. */
  'portfolio.summary': { input: NoInput, output: PortfolioViewSchema },
  'portfolio.lots': { input: NoInput, output: z.array(StoredLotSchema) },
  /** Adds a lot (its account is made when new); its symbol and the FX rate it needs go on the watchlist. */
  'portfolio.addLot': { input: LotInputSchema, output: PortfolioViewSchema },
  'portfolio.editLot': {
    input: LotInputSchema.extend({ id: z.number().int() }),
    output: PortfolioViewSchema,
  },
  'portfolio.removeLot': { input: z.object({ id: z.number().int() }).strict(), output: PortfolioViewSchema },
  'portfolio.setBase': { input: z.object({ base: CurrencyCodeSchema }).strict(), output: PortfolioViewSchema },
  /**
   * Lots from CSV text, a header row then a lot a row; `columns` names the file's columns where they
   * are not called account, symbol, quantity, price, date, fees; `account` fills a missing account.
   * All rows or none: a bad row refuses the file with its row number and reason.
   */
  'portfolio.importCsv': {
    input: z
      .object({
        csv: z.string().min(1, 'Paste or choose a CSV file').max(5_000_000),
        columns: LotColumnMappingSchema.prefault({}),
        account: z.string().trim().max(100).optional(),
      })
      .strict(),
    output: PortfolioViewSchema.extend({ imported: z.number().int() }),
  },
  /** The `positions` analysis as CSV (the same file as `analyses.csv` and `market-monitor export positions`). */
  'portfolio.exportCsv': { input: NoInput, output: z.object({ filename: z.string(), csv: z.string() }) },
  /** Market value and P&L per day from the stored day candles, the newest `days` days. */
  'portfolio.history': {
    input: z
      .object({ days: z.number().int().min(1).max(3_650).default(365) })
      .strict()
      .prefault({}),
    output: z.object({
      base: z.string(),
      points: z.array(
        z.object({
          day: z.string(),
          marketValue: z.number(),
          cost: z.number(),
          dayPnl: z.number(),
          totalPnl: z.number(),
          unvalued: z.number().int(),
        }),
      ),
    }),
  },
  'settings.get': { input: NoInput, output: SettingsSchema },
  'settings.update': { input: SettingsSchema, output: SettingsSchema },
} as const;

export const events = {
  candles: z.array(CandleSchema),
  status: StatusSchema,
  watchlist: z.array(WatchItemSchema),
  notice: NoticeSchema,
  alert: AlertEventSchema,
  anomaly: AnomalySchema,
  /** The scheduled jobs, after a change or a run's start and end. */
  jobs: z.array(JobViewSchema),
  /** A symbol's drawings after a change: every panel of it redraws them. */
  drawings: z.object({ symbol: z.string(), drawings: z.array(DrawingSchema) }),
} as const;

export type CommandName = keyof typeof commands;
export type CommandInput<N extends CommandName> = z.input<(typeof commands)[N]['input']>;
export type CommandArgs<N extends CommandName> = z.output<(typeof commands)[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<(typeof commands)[N]['output']>;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export type Handlers = {
  [N in CommandName]: (input: CommandArgs<N>) => CommandOutput<N> | Promise<CommandOutput<N>>;
};

/** A command's answer as it crosses a transport. */
export type CallResult<N extends CommandName = CommandName> =
  { ok: true; output: CommandOutput<N> } | { ok: false; error: ApiError };

export interface ApiError {
  code: 'unknown-command' | 'invalid-input' | 'failed';
  message: string;
  /** Per-field messages, keyed by the dotted path of the field, for forms to show next to it. */
  fields?: Record<string, string>;
}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commands, name);
}

/** The typed API as the renderer sees it, whatever the transport. */
export interface MarketMonitorApi {
  call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}
