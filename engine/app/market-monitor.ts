import { randomUUID } from 'node:crypto';
import { ZodError } from 'zod';
import { checkTlsCaFile } from '../bus/kafka/kafka-client.ts';
import fs from 'node:fs';
import type { Status, WatchItem } from '../api/contract.ts';
import { EventHub } from '../api/event-hub.ts';
import { UserError } from '../api/dispatch.ts';
import { busBehind, type TickBus } from '../bus/bus.ts';
import { BusSettingsSchema } from '../domain/bus-settings.ts';
import { createBus } from '../bus/create-bus.ts';
import { SettingsSchema, type Settings, type SettingsInput } from '../domain/settings.ts';
import { SymbolSchema } from '../domain/symbol.ts';
import type { Tick } from '../domain/tick.ts';
import type { Candle } from '../domain/candle.ts';
import { AlertEvaluator, type Firing } from '../alerts/alert-evaluator.ts';
import { AlertRuleInputSchema, type AlertRule, type AlertRuleInput } from '../alerts/alert-rule.ts';
import { AlertRepo } from '../store/alert-repo.ts';
import { AnomalyRepo } from '../store/anomaly-repo.ts';
import { AnomalyDetector, DEFAULT_ANOMALY_OPTIONS } from '../stream/anomalies/anomaly-detector.ts';
import { sessionOfCandle } from '../stream/indicators/index.ts';
import { MarketSimulator } from '../sources/simulator.ts';
import { ReplaySource } from '../sources/replay/replay-source.ts';
import type { TickSource } from '../sources/source.ts';
import { openDatabase, type SqliteDatabase } from '../store/database.ts';
import { MarketStore } from '../store/market-store.ts';
import { SettingsRepo } from '../store/settings-repo.ts';
import { CompanyRepo } from '../store/company-repo.ts';
import { syntheticCompany } from '../sources/synthetic-companies.ts';
import { WatchlistRepo } from '../store/watchlist-repo.ts';
import { TickProcessor } from '../stream/tick-processor.ts';
import type { ListenerFailure } from '../stream/contained-listeners.ts';
import { InfluxMirror, mirrorOffStatus } from '../sinks/influx/mirror.ts';
import { QuoteBoard } from './quote-board.ts';
import { startYahooFeed, type YahooFeed } from './yahoo-feed.ts';
import type { YahooClientFactory } from '../sources/yahoo/yahoo-client.ts';
import { searchSymbols, type SymbolMatch } from '../sources/yahoo/symbol-search.ts';
import { RateMeter } from '../base/rate-meter.ts';
import { RetentionJob } from './retention-job.ts';
import { Throttle } from '../base/throttle.ts';
import { SqlConsole } from '../sql/sql-console.ts';

/**
 * How often the watchlist (prices, day volume, sparklines) goes out while ticks stream in. It is read
 * by people, not drawn per frame: four times a second keeps it lively without a database read and a
 * table re-render for every committed batch.
 */
const WATCHLIST_EVERY_MS = 250;

export interface MarketMonitorOptions {
  /** SQLite file, or ':memory:'. */
  dbPath: string;
  /** Settings given on the command line: they win over stored ones for this run, and are not saved. */
  overrides?: SettingsInput;
  /** Symbols put on an empty watchlist, so a new user sees a market at once. */
  starterSymbols?: readonly string[];
  statusEveryMs?: number;
  /** yahoo-finance2 as built for the Yahoo source and search; tests inject one on recorded exchanges. */
  yahooClient?: YahooClientFactory;
  /** Where the engine writes trouble the user may not be looking at (the desktop's log file); stderr by default. */
  log?: (message: string) => void;
}

export const STARTER_SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN'];

/**
 * The composition root: builds store, bus, source and engine from settings and owns their life.
 * Every host (Electron main, headless server, CLI) drives the product through one of these.
 */
