/**
 * A small size-rotated log file: main.log, then main.1.log … main.N.log, oldest dropped.
 * Writes are synchronous on purpose: the app logs rarely (start, stop, errors), and the line before a
 * crash is the one that matters most.
 */
import fs from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface RotatingLogOptions {
  dir: string;
  /** File name without extension. */
  name?: string;
  /** A file is rotated before a line would take it past this size. */
  maxBytes?: number;
  /** How many rotated files are kept besides the current one. */
  keep?: number;
  now?: () => Date;
}

export class RotatingLog {
  readonly file: string;
  private readonly dir: string;
  private readonly name: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly now: () => Date;
  private size: number;

  constructor(options: RotatingLogOptions) {
    this.dir = options.dir;
    this.name = options.name ?? 'main';
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.keep = Math.max(0, options.keep ?? 4);
    this.now = options.now ?? (() => new Date());
    fs.mkdirSync(this.dir, { recursive: true });
    this.file = path.join(this.dir, `${this.name}.log`);
    this.size = fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
  }

  rotatedFile(index: number): string {
    return path.join(this.dir, `${this.name}.${index}.log`);
  }

  debug(message: string, detail?: unknown): void {
    this.write('debug', message, detail);
  }
  info(message: string, detail?: unknown): void {
    this.write('info', message, detail);
  }
  warn(message: string, detail?: unknown): void {
    this.write('warn', message, detail);
  }
  error(message: string, detail?: unknown): void {
    this.write('error', message, detail);
  }

  write(level: LogLevel, message: string, detail?: unknown): void {
    const line = formatLine(this.now(), level, message, detail);
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    try {
      fs.appendFileSync(this.file, line);
      this.size += bytes;
    } catch {
      // A full disk or a removed folder must not take the app down with it.
    }
  }

  private rotate(): void {
    try {
      if (this.keep === 0) {
        fs.rmSync(this.file, { force: true });
      } else {
        fs.rmSync(this.rotatedFile(this.keep), { force: true });
        for (let index = this.keep - 1; index >= 1; index--) {
          const from = this.rotatedFile(index);
          if (fs.existsSync(from)) fs.renameSync(from, this.rotatedFile(index + 1));
        }
        fs.renameSync(this.file, this.rotatedFile(1));
      }
    } catch {
      // Rotation failing (another process holds a file on Windows) only means a longer file this time.
    }
    this.size = fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
  }
}

export function formatLine(time: Date, level: LogLevel, message: string, detail?: unknown): string {
  const extra = detail === undefined ? '' : ` ${describe(detail)}`;
  // One record per line, whatever the message holds, so the file stays greppable.
  return `${time.toISOString()} ${level.toUpperCase().padEnd(5)} ${`${message}${extra}`.replace(/\r?\n/g, '\\n')}\n`;
}

function describe(detail: unknown): string {
  if (detail instanceof Error) return detail.stack ?? `${detail.name}: ${detail.message}`;
  if (typeof detail === 'string') return detail;
  try {
    return JSON.stringify(detail);
  } catch {
    return String(detail);
  }
}
