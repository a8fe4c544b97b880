/**
 * What the app does when its database cannot be opened at start-up: the decision as plain data (so it
 * is tested without Electron), the dialog wording, and setting a damaged file aside.
 */
import fs from 'node:fs';
import { DatabaseInUseError } from '../../engine/store/engine-lock.ts';

export type StartupProblem = 'locked' | 'corrupt' | 'newer-schema' | 'unwritable' | 'unknown';
export type RecoveryAction = 'retry' | 'set-aside-and-start-fresh' | 'quit';

/** better-sqlite3 raises SqliteError with SQLite's (extended) result code in `code`. */
export function classifyStartupError(error: unknown): StartupProblem {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const message = error instanceof Error ? error.message : String(error);
  // Another engine (market-monitor serve or replay) runs on the file: the same answer, close it and retry.
  if (error instanceof DatabaseInUseError) return 'locked';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'locked';
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) return 'corrupt';
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_FULL'))
    return 'unwritable';
  if (/written by a newer Market Monitor/.test(message)) return 'newer-schema';
  if (/file is not a database|database disk image is malformed/i.test(message)) return 'corrupt';
  if (/database is locked/i.test(message)) return 'locked';
  return 'unknown';
}

export interface RecoveryDialog {
  type: 'error' | 'warning';
  title: string;
  message: string;
  detail: string;
  /** Button labels in display order, each with what it does. */
  buttons: { label: string; action: RecoveryAction }[];
  /** Index of the button Escape or closing the dialog means. */
  cancelId: number;
  defaultId: number;
}

const LABELS: Record<RecoveryAction, string> = {
  retry: 'Try Again',
  'set-aside-and-start-fresh': 'Keep a Copy and Start Fresh',
  quit: 'Quit',
};

function build(
  type: RecoveryDialog['type'],
  title: string,
  message: string,
  detail: string,
  actions: RecoveryAction[],
): RecoveryDialog {
  return {
    type,
    title,
    message,
    detail,
    buttons: actions.map((action) => ({ label: LABELS[action], action })),
    defaultId: 0,
    // Escape or closing the dialog quits: nothing is changed without an explicit choice.
    cancelId: actions.indexOf('quit'),
  };
}

export function recoveryDialog(problem: StartupProblem, dbPath: string, error: unknown): RecoveryDialog {
  const reason = error instanceof Error ? error.message : String(error);
  switch (problem) {
    case 'locked':
      return build(
        'warning',
        'Database in use',
        'Another program is using the Market Monitor database.',
        `Close the other Market Monitor (or the market-monitor command) that has it open, then try again.\n\n${dbPath}`,
        ['retry', 'quit'],
      );
    case 'corrupt':
      return build(
        'error',
        'Database damaged',
        'The Market Monitor database is damaged and cannot be read.',
        'Start fresh keeps a copy of the damaged file next to it (for recovery tools) and starts with a new, ' +
          `empty database. Your watchlist and history are in the copy.\n\n${dbPath}\n\n${reason}`,
        ['set-aside-and-start-fresh', 'quit'],
      );
    case 'newer-schema':
      return build(
        'error',
        'Newer database',
        'This database was written by a newer Market Monitor.',
        `Install the newer version to open it. The file was left untouched.\n\n${dbPath}`,
        ['quit'],
      );
    case 'unwritable':
      return build(
        'error',
        'Cannot open the database',
        'Market Monitor cannot open or write its database.',
        `Check that the folder exists, is writable and the disk is not full.\n\n${dbPath}\n\n${reason}`,
        ['retry', 'quit'],
      );
    case 'unknown':
      return build(
        'error',
        'Market Monitor could not start',
        'Market Monitor could not start.',
        `${reason}\n\nThe log folder has the details.`,
        ['quit'],
      );
  }
}

/** SQLite keeps recent writes in the -wal file: the copy is only whole with its companions. */
const COMPANIONS = ['', '-wal', '-shm', '-journal'];

/** Renames the database and its companion files aside; returns the copy's path. Never deletes. */
export function setAsideDatabase(dbPath: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const aside = `${dbPath}.damaged-${stamp}`;
  for (const suffix of COMPANIONS) {
    if (fs.existsSync(dbPath + suffix)) fs.renameSync(dbPath + suffix, aside + suffix);
  }
  return aside;
}

export interface RecoveryHooks<T> {
  open: () => Promise<T>;
  /** Shows the dialog and returns the index of the chosen button. */
  ask: (dialog: RecoveryDialog) => Promise<number>;
  setAside: (dbPath: string) => string;
  log?: (message: string, detail?: unknown) => void;
}

/**
 * Opens the database, asking the user what to do whenever it fails. Returns null when they chose to
 * quit. Setting a file aside is offered once; a fresh database failing too is not the old file's fault.
 */
export async function openWithRecovery<T>(dbPath: string, hooks: RecoveryHooks<T>): Promise<T | null> {
  let setAsideDone = false;
  for (;;) {
    try {
      return await hooks.open();
    } catch (error) {
      let problem = classifyStartupError(error);
      if (problem === 'corrupt' && setAsideDone) problem = 'unknown';
      hooks.log?.(`Opening the database failed (${problem})`, error);
      const dialog = recoveryDialog(problem, dbPath, error);
      const chosen = await hooks.ask(dialog);
      const action = (dialog.buttons[chosen] ?? dialog.buttons[dialog.cancelId])!.action;
      if (action === 'quit') return null;
      if (action === 'set-aside-and-start-fresh') {
        const aside = hooks.setAside(dbPath);
        setAsideDone = true;
        hooks.log?.(`Kept the damaged database as ${aside}`);
      }
    }
  }
}
