import fs from 'node:fs';
import path from 'node:path';
import { ExtendedCookieJar } from 'yahoo-finance2/lib/cookieJar';

/**
 * Yahoo's session (cookies, and the crumb yahoo-finance2 keeps in the same jar) kept in a file in
 * the data directory, so a restart does not repeat the consent handshake, which Yahoo rate-limits.
 */
export class CookieJarFile {
  private readonly file: string | undefined;
  private lastSaved = '';

  /** Without a file (an in-memory database) the session lives only as long as the process. */
  constructor(file: string | undefined) {
    this.file = file;
  }

  load(): ExtendedCookieJar {
    const empty = new ExtendedCookieJar();
    if (!this.file || !fs.existsSync(this.file)) return empty;
    try {
      const text = fs.readFileSync(this.file, 'utf8');
      // deserializeSync fills the store it is given; the jar yahoo-finance2 needs is an ExtendedCookieJar.
      ExtendedCookieJar.deserializeSync(text, empty.store);
      this.lastSaved = text;
      return new ExtendedCookieJar(empty.store);
    } catch {
      // A damaged file only costs one handshake.
      return new ExtendedCookieJar();
    }
  }

  save(jar: ExtendedCookieJar): void {
    if (!this.file) return;
    const text = JSON.stringify(jar.serializeSync());
    if (text === this.lastSaved) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp`;
    fs.writeFileSync(temp, text, { mode: 0o600 });
    fs.renameSync(temp, this.file);
    this.lastSaved = text;
  }

  clear(): void {
    this.lastSaved = '';
    if (this.file) fs.rmSync(this.file, { force: true });
  }
}
