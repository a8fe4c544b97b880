import type { SqliteDatabase } from '../store/database.ts';
import { pruneChunk, retentionCutoffs } from '../store/retention.ts';

interface StorageSettings {
  tickRetentionDays: number;
  deadLetterRetentionDays: number;
}

/**
 * Applies the retention settings at start and every minute: deletes a chunk at a time and yields
 * to the event loop between chunks, so a large first clean-up never stalls the engine or the UI.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private readonly db: SqliteDatabase;
  private readonly settings: () => StorageSettings;
  private readonly everyMs: number;
  private readonly timeZoneOf: ((symbol: string) => string) | undefined;

  /** `timeZoneOf` gives each symbol's exchange time zone: ticks go by whole exchange days. */
  constructor(
    db: SqliteDatabase,
    settings: () => StorageSettings,
    everyMs = 60_000,
    timeZoneOf?: (symbol: string) => string,
  ) {
    this.db = db;
    this.settings = settings;
    this.everyMs = everyMs;
    this.timeZoneOf = timeZoneOf;
  }

  start(): void {
    this.timer = setInterval(() => void this.run(), this.everyMs);
    this.timer.unref();
    void this.run();
  }

  /** One clean-up round (or the one already under way); resolves with the rows it deleted. */
  run(now = Date.now()): Promise<number> {
    this.running ??= this.prune(now).finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async prune(now: number): Promise<number> {
    let total = 0;
    const cutoffs = retentionCutoffs(this.settings(), now, this.timeZoneOf);
    while (!this.stopped) {
      const deleted = pruneChunk(this.db, cutoffs);
      total += deleted;
      if (deleted === 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  }
}
