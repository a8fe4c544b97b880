import type { SqliteDatabase } from '../store/database.ts';

export interface SchemaTable {
  name: string;
  type: 'table' | 'view';
  columns: Array<{ name: string; type: string; notNull: boolean; primaryKey: boolean }>;
}

/** The store's tables and views with their columns, for the console's side list. */
export function listSchema(db: SqliteDatabase): SchemaTable[] {
  const tables = db
    .prepare(
      `SELECT name, type FROM sqlite_master
       WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name`,
    )
    .all() as Array<{ name: string; type: 'table' | 'view' }>;
  const columnsOf = db.prepare('SELECT name, type, "notnull" AS required, pk FROM pragma_table_info(?)');
  return tables.map(({ name, type }) => ({
    name,
    type,
    columns: (columnsOf.all(name) as Array<{ name: string; type: string; required: number; pk: number }>).map((c) => ({
      name: c.name,
      type: c.type,
      notNull: c.required === 1,
      primaryKey: c.pk > 0,
    })),
  }));
}
