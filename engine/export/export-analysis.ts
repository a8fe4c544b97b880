import type { AnalysisParams } from '../analyses/analysis.ts';
import type { Analysis } from '../analyses/query.ts';
import { findAnalysis } from '../analyses/market-analyses.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { toCsv } from './csv.ts';
import { toParquet } from './parquet.ts';

export type ExportFormat = 'csv' | 'parquet';

/** Runs an analysis and renders it as CSV, with a file name that says what is in it. */
export function exportAnalysis(
  db: SqliteDatabase,
  name: string,
  params: AnalysisParams,
): { filename: string; csv: string; rows: number } {
  const analysis = findAnalysis(name);
  const rows = analysis.run(db, params);
  return { filename: filenameOf(analysis, params, 'csv'), csv: toCsv(analysis.columns, rows), rows: rows.length };
}

/** Runs an analysis and renders it as one Parquet file (see parquet.ts for the types). */
export function exportAnalysisParquet(
  db: SqliteDatabase,
  name: string,
  params: AnalysisParams,
): { filename: string; bytes: Uint8Array; rows: number } {
  const analysis = findAnalysis(name);
  const rows = analysis.run(db, params);
  return {
    filename: filenameOf(analysis, params, 'parquet'),
    bytes: toParquet(analysis.columns, rows),
    rows: rows.length,
  };
}

function filenameOf(analysis: Analysis, params: AnalysisParams, extension: ExportFormat): string {
  const parts = [
    analysis.name,
    params.symbol,
    analysis.columns.some((c) => c.key === 'interval') ? params.interval : undefined,
  ];
  return `${parts.filter(Boolean).join('-')}.${extension}`;
}
