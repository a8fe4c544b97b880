import { sleep } from '../base/sleep.ts';
import { randomUUID } from 'node:crypto';
import { ZodError } from 'zod';
import { checkTlsCaFile } from '../bus/kafka/kafka-client.ts';
import fs from 'node:fs';
import type { ProviderView, Status, WatchItem } from '../api/contract.ts';
import { EventHub } from '../api/event-hub.ts';
import { UserError } from '../api/dispatch.ts';
import { busBehind, type TickBus } from '../bus/bus.ts';
import { BusSettingsSchema } from '../domain/bus-settings.ts';
import { createBus } from '../bus/create-bus.ts';
import { SettingsSchema, type Settings, type SettingsInput } from '../domain/settings.ts';
import type { FeedHealth } from '../domain/feed-health.ts';
import { SymbolSchema } from '../domain/symbol.ts';
import type { Tick } from '../domain/tick.ts';
import type { Candle } from '../domain/candle.ts';
import { AlertEvaluator, type Firing } from '../alerts/alert-evaluator.ts';
import {
  AlertRuleEditSchema,
  AlertRuleInputSchema,
  type AlertRule,
  type AlertRuleEdit,
  type AlertRuleInput,
} from '../domain/alert-rule.ts';
import { AlertRepo } from '../store/alert-repo.ts';
import { AnomalyRepo } from '../store/anomaly-repo.ts';
import { AnomalyDetector, DEFAULT_ANOMALY_OPTIONS } from '../stream/anomalies/anomaly-detector.ts';
import { sessionOfCandle } from '../stream/indicators/index.ts';
import type { TickSource } from '../sources/source.ts';
import { openDatabase, type SqliteDatabase } from '../store/database.ts';
import { MarketStore } from '../store/market-store.ts';
import { APP_WRITE_BEHIND, type WriteBehindPolicy } from '../store/candle-buffer.ts';
import { SettingsRepo } from '../store/settings-repo.ts';
import { CompanyRepo } from '../store/company-repo.ts';
import { DayCandleZones } from '../store/day-candle-zones.ts';
import type { ExchangeDays } from '../domain/exchange-day.ts';
import { ExchangeZones } from './exchange-zones.ts';
import { WatchlistRepo } from '../store/watchlist-repo.ts';
import { TickProcessor } from '../stream/tick-processor.ts';
import type { ListenerFailure } from '../stream/contained-listeners.ts';
import type { Sink } from '../sinks/sink.ts';
import { createSinks, sinkStatuses } from './sink-registry.ts';
import { startSource, type ProviderFeedConnections, type RunningSource } from './source-registry.ts';
import { EnvSecretStore } from './env-secrets.ts';
import { PROVIDERS, ProviderIdSchema, providerRefusal, type ProviderId } from '../domain/provider.ts';
import type { SecretStore } from '../domain/secrets.ts';
import { fanOutCommits } from './commit-fan-out.ts';
import { QuoteBoard } from './quote-board.ts';
import { YahooHistory } from '../sources/yahoo/yahoo-history.ts';
import type { YahooClientFactory } from '../sources/yahoo/yahoo-client.ts';
import type { YahooSource, YahooStreamSettings } from '../sources/yahoo/yahoo-source.ts';
import type { SymbolMatch } from '../domain/symbol-match.ts';
import { RateMeter } from '../base/rate-meter.ts';
import { RetentionJob } from './retention-job.ts';
import { Throttle } from '../base/throttle.ts';
import { rebuildPlan, type RebuildPlan } from './settings-impact.ts';
import { DatabaseInUseError, EngineLock, type EngineLockMode } from '../store/engine-lock.ts';
import { SqlConsole, type QueryProcessStarter } from '../sql/sql-console.ts';
import { JobRepo } from '../store/job-repo.ts';
import { JobScheduler } from '../jobs/job-scheduler.ts';
import { systemClock, type JobClock } from '../jobs/clock.ts';
import { runJob } from '../jobs/run-job.ts';
import type { JobResult } from '../jobs/job-result.ts';
import { PortfolioBook } from './portfolio-book.ts';
import { CandleViewer } from './candle-viewer.ts';

