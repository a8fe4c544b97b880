import fs from 'node:fs';

/** Longer than any row of ticks or bars; a longer line is garbage, and is not held in memory. */
export const MAX_LINE_CHARS = 64 * 1024;

export interface TextLine {
  /** 1-based. */
  line: number;
  /** Without its line break; undefined when the line was longer than MAX_LINE_CHARS. */
  text: string | undefined;
}

/**
 * The lines of a UTF-8 text file, streamed (a leading byte-order mark dropped). Line breaks are
 * LF or CRLF. Bytes that are not UTF-8 arrive as U+FFFD, so binary garbage is text that fails to
 * parse rather than an error of the whole file.
 */
export async function* readTextLines(file: string): AsyncGenerator<TextLine> {
  let pending = '';
  let overlong = false;
  let line = 0;
  let first = true;
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8' }) as AsyncIterable<string>) {
    let text = first ? chunk.replace(/^\uFEFF/, '') : chunk;
    first = false;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n')) {
      line++;
      const whole = overlong ? undefined : pending + text.slice(0, at);
      yield { line, text: whole === undefined || whole.length > MAX_LINE_CHARS ? undefined : stripCr(whole) };
      pending = '';
      overlong = false;
      text = text.slice(at + 1);
    }
    if (!overlong) pending += text;
    if (pending.length > MAX_LINE_CHARS) {
      overlong = true;
      pending = '';
    }
  }
  if (pending.length > 0 || overlong) yield { line: line + 1, text: overlong ? undefined : stripCr(pending) };
}

function stripCr(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
