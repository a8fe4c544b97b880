/**
 * A command result made of equally long number columns (`candles.history`), as one binary WebSocket
 * frame instead of JSON: 100,000 candles are 6.4 MB of float64 instead of 11 MB of digits, and
 * neither side has to print or parse a number. The columns are Float64Arrays on both sides: the
 * decoder hands out views of the received frame, not copies.
 *
 * Layout (little-endian): u32 header length, the header as UTF-8 JSON, zero padding to a multiple
 * of 8, then each column's float64 values in the header's `columns` order.
 * The header is `{ type: 'result', id, result: { ok: true, output } }` where `output` holds the
 * answer's other fields; `columns` names the arrays and `length` their length.
 */
import type { CallResult, CommandName } from './contract.ts';

/** Commands whose successful answer the WebSocket transport sends as a column frame. */
export const COLUMN_FRAME_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>(['candles.history']);

interface Header {
  type: 'result';
  id: number;
  result: { ok: true; output: Record<string, unknown> };
  columns: string[];
  length: number;
}

/** Encodes an answer object: its Float64Array fields become columns, the rest stays in the header. */
export function encodeColumnFrame(id: number, output: Record<string, unknown>): Uint8Array {
  const columns: string[] = [];
  const rest: Record<string, unknown> = {};
  let length = -1;
  for (const [key, value] of Object.entries(output)) {
    if (value instanceof Float64Array && (length < 0 || value.length === length)) {
      columns.push(key);
      length = value.length;
    } else rest[key] = value;
  }
  const header: Header = {
    type: 'result',
    id,
    result: { ok: true, output: rest },
    columns,
    length: Math.max(0, length),
  };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const offset = Math.ceil((4 + head.length) / 8) * 8;
  const bytes = new Uint8Array(offset + columns.length * header.length * 8);
  new DataView(bytes.buffer).setUint32(0, head.length, true);
  bytes.set(head, 4);
  const values = new Float64Array(bytes.buffer, offset);
  columns.forEach((key, c) => values.set(output[key] as Float64Array, c * header.length));
  return bytes;
}

/** Decodes a column frame into the result message it stands for (columns as views of the frame). */
export function decodeColumnFrame(buffer: ArrayBuffer | ArrayBufferView): { id: number; result: CallResult } {
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  const headLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headLength))) as Header;
  const offset = Math.ceil((4 + headLength) / 8) * 8;
  // Float64Array needs an 8-aligned offset into its buffer; a view of a shared buffer may not have one.
  const aligned = (bytes.byteOffset + offset) % 8 === 0 ? bytes : bytes.slice();
  const values = new Float64Array(aligned.buffer, aligned.byteOffset + offset, header.columns.length * header.length);
  const output = header.result.output;
  header.columns.forEach((key, c) => (output[key] = values.subarray(c * header.length, (c + 1) * header.length)));
  return { id: header.id, result: { ok: true, output: output as never } };
}