/**
 * How often the watchlist (prices, day volume, sparklines) goes out while ticks stream in. It is read
 * by people, not drawn per frame: four times a second keeps it lively without a database read and a
 * table re-render for every committed batch.
 */
const WATCHLIST_EVERY_MS = 250;

/** How long a source change waits for the bus to store what the old source sent, before the new one starts. */
const SOURCE_HANDOVER_MS = 5_000;

export interface MarketMonitorOptions {
  /** SQLite file, or ':memory:'. */
  dbPath: string;
  /** Settings given on the command line: they win over stored ones for this run, and are not saved. */
  overrides?: SettingsInput;
  /** Symbols put on the watchlist of a new database, once, so a new user sees a market at once. */
  starterSymbols?: readonly string[];
  statusEveryMs?: number;
  /** yahoo-finance2 as built for the Yahoo source and search; tests inject one on recorded exchanges. */
  yahooClient?: YahooClientFactory;
  /** Where the engine writes trouble the user may not be looking at (the desktop's log file); stderr by default. */
  log?: (message: string) => void;
  /** Yahoo's price stream connection; tests point it at a local server (see YahooFeedDeps.stream). */
  yahooStream?: Partial<YahooStreamSettings>;
  /** How the SQL console starts its query processes: `node -e` unless the host knows better (Electron). */
  sqlProcesses?: QueryProcessStarter;
  /** The real-time providers' sockets; tests point them at local servers. */
  providerFeeds?: ProviderFeedConnections;
  /** Where keyed providers' keys are kept: the OS keychain on the desktop, the environment by default. */
  secrets?: SecretStore;
  /** The scheduled jobs' clock and timers; tests move it on instead of waiting. */
  jobClock?: JobClock;
  /** When candles written behind their ticks are due (APP_WRITE_BEHIND unless a test says otherwise). */
  candleWriteBehind?: WriteBehindPolicy;
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
  private readonly dayZones: DayCandleZones;
  /** Each symbol's exchange time zone, rebuilt with the pipeline (the settings choose zones too). */
  private zones!: ExchangeZones;
  private requestDays!: ExchangeDays;
  /** The sources' day windows: made with the pipeline, so restarting a source alone adds none. */
  private sourceDays!: ExchangeDays;
  /** Rebuilt with the pipeline: it reads back what it needs from the store. */
  private anomalyDetector: AnomalyDetector | undefined;
  private readonly alertEvaluator = new AlertEvaluator();
  private alertRules: AlertRule[];
  private readonly settingsRepo: SettingsRepo;
  private settingsValue: Settings;
  private bus!: TickBus;
  /** The source of the settings' kind, with its capabilities (source-registry.ts). */
  private running!: RunningSource;
  private processor!: TickProcessor;
  /** In viewer mode, what reads the engines' candle topics into the store (the processor then idles). */
  private viewer: CandleViewer | undefined;
  /** The sinks the settings switch on (sink-registry.ts), fed from committed batches only. */
  private sinks: Sink[] = [];
  private readonly quotes: QuoteBoard;
  private readonly rate = new RateMeter();
  private ticksPerSecond = 0;
  private statusTimer: NodeJS.Timeout | undefined;
  private feedSignature = '';
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
  private readonly secrets: SecretStore;
  /** Read-only SQL over the store's file, each query in a process of its own. */
  readonly sql: SqlConsole;
  private readonly options: MarketMonitorOptions;
  /** This engine's claim on the database beside other engines (see EngineLock). */
  private engineLock!: EngineLock;
  /** Scheduled exports, backfills and database maintenance (engine/jobs). */
  readonly jobs: JobScheduler;
  /** Lots and positions valued with the latest quotes (the Portfolio view). */
  readonly portfolio: PortfolioBook;