export class MarketMonitor {
  readonly events = new EventHub();
  readonly store: MarketStore;
  readonly watchlist: WatchlistRepo;
  readonly companies: CompanyRepo;
  readonly alerts: AlertRepo;
  readonly anomalies: AnomalyRepo;
  /** Rebuilt with the pipeline: it reads back what it needs from the store. */
  private anomalyDetector: AnomalyDetector | undefined;
  private readonly alertEvaluator = new AlertEvaluator();
  private alertRules: AlertRule[];
  private readonly settingsRepo: SettingsRepo;
  private settingsValue: Settings;
  private bus!: TickBus;
  private source!: TickSource;
  /** Set while the source is Yahoo: its live feed and the profile/history companion. */
  private yahoo: YahooFeed | undefined;
  private processor!: TickProcessor;
  /** The optional InfluxDB mirror, fed from committed batches only. */
  private mirror: InfluxMirror | undefined;
  private readonly quotes: QuoteBoard;
  private readonly rate = new RateMeter();
  private ticksPerSecond = 0;
  private statusTimer: NodeJS.Timeout | undefined;
  private readonly watchlistUpdates = new Throttle(WATCHLIST_EVERY_MS, () =>
    this.events.publish('watchlist', this.watchItems()),
  );
  /** Applies Settings > Storage: deletes ticks and dead letters past their retention. */
  readonly retention: RetentionJob;
  /** Pipeline rebuilds and close() run one after another, never interleaved. */
  private lifecycle: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** The user's pause outlives the pipeline: a settings save must not resume the source. */
  private paused = false;

  readonly db: SqliteDatabase;
  /** Read-only SQL over the store's file, each query in a process of its own. */
  readonly sql: SqlConsole;
  private readonly options: MarketMonitorOptions;

  private constructor(db: SqliteDatabase, options: MarketMonitorOptions) {
    this.db = db;
    this.options = options;
    this.store = new MarketStore(db);
    this.watchlist = new WatchlistRepo(db);
    this.companies = new CompanyRepo(db);
    this.companies.onSaved((profile) => this.bus?.publishCompany(profile));
    this.alerts = new AlertRepo(db);
    this.anomalies = new AnomalyRepo(db);
    this.alertRules = this.alerts.rules();
    this.quotes = new QuoteBoard(this.store);
    this.settingsRepo = new SettingsRepo(db);
    this.settingsValue = this.loadSettings();
    this.retention = new RetentionJob(db, () => this.settingsValue.storage);
    this.sql = new SqlConsole(options.dbPath);
  }

  static async open(options: MarketMonitorOptions): Promise<MarketMonitor> {
    const db = openDatabase(options.dbPath);
    const app = new MarketMonitor(db, options);
    if (app.watchlist.list().length === 0 && options.starterSymbols) {
      for (const symbol of options.starterSymbols) app.watchlist.add(symbol);
    }
    await app.startPipeline();
    app.retention.start();
    app.statusTimer = setInterval(() => app.events.publish('status', app.status()), options.statusEveryMs ?? 1_000);
    return app;
  }

  get settings(): Settings {
    return this.settingsValue;
  }

  watchItems(): WatchItem[] {
    return this.watchlist.list().map((entry) => {
      const quote = this.quotes.get(entry.symbol);
      return {
        ...entry,
        last: quote ? { price: quote.price, ts: quote.ts } : null,
        dayOpen: quote?.dayOpen ?? null,
        dayVolume: quote?.dayVolume ?? 0,
        spark: quote?.spark ?? [],
      };
    });
  }

  addSymbol(raw: string): WatchItem[] {
    const symbol = SymbolSchema.parse(raw);
    if (!this.watchlist.add(symbol)) throw new UserError(`${symbol} is already on the watchlist`);
    return this.watchlistChanged();
  }

  removeSymbol(raw: string): WatchItem[] {
    const symbol = SymbolSchema.parse(raw);
    if (!this.watchlist.remove(symbol)) throw new UserError(`${symbol} is not on the watchlist`);
    return this.watchlistChanged();
  }

  reorderWatchlist(symbols: readonly string[]): WatchItem[] {
    this.watchlist.reorder(symbols);
    return this.watchlistChanged();
  }

  addAlert(input: AlertRuleInput): AlertRule[] {
    const rule = AlertRuleInputSchema.parse(input);
    this.alerts.addRule(rule);
    this.alertRules = this.alerts.rules();
    return this.alertRules;
  }

