import type { AnalysisParams } from '../analyses/analysis.ts';
import { findAnalysis } from '../analyses/market-analyses.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { toCsv } from './csv.ts';

/** Runs an analysis and renders it as CSV, with a file name that says what is in it. */
export function exportAnalysis(
  db: SqliteDatabase,
  name: string,
  params: AnalysisParams,
): { filename: string; csv: string } {
  const analysis = findAnalysis(name);
  const rows = analysis.run(db, params);
  const parts = [
    analysis.name,
    params.symbol,
    analysis.columns.some((c) => c.key === 'interval') ? params.interval : undefined,
  ];
  const filename = `${parts.filter(Boolean).join('-')}.csv`;
  return { filename, csv: toCsv(analysis.columns, rows) };
}
