/**
 * InfluxDB line protocol, as the 1.x and 2.x servers parse it:
 * `measurement,tag=value field=value timestamp`.
 *
 * In names and tag values a backslash is an escape only before the characters it escapes (comma and
 * space, plus `=` outside the measurement); anywhere else it is a literal character. The servers do
 * not read `\\` as one backslash there, so a backslash is written as itself, and a backslash that
 * would touch an escaped character or end the text cannot be written at all: such a point is refused
 * (LineProtocolError) rather than stored under a different name.
 */

export class LineProtocolError extends Error {
  override name = 'LineProtocolError';
}

/** A field value: plain numbers are floats; `{ int }` is an integer field (`i` suffix). */
export type FieldValue = number | string | boolean | { int: number };

export interface Point {
  measurement: string;
  tags?: Readonly<Record<string, string>>;
  fields: Readonly<Record<string, FieldValue | undefined>>;
  /** Epoch milliseconds: the writer sends `precision=ms`. */
  ts: number;
}

const MEASUREMENT_SPECIALS = /[, ]/g;
const TAG_SPECIALS = /[, =]/g;

export function escapeMeasurement(name: string): string {
  return escapeName(name, MEASUREMENT_SPECIALS, 'measurement');
}

/** Tag keys, tag values and field keys share one rule. */
export function escapeTag(text: string): string {
  return escapeName(text, TAG_SPECIALS, 'tag or field key');
}

function escapeName(text: string, specials: RegExp, what: string): string {
  if (text.length === 0) throw new LineProtocolError(`An empty ${what} cannot be written`);
  if (/[\n\r]/.test(text)) throw new LineProtocolError(`A ${what} cannot hold a line break: ${JSON.stringify(text)}`);
  const escaped = text.replace(specials, (c) => `\\${c}`);
  if (/\\$/.test(text) || new RegExp(`\\\\${specials.source}`).test(text)) {
    throw new LineProtocolError(
      `InfluxDB cannot store a ${what} with a backslash at its end or before "," " " "=": ${JSON.stringify(text)}`,
    );
  }
  return escaped;
}

export function formatFieldValue(value: FieldValue): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new LineProtocolError(`A field cannot hold ${value}`);
    // JavaScript prints integral floats without a point, which InfluxDB still reads as a float.
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') {
    if (/[\n\r]/.test(value)) throw new LineProtocolError(`A string field cannot hold a line break`);
    return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  }
  if (!Number.isSafeInteger(value.int)) throw new LineProtocolError(`${value.int} is not an integer`);
  return `${value.int}i`;
}

/** One point as one line, without the trailing newline. */
export function encodePoint(point: Point): string {
  let line = escapeMeasurement(point.measurement);
  if (point.tags) {
    // Sorted tags are what the servers store anyway; sending them sorted saves them the work.
    for (const key of Object.keys(point.tags).sort()) line += `,${escapeTag(key)}=${escapeTag(point.tags[key]!)}`;
  }
  let fields = '';
  for (const [key, value] of Object.entries(point.fields)) {
    if (value === undefined) continue;
    fields += `${fields ? ',' : ''}${escapeTag(key)}=${formatFieldValue(value)}`;
  }
  if (!fields) throw new LineProtocolError(`A point of ${point.measurement} needs at least one field`);
  if (!Number.isSafeInteger(point.ts)) throw new LineProtocolError(`${point.ts} is not a millisecond timestamp`);
  return `${line} ${fields} ${point.ts}`;
}
