import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import type { Column, ColumnKind, Row } from '../analyses/analysis.ts';

type SchemaElement = NonNullable<Parameters<typeof parquetWrite>[0]['schema']>[number];
type ParquetValue = string | number | bigint | null;

/**
 * An analysis as one Parquet file, typed from its columns so that pandas, pyarrow and DuckDB read
 * the same types whatever the rows: times as TIMESTAMP(MILLIS, UTC), counts as INT64, other numbers
 * as DOUBLE, text as UTF-8 strings. Every column may be null (an empty CSV cell).
 */
export function toParquet(columns: readonly Column[], rows: readonly Row[]): Uint8Array {
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    schema: [{ name: 'root', num_children: columns.length }, ...columns.map(schemaElement)],
    columnData: columns.map((column) => ({
      name: column.header,
      data: rows.map((row) => parquetValue(column, row[column.key])),
    })),
    createdBy: 'Market Monitor',
  });
  return new Uint8Array(writer.getBuffer());
}

function schemaElement(column: Column): SchemaElement {
  const name = column.header;
  const repetition_type = 'OPTIONAL';
  const types: Record<ColumnKind, SchemaElement> = {
    time: {
      name,
      repetition_type,
      type: 'INT64',
      converted_type: 'TIMESTAMP_MILLIS',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
    },
    day: {
      name,
      repetition_type,
      type: 'INT64',
      converted_type: 'TIMESTAMP_MILLIS',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
    },
    integer: { name, repetition_type, type: 'INT64' },
    number: { name, repetition_type, type: 'DOUBLE' },
    percent: { name, repetition_type, type: 'DOUBLE' },
    text: { name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  };
  return types[column.kind];
}

/** A row's value as its column's Parquet type; a value of another type is a bug in the analysis, said so. */
function parquetValue(column: Column, value: string | number | null | undefined): ParquetValue {
  if (value === null || value === undefined) return null;
  const wrongType = () =>
    new TypeError(`Column "${column.header}" (${column.kind}) cannot hold ${JSON.stringify(value)}`);
  if (column.kind === 'text') return String(value);
  if (typeof value !== 'number') throw wrongType();
  if (column.kind === 'number' || column.kind === 'percent') return value;
  if (!Number.isSafeInteger(value)) throw wrongType();
  return BigInt(value);
}
