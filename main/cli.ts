import { monitorEventLoopDelay } from 'node:perf_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { MarketMonitor, STARTER_SYMBOLS } from '../engine/app/market-monitor.ts';
import { AnalysisParamsSchema } from '../engine/analyses/analysis.ts';
import { ANALYSIS_NAMES } from '../engine/analyses/market-analyses.ts';
import { BusSettingsSchema } from '../engine/domain/bus-settings.ts';
import { TimeZoneSchema } from '../engine/domain/exchange-time-zone.ts';
import { ReplaySettingsSchema, type SettingsInput } from '../engine/domain/settings.ts';
import { exportAnalysis, exportAnalysisParquet } from '../engine/export/export-analysis.ts';
import { SQL_DEFAULT_ROW_LIMIT, SQL_DEFAULT_TIME_LIMIT_MS, SQL_MAX_ROW_LIMIT } from '../engine/domain/sql-limits.ts';
import { SqlConsole } from '../engine/sql/sql-console.ts';
import { sqlResultCsv } from '../engine/sql/sql-csv.ts';
import { openDatabase } from '../engine/store/database.ts';
import type { ReplaySource } from '../engine/sources/replay/replay-source.ts';
import { startEngineWorker } from './engine-thread/engine-worker.ts';
import { startHeadlessHost } from './headless/server.ts';
import { defaultDbPath, rendererDir } from './paths.ts';

const USAGE = `Usage: market-monitor <command> [options]

Commands:
  serve     Run the engine and serve the app to a browser (headless host)
  replay    Push a CSV file through the pipeline into the database, then exit
  export    Write an analysis of the database to a CSV or Parquet file
  sql       Run one read-only SQL query over the database

Options for serve:
  --port N        Port to listen on (default 5178; 0 picks a free one)
  --host ADDR     Address to bind (default 127.0.0.1; any other needs --token)
  --token T       Secret a browser must pass as ?token=
  --db PATH       SQLite database (default ${defaultDbPath()})
  --source KIND   Tick source: simulator (default) or yahoo (live Yahoo Finance quotes)
  --rate N        Simulator ticks per second (1-100000)
  --seed N        Simulator seed
  --kafka BROKERS Carry ticks through Apache Kafka (host:port[,host:port...])
  --group NAME    Kafka consumer group (default: this database's own); engines
                  sharing a database and a group split the partitions
  --topic NAME    Kafka topic of the ticks (default market.ticks)
  --publish-candles  Scale-out engine: publish the candles it computes to the compacted
                  topics market.candles.<interval> (needs --kafka)
  --mode MODE     engine (default) or viewer: a viewer computes no candles, it stores
                  and shows those engines publish (needs --kafka)
  --engine-in-host  Run the engine on the thread that serves the page (by default it has
                  a thread of its own)

replay FILE [options]:
  FILE            Ticks (symbol,timestamp,price,volume[,side]) or yfinance bars
                  (Datetime,Open,High,Low,Close,Adj Close,Volume)
  --db PATH       SQLite database to fill
  --speed S       max (default) or N times the recorded pace
  --symbol S      The symbol of a bar file
  --timezone TZ   The exchange time zone of the file's symbols (IANA, e.g. Europe/London):
                  day candles start at its midnight (default: by suffix, .L London, .T Tokyo,
                  -USD and =X UTC, ...; else New York)
  --columns MAP   Other column names, e.g. timestamp=Time,symbol=Ticker,price=Last,volume=Qty
                  (fields: symbol, timestamp, price, volume, side)
  --max-bad-rows N  Stop after more than N unreadable or invalid rows (default 1000)
  --future-skew MS  How far ahead of this computer's clock an event time may be
                  (default 600000, 10 minutes); later ticks are dead-lettered
  --kafka, --group, --topic   as for serve

export ANALYSIS [options]:
  ANALYSIS        ${ANALYSIS_NAMES.join(', ')}
                  (positions: the Portfolio view's lots valued at the newest stored prices
                  and FX rates, in its base currency)
  --db PATH       SQLite database to read
  --symbol S      Only this symbol
  --interval I    Candle interval: 1s, 1m, 5m, 15m, 1h, 1d (default 1d)
  --from T        From this time (ISO-8601 or epoch ms); a date alone (2024-05-01)
                  from that exchange day's midnight in each symbol's time zone
  --to T          Up to this time; a date alone includes that whole exchange day
  --format F      csv (default) or parquet
  --out FILE      The file to write (- for standard output, CSV only)

sql QUERY [options]:
  QUERY           One statement that reads: SELECT, WITH, EXPLAIN or a PRAGMA that reports
  --db PATH       SQLite database to read (opened read-only)
  --format F      csv (default) or json (an array of objects)
  --limit N       At most N rows (default ${SQL_DEFAULT_ROW_LIMIT}, up to ${SQL_MAX_ROW_LIMIT})
  --timeout S     Stop the query after S seconds (default ${SQL_DEFAULT_TIME_LIMIT_MS / 1_000})
`;