  private constructor(db: SqliteDatabase, options: MarketMonitorOptions) {
    this.db = db;
    this.options = options;
    this.secrets = options.secrets ?? new EnvSecretStore();
    this.store = new MarketStore(db, {
      warn: (message) => {
        console.warn(`market-monitor: ${message}`);
        this.events.publish('notice', { level: 'warning', message });
      },
    });
    this.watchlist = new WatchlistRepo(db);
    this.companies = new CompanyRepo(db);
    this.companies.onSaved((profile) => this.bus?.publishCompany(profile));
    // A held symbol's currency may be known only once its profile comes: its FX rate is needed then.
    this.companies.onSaved((profile) => this.portfolio?.profileSaved(profile.symbol));
    this.alerts = new AlertRepo(db);
    this.anomalies = new AnomalyRepo(db);
    this.dayZones = new DayCandleZones(db);
    this.alertRules = this.alerts.rules();
    this.quotes = new QuoteBoard(this.store);
    this.portfolio = new PortfolioBook({
      db,
      latest: (symbol) => this.quotes.get(symbol) ?? undefined,
      track: (symbols) => this.watchSymbols(symbols),
    });
    this.settingsRepo = new SettingsRepo(db);
    this.settingsValue = this.loadSettings();
    this.retention = new RetentionJob(
      db,
      () => this.settingsValue.storage,
      undefined,
      (symbol) => this.zones.zoneOf(symbol),
    );
    this.sql = new SqlConsole(options.dbPath, options.sqlProcesses);
    this.jobs = new JobScheduler({
      repo: new JobRepo(db),
      clock: options.jobClock ?? systemClock,
      execute: (job, runFor) => {
        // An export reads the file itself: the candles waiting to be written go first.
        this.store.tryFlushCandles();
        return runJob(job, runFor, { db, backfill: () => this.backfillWatchlist() });
      },
      onChange: () => this.events.publish('jobs', this.jobs.views()),
    });
  }

