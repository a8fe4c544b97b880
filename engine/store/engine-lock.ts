import Database from 'better-sqlite3';

/**
 * Who may run an engine on a database beside whom. Engines on Kafka that share a database split
 * its partitions through their consumer group, so each open window has one owner: they share the
 * lock. An engine with its own in-process log has no such arbiter: a second one would hold the same
 * open windows in memory, overwrite the first one's candles, and fight over the same offsets
 * (every batch refused as stale, for ever). It needs the database to itself.
 */
export type EngineLockMode = 'shared' | 'exclusive';

/** Raised when another engine holds the database: the user has to stop it, or use another file. */
export class DatabaseInUseError extends Error {
  constructor(dbPath: string) {
    super(
      `The database ${dbPath} is in use by another running Market Monitor (the app, or market-monitor serve or replay). ` +
        'Stop it first, or use another database with --db.',
    );
    this.name = 'DatabaseInUseError';
  }
}

/**
 * The engine lock of a database. It is an SQLite lock on a small file beside the database (a
 * transaction held open: shared is a read, exclusive a write), so the operating system drops it
 * when the process dies and a crashed engine never leaves a stale one behind. An in-memory
 * database has no one to share it with.
 */
export class EngineLock {
  private file: Database.Database | undefined;
  private modeHeld: EngineLockMode;
  private readonly dbPath: string;

  /** Takes the lock at once, or throws DatabaseInUseError. */
  constructor(dbPath: string, mode: EngineLockMode) {
    this.dbPath = dbPath;
    this.modeHeld = mode;
    this.file = take(dbPath, mode);
  }

  get mode(): EngineLockMode {
    return this.modeHeld;
  }

  /** Holds the lock in `mode` from now on; if another engine stands in the way, keeps the one held and throws. */
  switchTo(mode: EngineLockMode): void {
    if (mode === this.modeHeld) return;
    this.release();
    try {
      this.file = take(this.dbPath, mode);
      this.modeHeld = mode;
    } catch (error) {
      // Ours a moment ago: only an engine sharing it can be in the way, and that leaves a shared lock free.
      this.file = take(this.dbPath, this.modeHeld);
      throw error;
    }
  }

  release(): void {
    this.file?.close();
    this.file = undefined;
  }
}

function take(dbPath: string, mode: EngineLockMode): Database.Database | undefined {
  if (dbPath === ':memory:') return undefined;
  const file = new Database(`${dbPath}.engine-lock`, { timeout: 0 });
  try {
    if (mode === 'exclusive') file.exec('BEGIN EXCLUSIVE');
    else {
      file.exec('BEGIN');
      file.prepare('SELECT count(*) FROM sqlite_master').get();
    }
    return file;
  } catch (error) {
    file.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new DatabaseInUseError(dbPath);
    throw error;
  }
}