class CliError extends Error {}

const HINT = 'Run "market-monitor --help" for the commands and their options.';

/** An error as one line: a settings schema's refusal lists its fields, not its JSON. */
function oneLine(error: unknown): string {
  if (error instanceof z.ZodError)
    return error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ');
  return error instanceof Error ? error.message : String(error);
}

/**
 * `export --out - | head` closes the pipe early: that is the reader saying it has enough, not an
 * error worth a stack trace.
 */
function ignoreClosedOutput(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

export async function main(argv: string[]): Promise<number> {
  ignoreClosedOutput();
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  try {
    if (command === 'serve') return await serve(rest);
    if (command === 'replay') return await replay(rest);
    if (command === 'export') return exportCommand(rest);
    if (command === 'sql') return await sqlCommand(rest);
    throw new CliError(`Unknown command "${command}".`);
  } catch (error) {
    if (error instanceof CliError || error instanceof TypeError) {
      process.stderr.write(`market-monitor: ${error.message}\n${HINT}\n`);
      return 2;
    }
    process.stderr.write(`market-monitor: ${oneLine(error)}\n`);
    return 1;
  }
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '5178' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      db: { type: 'string' },
      source: { type: 'string', default: 'simulator' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      mode: { type: 'string', default: 'engine' },
      'publish-candles': { type: 'boolean', default: false },
      'engine-in-host': { type: 'boolean', default: false },
      ...BUS_OPTIONS,
    },
    strict: true,
  });
  const port = toInteger(values.port, '--port', 0, 65_535);
  if (values.mode !== 'engine' && values.mode !== 'viewer')
    throw new CliError(`Unknown mode "${values.mode}": use engine or viewer.`);
  if ((values.mode === 'viewer' || values['publish-candles']) && !values.kafka)
    throw new CliError(`${values.mode === 'viewer' ? '--mode viewer' : '--publish-candles'} needs --kafka BROKERS.`);
  if (values.mode === 'viewer' && values['publish-candles'])
    throw new CliError('A viewer publishes no candles: --publish-candles is for engines.');
  const bus = busOverrides(values).bus;
  if (values.source !== 'simulator' && values.source !== 'yahoo')
    throw new CliError(`Unknown source "${values.source}": use simulator or yahoo.`);
  const overrides: SettingsInput = {
    source: {
      kind: values.source,
      simulator: {
        ...(values.rate ? { ticksPerSecond: toInteger(values.rate, '--rate', 1, 100_000) } : {}),
        ...(values.seed ? { seed: toInteger(values.seed, '--seed', -(2 ** 31), 2 ** 31 - 1) } : {}),
      },
    },
    ...(bus
      ? {
          bus: {
            ...bus,
            mode: values.mode,
            kafka: { ...bus.kafka, ...(values['publish-candles'] ? { publishCandles: true } : {}) },
          },
        }
      : {}),
  };
  const dbPath = values.db ?? defaultDbPath();
  // The engine in a thread of its own, so a long SQLite commit never holds up a WebSocket answer;
  // --engine-in-host keeps everything on one thread (for a profile of the whole app, say).
  const options = { dbPath, overrides, starterSymbols: STARTER_SYMBOLS };
  const app = values['engine-in-host'] ? await MarketMonitor.open(options) : await startEngineWorker(options);
  const host = await startHeadlessHost({
    app,
    port,
    host: values.host,
    staticDir: rendererDir(),
    ...(values.token ? { token: values.token } : {}),
  }).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  const stopLoopLog = logHostLoop(process.env.MARKET_MONITOR_HOST_LOOP_LOG);
  const role = values.mode === 'viewer' ? ' (viewer: showing the candles engines publish on Kafka)' : '';
  process.stdout.write(`Market Monitor is serving ${host.url}${role}\nDatabase: ${dbPath}\nPress Ctrl+C to stop.\n`);
  const stopped = new Promise<null>((resolve) => {
    process.once('SIGINT', () => resolve(null));
    process.once('SIGTERM', () => resolve(null));
  });
  const died = await Promise.race([stopped, 'died' in app ? app.died : new Promise<never>(() => {})]);
  stopLoopLog();
  await host.close();
  if (died) {
    process.stderr.write(`The engine stopped: ${died.message}\n`);
    return 1;
  }
  await app.close();
  return 0;
}

/**
 * For the benchmarks: once a second, the longest the host thread's event loop was held up in that
 * second, appended to `file` as "epoch-ms max-ms" (nothing when no file is named).
 */