  static async open(options: MarketMonitorOptions): Promise<MarketMonitor> {
    const db = openDatabase(options.dbPath);
    const app = new MarketMonitor(db, options);
    try {
      app.engineLock = new EngineLock(options.dbPath, engineLockMode(app.settingsValue));
    } catch (error) {
      db.close();
      throw error;
    }
    if (options.starterSymbols) app.watchlist.seedOnce(options.starterSymbols);
    await app.startPipeline();
    app.retention.start();
    // After the pipeline: a missed backfill needs the source's history, an export the stored data.
    app.jobs.start();
    // What a client loading the watchlist now sees: only changes from here on are events.
    app.feedSignature = app.feedsNow();
    app.statusTimer = setInterval(() => {
      app.events.publish('status', app.status());
      app.publishFeedChanges();
    }, options.statusEveryMs ?? 1_000);
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
        feed: this.feedOf(entry.symbol),
      };
    });
  }

  /** A source that knows more (Yahoo) says it; the simulator and replay are their own provider. */
  private feedOf(symbol: string): FeedHealth {
    const feed = this.running?.source.feedOf?.(symbol);
    if (feed) return feed;
    return {
      ...(this.running?.feed ?? { provider: 'Simulator', mode: 'simulated' }),
      receivedAt: null,
      stale: this.paused ? { reason: 'paused', detail: 'paused' } : null,
    };
  }

  /** Feed health changes without ticks (a stream gone down, a market closing): the watchlist hears of it too. */
  private publishFeedChanges(): void {
    const signature = this.feedsNow();
    if (signature === this.feedSignature) return;
    this.feedSignature = signature;
    this.events.publish('watchlist', this.watchItems());
  }

  private feedsNow(): string {
    return JSON.stringify(
      this.watchlist.symbols().map((symbol) => {
        const feed = this.feedOf(symbol);
        // Counting seconds ("retrying in 8 s") is no change worth an event of its own.
        return [symbol, feed.mode, feed.why?.replace(/\d+/g, '#'), feed.stale?.reason];
      }),
    );
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

  /**
   * Puts the symbols not on the watchlist yet at its end, as ordinary rows: positions' symbols and
   * the FX rates (EURUSD=X) that value them. The sources subscribe exactly the watchlist, so a row
   * there is what makes prices arrive from any source; a hidden list would need a second path
   * through every source, and a visible row also shows the rate's feed and how old it is. A user who
   * removes one sees the position say which price or rate is missing.
   */
  watchSymbols(symbols: readonly string[]): void {
    let added = false;
    for (const symbol of symbols) if (this.watchlist.add(SymbolSchema.parse(symbol))) added = true;
    if (added && this.running) this.watchlistChanged();
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

  editAlert(input: AlertRuleEdit): AlertRule[] {
    const { id, ...rule } = AlertRuleEditSchema.parse(input);
    if (!this.alerts.updateRule(id, rule)) throw new UserError(`There is no alert ${id}`);
    return this.alertRulesChanged(id);
  }

  /** The rule keeps its cooldown and crossing state: switching it off and on is no way round its quiet time. */
  setAlertEnabled(id: number, enabled: boolean): AlertRule[] {
    if (!this.alerts.setEnabled(id, enabled)) throw new UserError(`There is no alert ${id}`);
    this.alertRules = this.alerts.rules();
    return this.alertRules;
  }

  removeAlert(id: number): AlertRule[] {
    if (!this.alerts.removeRule(id)) throw new UserError(`There is no alert ${id}`);
    return this.alertRulesChanged(id);
  }

  /** A rule edited or removed: what the evaluator remembered of it no longer applies. */
  private alertRulesChanged(id: number): AlertRule[] {
    this.alertEvaluator.forget(id);
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
      sessionOfCandle(this.zones.dayWindows()),
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
    // A viewer's source never runs: there is nothing to pause.
    if (!this.viewer) {
      if (paused) this.running.source.pause();
      else this.running.source.resume();
    }
    const status = this.status();
    this.events.publish('status', status);
    return status;
  }

  /**
   * Validates and stores new settings, then rebuilds only the parts of the pipeline whose settings
   * changed (`rebuildPlan`): a theme or retention change leaves source, bus and engine running.
   */
  async updateSettings(input: SettingsInput): Promise<Settings> {
    const next = SettingsSchema.parse(input);
    refuseUnusableFiles(next);
    // Two saves that overlap (or a close during a save) would otherwise both stop the same pipeline
    // and both start one, leaving a source, bus and mirror running that nothing stops.
    return this.oneAtATime(async () => {
      if (this.closed) throw new UserError('The app is closing: settings were not saved');
      this.claimDatabaseFor(next);
      this.settingsRepo.writeAll(next);
      const before = this.settingsValue;
      this.settingsValue = this.loadSettings();
      await this.rebuild(rebuildPlan(before, this.settingsValue));
      this.events.publish('notice', { level: 'info', message: 'Settings saved' });
      return this.settingsValue;
    });
  }

  /** Leaving Kafka for the in-process log needs the database to itself: refused while another engine shares it. */
  private claimDatabaseFor(next: Settings): void {
    const effective = this.options.overrides ? SettingsSchema.parse(deepMerge(next, this.options.overrides)) : next;
    const mode = engineLockMode(effective);
    // Before another engine may join: from here on every commit writes its candles (and the
    // candles waiting now are written), so its commits never move the mark past ours.
    if (mode === 'shared') this.store.writeCandlesBehind(undefined);
    try {
      this.engineLock.switchTo(mode);
    } catch (error) {
      if (error instanceof DatabaseInUseError) throw new UserError(`Settings were not saved: ${error.message}`);
      throw error;
    }
  }

  private async rebuild(plan: RebuildPlan): Promise<void> {
    if (plan.core) {
      await this.stopPipeline();
      await this.startPipeline();
    } else if (plan.source) {
      await this.stopSource();
      // What the old source published is stored before the new one reads where each symbol stands.
      await this.drain(SOURCE_HANDOVER_MS).catch(() => undefined);
      this.startSource();
    }
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
      mode: this.viewer ? 'viewer' : 'engine',
      ...(this.viewer ? { viewer: this.viewer.health() } : {}),
      source: this.running.source.status(),
      bus: this.bus.health(),
      engine: {
        ticksPerSecond: Math.round(this.ticksPerSecond * 10) / 10,
        ...counters,
        openWindows: this.processor.openWindowCount(),
        listenerErrors: this.processor.listenerFailures(),
      },
      database: { path: this.options.dbPath, sizeBytes: databaseSize(this.options.dbPath) },
      sinks: sinkStatuses(this.sinks),
    };
  }

  /**
   * Waits until the bus has handed every published tick to the engine and their candles are
   * written, not only waiting behind the ticks (tests, CLI replay, shutdown).
   */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const viewer = this.viewer;
    if (viewer) {
      // A viewer has no ticks to take: it is caught up when it has stored what the candle topics hold.
      for (;;) {
        await viewer.refresh();
        const health = viewer.health();
        if (health.connected && health.lag === 0) return;
        if (Date.now() > deadline) throw new Error('The viewer did not catch up with the candle topics in time');
        await sleep(200);
      }
    }
    // A Kafka bus learns end offsets from the cluster: ask it afresh, a little less often.
    const pollMs = this.bus.kind === 'kafka' ? 200 : 10;
    while (busBehind(await this.bus.refresh())) {
      if (Date.now() > deadline) throw new Error('The engine did not catch up with the bus in time');
      await sleep(pollMs);
    }
    this.store.flushCandles();
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
      // The source's history work stops first: a backfill job waiting on it (for a stitch point
      // while Yahoo is unreachable) would otherwise hold the close below for good.
      await this.running?.companion?.stop();
      // A run under way finishes first (an export half written is worse than a slower close).
      await this.jobs.stop();
      await this.retention.stop();
      await this.stopPipeline();
      this.watchlistUpdates.cancel();
      this.events.close();
      // Written before the lock goes: an engine starting then must find every candle in the file.
      this.store.close();
      this.engineLock.release();
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
    this.bus = createBus(settings.bus, groupId, settings.stream.intervals);
    const bus = this.bus;
    this.zones = new ExchangeZones({
      companies: this.companies,
      dayZones: this.dayZones,
      chosen: (symbol) => chosenTimeZone(settings, symbol),
    });
    this.requestDays = this.zones.dayWindows();
    this.sourceDays = this.zones.dayWindows();
    this.processor = new TickProcessor(this.store, {
      groupId,
      intervals: settings.stream.intervals,
      outOfOrdernessMs: settings.stream.outOfOrdernessMs,
      allowedLatenessMs: settings.stream.allowedLatenessMs,
      onListenerFailure: (failure) => this.reportListenerFailure(failure),
      futureSkewMs: settings.stream.futureSkewMs,
      warn: (message) => {
        console.warn(`market-monitor: ${message}`);
        this.events.publish('notice', { level: 'warning', message });
      },
      days: this.zones.dayWindows(),
      // Scale-out: the candle versions reach the candle topics before the batch is committed.
      ...(bus.publishesCandles && bus.publishCandles
        ? { beforeCommit: (candles: readonly Candle[]) => bus.publishCandles!(candles) }
        : {}),
    });
    this.store.writeCandlesBehind(candleWritePolicy(settings, this.options.candleWriteBehind));
    this.recoverCandles();
    this.sinks = createSinks({ settings, db: this.db });
    // Before the first tick: day candles stored in a zone the rule no longer gives are cut again
    // (after the sinks exist, so they are offered them too).
    for (const symbol of new Set([...this.dayZones.symbols(), ...this.watchlist.symbols()]))
      this.timeZoneMayHaveChanged(symbol);
    this.anomalyDetector = undefined;
    fanOutCommits(this.processor, {
      sinks: this.sinks,
      quotes: this.quotes,
      fireAlerts: (ticks, candles) => this.fireAlerts(ticks, candles),
      findAnomalies: (candles) => this.findAnomalies(candles),
      events: this.events,
      bus: this.bus,
      watchlistChanged: () => this.watchlistUpdates.request(),
    });
    if (settings.bus.mode === 'viewer') {
      this.startViewer(settings);
      this.startSource();
      return;
    }
    await this.bus.subscribe(this.processor);
    this.startSource();
  }

  /**
   * Viewer mode: no tick is aggregated here. The candles the engines publish are merged into the
   * store and reach the charts, the quote board and the watchlist as a committed batch's do.
   */
  private startViewer(settings: Settings): void {
    this.viewer = new CandleViewer({
      settings: settings.bus.kafka,
      intervals: settings.stream.intervals,
      store: this.store,
      onCandles: (candles) => {
        this.quotes.apply([], candles);
        this.events.publish('candles', candles);
        this.watchlistUpdates.request();
      },
    });
    this.viewer.start();
  }

  private startSource(): void {
    this.running = startSource({
      settings: this.settingsValue,
      dbPath: this.options.dbPath,
      db: this.db,
      store: this.store,
      companies: this.companies,
      days: this.sourceDays,
      yahooClient: this.options.yahooClient,
      yahooStream: this.options.yahooStream,
      providerFeeds: this.options.providerFeeds,
      providerOf: (symbol) => this.watchlist.providers().get(symbol),
      secrets: this.secrets,
      onFeedChange: () => this.publishFeedChanges(),
      notify: (notice) => this.events.publish('notice', notice),
      onStored: () => this.events.publish('watchlist', this.watchItems()),
      onBackfilled: (symbol, gapFrom, stitch) => this.mergeHistory(symbol, gapFrom, stitch),
      onTimeZone: (symbol, timeZone) => this.timeZoneReported(symbol, timeZone),
    });
    const { source, beforePublish } = this.running;
    source.setSymbols(this.watchlist.symbols());
    // A viewer computes nothing and produces nothing: its source is never started.
    if (this.viewer) return;
    this.running.companion?.watch(this.watchlist.symbols());
    source.start((ticks: Tick[]) => {
      beforePublish?.(ticks);
      return this.bus.publish(ticks);
    });
    if (this.paused) source.pause();
  }

  /**
   * The candles brought up to the ticks a crash left out of them, before any tick comes. If that
   * fails (a full disk), the engine tries again before its first batch, which waits for it.
   */
  private recoverCandles(): void {
    const log = this.options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    try {
      const recovered = this.processor.recoverCandles();
      if (recovered.length > 0)
        log(`market-monitor: ${recovered.length} candles brought up to the ticks stored before the engine stopped`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log(
        `market-monitor: bringing the candles up to the stored ticks failed (${reason}); tried again with the first batch`,
      );
    }
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

  private async stopSource(): Promise<void> {
    await this.running?.source.stop();
    await this.running?.companion?.stop();
  }

  private async stopPipeline(): Promise<void> {
    await this.stopSource();
    await this.viewer?.close();
    this.viewer = undefined;
    await this.bus?.close();
    // After the bus: the last committed batches are in the sinks; what they cannot send now waits in SQLite.
    await Promise.all(this.sinks.map((sink) => sink.close()));
    this.sinks = [];
  }

  /** The exchange time zone the symbol's day candles start in. */
  timeZoneOf(symbol: string): string {
    return this.zones.zoneOf(symbol);
  }

  /** The exchange day windows of the symbols, for requests (indicators over stored candles). */
  get exchangeDays(): ExchangeDays {
    return this.requestDays;
  }

  /** The feed told a symbol's exchange time zone (before its ticks): kept with its profile. */
  private timeZoneReported(symbol: string, timeZone: string): void {
    if (this.companies.setExchangeTimeZone(symbol, timeZone)) this.timeZoneMayHaveChanged(symbol);
  }

  /** Day candles cut in a zone the rule no longer gives are cut again, in SQLite and among the open windows. */
  private timeZoneMayHaveChanged(symbol: string): void {
    // The re-cut reads the stored candles through a store of its own.
    this.store.flushCandles();
    const days = this.zones.reconcile(symbol);
    if (!days) return;
    this.processor.replaceDays(symbol, days);
    // A symbol without day candles yet (its zone told before its first trade) has nothing to say.
    if (days.length === 0) return;
    this.offerToSinks(days);
    this.events.publish('notice', {
      level: 'info',
      message: `Daily candles of ${symbol} now start at midnight ${this.zones.zoneOf(symbol)}`,
    });
  }

  /** The engine re-derived windows across the stitch: they reach the same places a batch's candles do. */
  private mergeHistory(symbol: string, gapFrom: number, stitch: number): void {
    const candles = this.processor.mergeHistory(symbol, gapFrom, stitch);
    if (candles.length === 0) return;
    this.offerToSinks(candles);
    this.quotes.apply([], candles);
    this.events.publish('candles', candles);
  }

  /** Candles changed outside a batch (a re-cut, a stitch merge) reach the sinks as a batch's do. */
  private offerToSinks(candles: readonly Candle[]): void {
    for (const sink of this.sinks) sink.offer([], candles);
  }

  /** Instruments matching a query, for the watchlist's add box, from a source that can search (Yahoo). */
  async searchSymbols(query: string): Promise<SymbolMatch[]> {
    return (await this.running.search?.(query)) ?? [];
  }

  /** The Yahoo feed's profile/history work, while Yahoo is the source (tests wait on it). */
  get yahooHistory(): YahooHistory | undefined {
    const companion = this.running?.companion;
    return companion instanceof YahooHistory ? companion : undefined;
  }

  /** The Yahoo source while it is the live source (tests drive its polls). */
  get yahooSource(): YahooSource | undefined {
    return this.running?.routed?.live;
  }

  /** The real-time providers, and whether each has the key it needs (never the key). */
  providers(): ProviderView[] {
    return ProviderIdSchema.options.map((id) => ({
      ...PROVIDERS[id],
      key: PROVIDERS[id].needsKey ? this.secrets.status(id) : null,
    }));
  }

  /** Keeps (or with null forgets) a provider's key, and reconnects its feed with it. */
  setProviderKey(provider: ProviderId, key: string | null): ProviderView[] {
    if (!PROVIDERS[provider].needsKey) throw new UserError(`${PROVIDERS[provider].name} needs no key`);
    this.secrets.set(provider, key);
    this.running.routed?.keyChanged(provider);
    this.publishFeedChanges();
    return this.providers();
  }

  /** Routes a watched symbol's prices to a provider, or (null) back to the live source's own feed. */
  setProvider(raw: string, provider: ProviderId | null): WatchItem[] {
    const symbol = SymbolSchema.parse(raw);
    const refusal = provider ? providerRefusal(provider, symbol) : undefined;
    if (refusal) throw new UserError(refusal);
    if (!this.watchlist.setProvider(symbol, provider)) throw new UserError(`${symbol} is not on the watchlist`);
    return this.watchlistChanged();
  }

  /** A backfill job: the watchlist's history from the running source, if it keeps history (Yahoo). */
  private async backfillWatchlist(): Promise<JobResult> {
    const history = this.yahooHistory;
    if (!history) {
      const provider = this.running.feed.provider;
      return {
        outcome: 'skipped',
        message: `Backfill needs the Yahoo Finance source; the source is ${provider} (Settings > Source)`,
        files: [],
      };
    }
    const { symbols, failures } = await history.backfillAgain();
    if (symbols.length === 0) return { outcome: 'skipped', message: 'The watchlist is empty', files: [] };
    const what = `${symbols.length} symbol${symbols.length === 1 ? '' : 's'}`;
    if (failures.length > 0) return { outcome: 'failed', message: `${what}: ${failures.join('; ')}`, files: [] };
    return { outcome: 'ok', message: `History of ${what} (${symbols.join(', ')}) up to date`, files: [] };
  }

  /** The running source, for hosts that follow its progress (the CLI's replay). */
  get currentSource(): TickSource {
    return this.running.source;
  }

  private watchlistChanged(): WatchItem[] {
    this.running.source.setSymbols(this.watchlist.symbols());
    this.running.companion?.watch(this.watchlist.symbols());
    const items = this.watchItems();
    this.events.publish('watchlist', items);
    return items;
  }
}

/**
 * Candles behind their ticks only where this engine has the file to itself: the candle mark is one
 * for the file, and engines sharing it on Kafka would move it past each other's waiting candles.
 */
export function candleWritePolicy(
  settings: Settings,
  policy: WriteBehindPolicy = APP_WRITE_BEHIND,
): WriteBehindPolicy | undefined {
  return engineLockMode(settings) === 'exclusive' ? policy : undefined;
}

function engineLockMode(settings: Settings): EngineLockMode {
  return settings.bus.kind === 'kafka' ? 'shared' : 'exclusive';
}

/** The user's zone for a symbol (Settings > Stream): it overrides what the feed or the suffix says. */
function chosenTimeZone(settings: Settings, symbol: string): string | undefined {
  // Symbols are stored upper-case; the setting may spell one as the user typed it.
  return Object.entries(settings.stream.timeZones).find(([key]) => key.trim().toUpperCase() === symbol)?.[1];
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