  removeAlert(id: number): AlertRule[] {
    if (!this.alerts.removeRule(id)) throw new UserError(`There is no alert ${id}`);
    this.alertRules = this.alerts.rules();
    return this.alertRules;
  }

  private fireAlerts(ticks: readonly Tick[], candles: readonly Candle[]): void {
    if (this.alertRules.length === 0) return;
    this.recordFirings(this.alertEvaluator.evaluate(this.alertRules, ticks, candles));
  }

  private recordFirings(firings: readonly Firing[]): void {
    for (const firing of firings) {
      const event = this.alerts.record({
        ruleId: firing.rule.id,
        symbol: firing.rule.symbol,
        at: firing.at,
        value: firing.value,
        message: firing.message,
      });
      this.events.publish('alert', event);
    }
  }

  private findAnomalies(candles: readonly Candle[]): void {
    const options = DEFAULT_ANOMALY_OPTIONS;
    const { outOfOrdernessMs, allowedLatenessMs } = this.settingsValue.stream;
    this.anomalyDetector ??= new AnomalyDetector(
      options,
      sessionOfCandle(),
      outOfOrdernessMs + allowedLatenessMs,
      (symbol, before, count) => [
        ...this.store.candles({ symbol, interval: options.interval, to: before - 1, limit: count }),
        ...this.store.candles({ symbol, interval: options.interval, from: before, limit: 100_000 }),
      ],
    );
    const found = this.anomalies.record(this.anomalyDetector.onCommitted(candles));
    for (const anomaly of found) this.events.publish('anomaly', anomaly);
    if (found.length > 0) this.recordFirings(this.alertEvaluator.onAnomalies(this.alertRules, found));
  }

  setPaused(paused: boolean): Status {
    this.paused = paused;
    if (paused) this.source.pause();
    else this.source.resume();
    const status = this.status();
    this.events.publish('status', status);
    return status;
  }

