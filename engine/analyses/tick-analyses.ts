import type { Analysis, Row } from './analysis.ts';

/** The stored raw ticks of a time range (what retention has kept), in the order the engine accepted them. */
export const ticks: Analysis = {
  name: 'ticks',
  title: 'Raw ticks',
  description:
    'Every stored trade of the range: time, price, volume and side (ticks past the retention period are gone).',
  columns: [
    { key: 'symbol', header: 'symbol', kind: 'text' },
    { key: 'ts', header: 'time', kind: 'time' },
    { key: 'price', header: 'price', kind: 'number' },
    { key: 'volume', header: 'volume', kind: 'number' },
    { key: 'side', header: 'side', kind: 'text' },
    { key: 'source', header: 'source', kind: 'text' },
  ],
  run(db, params) {
    const clauses = ['ts >= @from', 'ts <= @to', ...(params.symbol ? ['symbol = @symbol'] : [])];
    return db
      .prepare(
        `SELECT symbol, ts, price, volume, side, source FROM ticks
         WHERE ${clauses.join(' AND ')} ORDER BY ts, id LIMIT @limit`,
      )
      .all({
        from: params.from ?? Number.MIN_SAFE_INTEGER,
        to: params.to ?? Number.MAX_SAFE_INTEGER,
        symbol: params.symbol ?? null,
        limit: params.limit,
      }) as Row[];
  },
};