function logHostLoop(file: string | undefined): () => void {
  if (!file) return () => {};
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const timer = setInterval(() => {
    fs.appendFileSync(file, `${Date.now()} ${(delay.max / 1e6).toFixed(1)}\n`);
    delay.reset();
  }, 1_000);
  return () => {
    clearInterval(timer);
    delay.disable();
  };
}

async function replay(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      db: { type: 'string' },
      speed: { type: 'string', default: 'max' },
      symbol: { type: 'string' },
      timezone: { type: 'string' },
      columns: { type: 'string' },
      'max-bad-rows': { type: 'string' },
      'future-skew': { type: 'string' },
      ...BUS_OPTIONS,
    },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new CliError('replay takes one CSV file.');
  if (!fs.existsSync(file)) throw new CliError(`No such file: ${file}`);
  if (!fs.statSync(file).isFile()) throw new CliError(`${file} is not a file: give the CSV file to replay.`);
  const speed = values.speed === 'max' ? 'max' : Number(values.speed);
  if (!ReplaySettingsSchema.shape.speed.safeParse(speed).success)
    throw new CliError(`--speed must be "max" or a number above 0 and up to 1000000, not "${values.speed}".`);
  const maxBadRows = values['max-bad-rows'];
  const futureSkew = values['future-skew'];
  const startedAt = Date.now();
  if (values.timezone !== undefined && !TimeZoneSchema.safeParse(values.timezone).success)
    throw new CliError(`--timezone: "${values.timezone}" is not a time zone; use an IANA name such as Europe/London.`);
  const dbPath = values.db ?? defaultDbPath();
  const app = await MarketMonitor.open({
    dbPath,
    overrides: {
      source: {
        kind: 'replay',
        replay: {
          file: path.resolve(file),
          speed,
          ...(values.symbol ? { symbol: values.symbol } : {}),
          ...(values.timezone ? { timeZone: values.timezone } : {}),
          ...(values.columns ? { columns: parseColumns(values.columns) } : {}),
          ...(maxBadRows ? { maxBadRows: toInteger(maxBadRows, '--max-bad-rows', 0, 1e9) } : {}),
        },
      },
      ...(futureSkew ? { stream: { futureSkewMs: toInteger(futureSkew, '--future-skew', 0, 3e12) } } : {}),
      ...busOverrides(values),
    },
  });
  const stopReporting = reportBusTrouble(app);
  try {
    const source = app.currentSource as ReplaySource;
    await source.done;
    await app.drain(600_000);
    const status = app.status();
    reportSkipped(source, app, startedAt);
    if (status.source.state === 'error') throw new Error(status.source.message);
    const { accepted, late, invalid } = status.engine;
    process.stdout.write(
      `${status.source.message}\nEngine: ${accepted} ticks accepted, ${late} too late, ${invalid} invalid. Database: ${dbPath}\n`,
    );
    return 0;
  } finally {
    stopReporting();
    await app.close();
  }
}

/** Why rows were skipped (the source's reasons) and why ticks were refused (the engine's dead letters). */
function reportSkipped(source: ReplaySource, app: MarketMonitor, since: number): void {
  const { errors, bad } = source.progress;
  for (const error of errors) process.stderr.write(`skipped ${error}\n`);
  if (bad > errors.length) process.stderr.write(`skipped ${bad - errors.length} more bad rows\n`);
  const refused = app.store.recentDeadLetters(MAX_DEAD_LETTERS_SHOWN).filter((d) => d.at >= since);
  for (const letter of refused.reverse())
    process.stderr.write(`refused ${letter.payload.slice(0, 160)}: ${letter.reason}\n`);
  const { late, invalid } = app.status().engine;
  if (late + invalid > refused.length)
    process.stderr.write(`refused ${late + invalid - refused.length} more ticks (see the dead_letters table)\n`);
}

const MAX_DEAD_LETTERS_SHOWN = 20;

/** --columns timestamp=Time,symbol=Ticker: our field = the file's column, checked by the settings schema. */
function parseColumns(text: string): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const [field, column] = pair.split('=').map((p) => p.trim());
    if (!field || !column) throw new CliError(`--columns takes field=column pairs, not "${pair}".`);
    mapping[field.toLowerCase()] = column;
  }
  const checked = ReplaySettingsSchema.shape.columns.safeParse(mapping);
  if (!checked.success) {
    throw new CliError(
      `--columns: ${checked.error.issues.map((i) => i.message).join('; ')} (fields: symbol, timestamp, price, volume, side)`,
    );
  }
  return mapping;
}

/** A replay into an unreachable Kafka waits for it: say so, rather than sit silent. */
function reportBusTrouble(app: MarketMonitor): () => void {
  let last = '';
  const timer = setInterval(() => {
    const error = app.status().bus.error ?? '';
    if (error && error !== last) process.stderr.write(`waiting for the bus: ${error}\n`);
    last = error;
  }, 2_000);
  return () => clearInterval(timer);
}