  /** Validates and stores new settings, then rebuilds the pipeline around the same database. */
  async updateSettings(input: SettingsInput): Promise<Settings> {
    const next = SettingsSchema.parse(input);
    refuseUnusableFiles(next);
    // Two saves that overlap (or a close during a save) would otherwise both stop the same pipeline
    // and both start one, leaving a source, bus and mirror running that nothing stops.
    return this.oneAtATime(async () => {
      if (this.closed) throw new UserError('The app is closing: settings were not saved');
      this.settingsRepo.writeAll(next);
      await this.stopPipeline();
      this.settingsValue = this.loadSettings();
      await this.startPipeline();
      this.events.publish('notice', { level: 'info', message: 'Settings saved' });
      return this.settingsValue;
    });
  }

  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(work, work);
    this.lifecycle = run.catch(() => undefined);
    return run;
  }

  status(): Status {
    const counters = this.processor.counters;
    this.ticksPerSecond = this.rate.sample(counters.accepted);
    return {
      source: this.source.status(),
      bus: this.bus.health(),
      engine: {
        ticksPerSecond: Math.round(this.ticksPerSecond * 10) / 10,
        ...counters,
        openWindows: this.processor.openWindowCount(),
        listenerErrors: this.processor.listenerFailures(),
      },
      database: { path: this.options.dbPath, sizeBytes: databaseSize(this.options.dbPath) },
      mirror: this.mirror?.status() ?? mirrorOffStatus(),
    };
  }

  /** Waits until the bus has handed every published tick to the engine (tests, CLI replay, shutdown). */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // A Kafka bus learns end offsets from the cluster: ask it afresh, a little less often.
    const pollMs = this.bus.kind === 'kafka' ? 200 : 10;
    while (busBehind(await this.bus.refresh())) {
      if (Date.now() > deadline) throw new Error('The engine did not catch up with the bus in time');
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /**
   * The in-process log has one consumer, 'local'. On Kafka an empty group id means this
   * installation's own group: made up once and saved, so a restart resumes the same group.
   */
  private consumerGroup(settings: Settings): string {
    if (settings.bus.kind !== 'kafka') return 'local';
    if (settings.bus.kafka.groupId) return settings.bus.kafka.groupId;
    const groupId = `market-monitor-${randomUUID().slice(0, 8)}`;
    const stored = this.settingsRepo.readAll();
    const bus = BusSettingsSchema.safeParse(stored.bus ?? {});
    if (bus.success) this.settingsRepo.writeAll({ bus: { ...bus.data, kafka: { ...bus.data.kafka, groupId } } });
    this.settingsValue = { ...settings, bus: { ...settings.bus, kafka: { ...settings.bus.kafka, groupId } } };
    return groupId;
  }

  async close(): Promise<void> {
    clearInterval(this.statusTimer);
    return this.oneAtATime(async () => {
      if (this.closed) return;
      this.closed = true;
      this.sql.close();
      await this.retention.stop();
      await this.stopPipeline();
      this.watchlistUpdates.cancel();
      this.events.close();
      this.db.close();
    });
  }

  private loadSettings(): Settings {
    const stored = SettingsSchema.safeParse(this.settingsRepo.readAll());
    const base = stored.success ? stored.data : SettingsSchema.parse({});
    if (!stored.success) {
      // Kept in the database untouched; the defaults run until the user saves valid settings.
      queueMicrotask(() =>
        this.events.publish('notice', {
          level: 'warning',
          message: `Stored settings are invalid, using defaults: ${stored.error.issues[0]?.message}`,
        }),
      );
    }
    return this.options.overrides ? SettingsSchema.parse(deepMerge(base, this.options.overrides)) : base;
  }

  private async startPipeline(): Promise<void> {
    const settings = this.settingsValue;
    const groupId = this.consumerGroup(settings);
    this.bus = createBus(settings.bus, groupId);
    this.processor = new TickProcessor(this.store, {
      groupId,
      intervals: settings.stream.intervals,
      outOfOrdernessMs: settings.stream.outOfOrdernessMs,
      allowedLatenessMs: settings.stream.allowedLatenessMs,
      onListenerFailure: (failure) => this.reportListenerFailure(failure),
    });
    this.mirror = settings.influx.enabled ? new InfluxMirror({ settings: settings.influx, db: this.db }) : undefined;
    this.anomalyDetector = undefined;
    // One listener per sink, each contained: a mirror or alert that throws costs its own work only.
    const after = this.processor.onCommitted.bind(this.processor);
    after((batch) => this.mirror?.offer(batch.ticks, batch.candles), 'InfluxDB mirror');
    after((batch) => this.quotes.apply(batch.lastTicks, batch.candles), 'quote board');
    after((batch) => this.fireAlerts(batch.lastTicks, batch.candles), 'alerts');
    after((batch) => this.findAnomalies(batch.candles), 'anomalies');
    after((batch) => this.events.publish('candles', batch.candles), 'chart events');
    after((batch) => {
      if (batch.deadLetters.length > 0) this.bus.deadLetter(batch.deadLetters);
    }, 'dead-letter topic');
    after((batch) => {
      if (batch.accepted > 0) this.watchlistUpdates.request();
    }, 'watchlist events');
    await this.bus.subscribe(this.processor);
    this.source = this.createSource(settings);
    this.source.setSymbols(this.watchlist.symbols());
    this.ensureCompanyProfiles();
    this.source.start((ticks: Tick[]) => this.bus.publish(ticks));
    if (this.paused) this.source.pause();
  }

  /**
   * A post-commit listener threw: the batch is stored, the bus goes on. Said in the log the first
   * time and then at 10, 100, 1,000... failures (one that fails every batch must not flood it), and
   * to the user the first time; the status keeps the count and the last error.
   */
  private reportListenerFailure(failure: ListenerFailure): void {
    if (!/^10*$/.test(String(failure.count))) return;
    const times = failure.count === 1 ? 'failed' : `has failed ${failure.count} times`;
    const log = this.options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    log(`Post-commit listener "${failure.name}" ${times}: ${failure.lastMessage} (the batch is stored)`);
    if (failure.count === 1) {
      this.events.publish('notice', {
        level: 'warning',
        message: `${failure.name} failed after a batch was stored: ${failure.lastMessage}. Ticks keep flowing; Pipeline shows the count.`,
      });
    }
  }

  private async stopPipeline(): Promise<void> {
    await this.source?.stop();
    await this.yahoo?.history.stop();
    this.yahoo = undefined;
    await this.bus?.close();
    // After the bus: the last committed batches are in the mirror; what it cannot send now waits in SQLite.
    await this.mirror?.close();
    this.mirror = undefined;
  }

  private createSource(settings: Settings): TickSource {
    const { kind, simulator, replay } = settings.source;
    if (kind === 'yahoo') {
      this.yahoo = startYahooFeed({
        settings,
        dbPath: this.options.dbPath,
        db: this.db,
        companies: this.companies,
        lastTickTime: (symbol) => this.store.lastTickTime(symbol),
        client: this.options.yahooClient,
        notify: (notice) => this.events.publish('notice', notice),
        onStored: () => this.events.publish('watchlist', this.watchItems()),
        onBackfilled: (symbol, gapFrom, stitch) => this.mergeHistory(symbol, gapFrom, stitch),
      });
      return this.yahoo.source;
    }
    if (kind === 'replay') {
      return new ReplaySource({
        file: replay.file,
        speed: replay.speed,
        ...(replay.symbol ? { symbol: replay.symbol } : {}),
        ...(replay.columns ? { columns: replay.columns } : {}),
      });
    }
    return new MarketSimulator({
      seed: simulator.seed,
      ticksPerSecond: simulator.ticksPerSecond,
      sessions: simulator.sessions,
    });
  }

  /** The engine re-derived windows across the stitch: they reach the same places a batch's candles do. */
  private mergeHistory(symbol: string, gapFrom: number, stitch: number): void {
    const candles = this.processor.mergeHistory(symbol, gapFrom, stitch);
    if (candles.length === 0) return;
    this.mirror?.offer([], candles);
    this.quotes.apply([], candles);
    this.events.publish('candles', candles);
  }

  /**
   * Instruments matching a query, from Yahoo Finance, for the watchlist's add box. Only while Yahoo
   * is the source: the simulator takes any ticker, and it must not call the internet behind the user's back.
   */
  async searchSymbols(query: string): Promise<SymbolMatch[]> {
    return this.yahoo ? searchSymbols(this.yahoo.source.client, query) : [];
  }

  /** The Yahoo feed's profile/history work, while Yahoo is the source (tests wait on it). */
  get yahooHistory(): YahooFeed['history'] | undefined {
    return this.yahoo?.history;
  }

  /** The running source, for hosts that follow its progress (the CLI's replay). */
  get currentSource(): TickSource {
    return this.source;
  }

  /** The simulated market makes up a profile for each of its symbols, so every analysis has groups to show. */
  private ensureCompanyProfiles(): void {
    this.yahoo?.history.watch(this.watchlist.symbols());
    if (this.settingsValue.source.kind !== 'simulator') return;
    for (const symbol of this.watchlist.symbols()) {
      if (!this.companies.get(symbol))
        this.companies.upsert(syntheticCompany(this.settingsValue.source.simulator.seed, symbol));
    }
  }

  private watchlistChanged(): WatchItem[] {
    this.source.setSymbols(this.watchlist.symbols());
    this.ensureCompanyProfiles();
    const items = this.watchItems();
    this.events.publish('watchlist', items);
    return items;
  }
}

/** Settings that parse but name a file that cannot be used are refused at the field, before anything is saved. */
function refuseUnusableFiles(settings: Settings): void {
  const problem = settings.bus.kind === 'kafka' ? checkTlsCaFile(settings.bus.kafka) : undefined;
  if (problem) {
    throw new ZodError([
      { code: 'custom', path: ['bus', 'kafka', 'tlsCaFile'], message: problem, input: settings.bus.kafka.tlsCaFile },
    ]);
  }
}

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current &&
      typeof current === 'object' &&
      !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

/** The database file and its write-ahead log, as the user's disk sees them. */
function databaseSize(file: string): number {
  if (file === ':memory:') return 0;
  let total = 0;
  for (const suffix of ['', '-wal']) {
    try {
      total += fs.statSync(file + suffix).size;
    } catch {
      // No WAL file between checkpoints.
    }
  }
  return total;
}
