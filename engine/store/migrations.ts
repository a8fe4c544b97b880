/**
 * Schema versions, applied in order and recorded in PRAGMA user_version. Never edit a shipped
 * migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: the foundation */ `
  CREATE TABLE ticks (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL,
    ts INTEGER NOT NULL,
    price REAL NOT NULL,
    volume REAL NOT NULL,
    side TEXT CHECK (side IN ('buy', 'sell')),
    source TEXT NOT NULL
  );
  CREATE INDEX ticks_symbol_ts ON ticks (symbol, ts);

  CREATE TABLE candles (
    symbol TEXT NOT NULL,
    interval TEXT NOT NULL,
    start INTEGER NOT NULL,
    open REAL NOT NULL,
    high REAL NOT NULL,
    low REAL NOT NULL,
    close REAL NOT NULL,
    volume REAL NOT NULL,
    turnover REAL NOT NULL,
    trades INTEGER NOT NULL,
    buy_volume REAL NOT NULL,
    sell_volume REAL NOT NULL,
    open_ts INTEGER NOT NULL,
    close_ts INTEGER NOT NULL,
    PRIMARY KEY (symbol, interval, start)
  ) WITHOUT ROWID;

  CREATE TABLE companies (
    symbol TEXT PRIMARY KEY,
    short_name TEXT,
    long_name TEXT,
    sector TEXT,
    industry TEXT,
    country TEXT,
    currency TEXT,
    exchange TEXT,
    market_cap REAL,
    trailing_pe REAL,
    forward_pe REAL,
    fifty_two_week_high REAL,
    fifty_two_week_low REAL,
    fifty_day_average REAL,
    short_ratio REAL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE watchlist (
    symbol TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    added_at INTEGER NOT NULL
  );

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE checkpoints (
    consumer_group TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    max_event_ts INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (consumer_group, topic, partition)
  );

  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    reason TEXT NOT NULL,
    payload TEXT NOT NULL
  );
  `,
  /* 2: alerts */ `
  CREATE TABLE alert_rules (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('price-above', 'price-below', 'move-percent', 'volume-spike')),
    threshold REAL NOT NULL,
    window_ms INTEGER NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE alert_events (
    id INTEGER PRIMARY KEY,
    rule_id INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    at INTEGER NOT NULL,
    value REAL NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX alert_events_at ON alert_events (at);
  `,
  /* 3: lines the InfluxDB mirror could not deliver yet, oldest chunk first */ `
  CREATE TABLE influx_spill (
    id INTEGER PRIMARY KEY,
    lines TEXT NOT NULL,
    count INTEGER NOT NULL
  );
  `,
  /* 4: anomalies found in closed candles, each once, with its evidence */ `
  CREATE TABLE anomalies (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL,
    interval TEXT NOT NULL,
    start INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('return-z', 'volume-spike', 'gap')),
    value REAL NOT NULL,
    threshold REAL NOT NULL,
    baseline REAL NOT NULL,
    window_bars INTEGER NOT NULL,
    message TEXT NOT NULL,
    UNIQUE (symbol, interval, start, kind)
  );
  CREATE INDEX anomalies_start ON anomalies (start);
  `,
  /* 5: alert rules may watch for anomalies (SQLite cannot change a CHECK in place: the table is rebuilt) */ `
  CREATE TABLE alert_rules_v5 (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('price-above', 'price-below', 'move-percent', 'volume-spike', 'anomaly')),
    threshold REAL NOT NULL,
    window_ms INTEGER NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
  );
  INSERT INTO alert_rules_v5 (id, symbol, kind, threshold, window_ms, enabled, created_at)
    SELECT id, symbol, kind, threshold, window_ms, enabled, created_at FROM alert_rules;
  DROP TABLE alert_rules;
  ALTER TABLE alert_rules_v5 RENAME TO alert_rules;
  `,
  /* 6: where each live run of a feed began: after the symbol's newest tick then (see BackfillCandles) */ `
  CREATE TABLE live_runs (
    symbol TEXT NOT NULL,
    after_ts INTEGER NOT NULL,
    PRIMARY KEY (symbol, after_ts)
  ) WITHOUT ROWID;
  `,
  /* company profiles the simulator made up are marked, so they never pass for real ones (or replace them) */ `
  ALTER TABLE companies ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0;
  UPDATE companies SET simulated = 1 WHERE long_name LIKE '% (simulated)';
  `,
  /* facts about the database itself; a database used before had its watchlist seeded already */ `
  CREATE TABLE app_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO app_state (key, value)
    SELECT 'watchlist_seeded', '1'
    WHERE EXISTS (SELECT 1 FROM watchlist) OR EXISTS (SELECT 1 FROM ticks) OR EXISTS (SELECT 1 FROM candles);
  `,
  /* alert cooldown: existing rules get the default minute, so a small % rule stops firing at every tick */ `
  ALTER TABLE alert_rules ADD COLUMN cooldown_ms INTEGER NOT NULL DEFAULT 60000;
  `,
  /* exchange time zones: the one a symbol's feed reported, and the one its stored day candles are cut in */ `
  ALTER TABLE companies ADD COLUMN exchange_time_zone TEXT;
  CREATE TABLE day_candle_zones (
    symbol TEXT PRIMARY KEY,
    time_zone TEXT NOT NULL
  ) WITHOUT ROWID;
  -- Every day candle stored so far was cut at New York midnight.
  INSERT INTO day_candle_zones (symbol, time_zone)
    SELECT DISTINCT symbol, 'America/New_York' FROM candles WHERE interval = '1d';
  `,
  /* the SQL console's saved queries, one per name */ `
  CREATE TABLE saved_queries (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    sql TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  /* portfolio: accounts, and the lots held in them (negative quantity for a short) */ `
  CREATE TABLE portfolio_accounts (
    name TEXT PRIMARY KEY
  ) WITHOUT ROWID;
  CREATE TABLE portfolio_lots (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL REFERENCES portfolio_accounts (name) ON UPDATE CASCADE,
    symbol TEXT NOT NULL,
    quantity REAL NOT NULL CHECK (quantity <> 0),
    price REAL NOT NULL CHECK (price >= 0),
    date TEXT NOT NULL,
    fees REAL NOT NULL DEFAULT 0 CHECK (fees >= 0)
  );
  CREATE INDEX portfolio_lots_account ON portfolio_lots (account, symbol);
  `,
  /* a watched symbol's real-time provider (Coinbase, Finnhub); null: the live source's own */ `
  ALTER TABLE watchlist ADD COLUMN provider TEXT;
  `,
  /* scheduled jobs (options as JSON, validated by JobSchema) and the history of their runs */ `
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    schedule TEXT NOT NULL,
    task TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    handled_due_at INTEGER
  );
  CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'missed', 'manual')),
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    duration_ms INTEGER,
    outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'failed', 'skipped')),
    message TEXT NOT NULL DEFAULT '',
    files TEXT NOT NULL DEFAULT '[]'
  );
  CREATE INDEX job_runs_job ON job_runs (job_id, started_at);
  `,
  /* chart drawings (horizontal and trend lines, rectangles, notes), per symbol; the shape as JSON, validated by DrawingSpecSchema */ `
  CREATE TABLE drawings (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX drawings_symbol ON drawings (symbol);
  `,
  /* the newest tick the stored candles hold: ticks after it are folded again at start (candles are written behind the ticks); every tick stored so far is in its candles */ `
  CREATE TABLE candle_mark (
    only INTEGER PRIMARY KEY CHECK (only = 1),
    last_tick_id INTEGER NOT NULL
  );
  INSERT INTO candle_mark (only, last_tick_id) SELECT 1, coalesce(max(id), 0) FROM ticks;
  `,
];