function exportCommand(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    options: {
      db: { type: 'string' },
      symbol: { type: 'string' },
      interval: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      out: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new CliError('export takes one analysis name.');
  if (!ANALYSIS_NAMES.includes(name))
    throw new CliError(`Unknown analysis "${name}". Known: ${ANALYSIS_NAMES.join(', ')}.`);
  if (values.format !== 'csv' && values.format !== 'parquet')
    throw new CliError(`Unknown --format "${values.format}": use csv or parquet.`);
  if (!values.out) throw new CliError('Say where to write the CSV with --out FILE (or --out - for standard output).');
  if (values.format === 'parquet' && values.out === '-')
    throw new CliError('Parquet is binary: give --out FILE.parquet rather than standard output.');
  const dbPath = values.db ?? defaultDbPath();
  if (!fs.existsSync(dbPath)) throw new CliError(`No database at ${dbPath}.`);
  const params = AnalysisParamsSchema.safeParse({
    ...(values.symbol ? { symbol: values.symbol } : {}),
    ...(values.interval ? { interval: values.interval } : {}),
    ...(values.from ? { from: asTime(values.from) } : {}),
    ...(values.to ? { to: asTime(values.to) } : {}),
  });
  if (!params.success) {
    throw new CliError(params.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const db = openDatabase(dbPath);
  try {
    if (values.format === 'parquet') {
      const { bytes, rows } = exportAnalysisParquet(db, name, params.data);
      fs.writeFileSync(values.out, bytes);
      process.stdout.write(`Wrote ${rows} rows of ${name} to ${values.out}\n`);
      return 0;
    }
    const { csv, rows } = exportAnalysis(db, name, params.data);
    if (values.out === '-') process.stdout.write(csv);
    else {
      fs.writeFileSync(values.out, csv);
      process.stdout.write(`Wrote ${rows} rows of ${name} to ${values.out}\n`);
    }
    return 0;
  } finally {
    db.close();
  }
}

async function sqlCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      db: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      limit: { type: 'string', default: String(SQL_DEFAULT_ROW_LIMIT) },
      timeout: { type: 'string', default: String(SQL_DEFAULT_TIME_LIMIT_MS / 1_000) },
    },
    allowPositionals: true,
    strict: true,
  });
  const query = positionals[0];
  if (!query?.trim() || positionals.length > 1) throw new CliError('sql takes one query, in quotes.');
  if (values.format !== 'csv' && values.format !== 'json')
    throw new CliError(`Unknown --format "${values.format}": use csv or json.`);
  const rowLimit = toInteger(values.limit, '--limit', 1, SQL_MAX_ROW_LIMIT);
  const seconds = Number(values.timeout);
  if (!(seconds >= 0.1 && seconds <= 600))
    throw new CliError(`--timeout must be 0.1 to 600 seconds, not "${values.timeout}".`);
  const dbPath = values.db ?? defaultDbPath();
  if (!fs.existsSync(dbPath)) throw new CliError(`No database at ${dbPath}.`);
  const result = await new SqlConsole(dbPath).run(query, { rowLimit, timeLimitMs: Math.round(seconds * 1_000) });
  if (values.format === 'csv') process.stdout.write(sqlResultCsv(result));
  else {
    const objects = result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));
    process.stdout.write(`${JSON.stringify(objects, null, 2)}\n`);
  }
  if (result.truncated) process.stderr.write(`First ${rowLimit} rows only: raise --limit for more.\n`);
  return 0;
}

const BUS_OPTIONS = {
  kafka: { type: 'string' },
  group: { type: 'string' },
  topic: { type: 'string' },
} as const;

/** --kafka, --group and --topic as bus settings for this run, checked by the settings schema. */
function busOverrides(values: { kafka?: string; group?: string; topic?: string }): SettingsInput {
  if (!values.kafka) {
    if (values.group || values.topic) throw new CliError('--group and --topic need --kafka BROKERS.');
    return {};
  }
  const bus = {
    kind: 'kafka' as const,
    ...(values.topic ? { topic: values.topic } : {}),
    kafka: {
      brokers: values.kafka.split(',').map((b) => b.trim()),
      ...(values.group ? { groupId: values.group } : {}),
    },
  };
  const checked = BusSettingsSchema.safeParse(bus);
  if (!checked.success) {
    const flag = (p: PropertyKey[]) => (p[0] === 'topic' ? '--topic' : p[1] === 'groupId' ? '--group' : '--kafka');
    throw new CliError(checked.error.issues.map((i) => `${flag(i.path)}: ${i.message}`).join('; '));
  }
  return { bus };
}

/** Epoch milliseconds stay numbers; anything else is read as ISO-8601 by the schema. */
function asTime(text: string): number | string {
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

function toInteger(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}, not "${text}".`);
  }
  return value;
}
