import { existsSync } from 'node:fs';
import { connectMysql, connectPostgres } from '../db/connection.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, type DatabaseTarget, type ServerTarget } from '../db/url.js';
import type { ActualColumn, ActualTable, TableExpectation } from './expect-schema.js';

/**
 * Reads the columns of the tables an expect-schema names, read-only, through the one
 * connection layer (node:sqlite for SQLite). Keyed by the name as written in the input.
 */
export async function readSchema(
  t: DatabaseTarget,
  tables: readonly TableExpectation[],
): Promise<Map<string, ActualTable>> {
  if (t.engine === 'sqlite') return readSqlite(t.path, tables);
  return t.engine === 'postgres' ? readPostgres(t, tables) : readMysql(t, tables);
}

interface InfoRow {
  column_name: string | null;
  type: string;
  is_nullable: string;
}

/** Rows of one table's columns → the map; no rows = the table does not exist. */
function toTable(rows: readonly InfoRow[], exists: boolean): ActualTable {
  if (!exists) return undefined;
  const cols = new Map<string, ActualColumn>();
  for (const r of rows)
    if (r.column_name !== null)
      cols.set(r.column_name, { type: r.type, nullable: r.is_nullable === 'YES' });
  return cols;
}

// information_schema's data_type with the length or precision put back (varchar(64), numeric(10,2))
const PG_COLUMNS = `SELECT c.column_name,
  CASE
    WHEN c.data_type IN ('USER-DEFINED', 'ARRAY') THEN c.udt_name
    WHEN c.character_maximum_length IS NOT NULL THEN c.data_type || '(' || c.character_maximum_length || ')'
    WHEN c.data_type = 'numeric' AND c.numeric_precision IS NOT NULL
      THEN 'numeric(' || c.numeric_precision || ',' || c.numeric_scale || ')'
    ELSE c.data_type END AS type,
  c.is_nullable
FROM information_schema.columns c
WHERE c.table_schema = $1 AND c.table_name = $2
ORDER BY c.ordinal_position`;

async function readPostgres(
  t: ServerTarget,
  tables: readonly TableExpectation[],
): Promise<Map<string, ActualTable>> {
  const timeout = t.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const client = await connectPostgres('database-url', t, t.database, timeout, 'runbook-migrate');
  try {
    await client.query('BEGIN READ ONLY');
    const out = new Map<string, ActualTable>();
    for (const tab of tables) {
      const schema = tab.schema ?? 'public';
      const exists = await client.query(
        'SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2',
        [schema, tab.table],
      );
      const cols = await client.query<InfoRow>(PG_COLUMNS, [schema, tab.table]);
      out.set(tab.name, toTable(cols.rows, (exists.rowCount ?? 0) > 0));
    }
    await client.query('ROLLBACK');
    return out;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function readMysql(
  t: ServerTarget,
  tables: readonly TableExpectation[],
): Promise<Map<string, ActualTable>> {
  const timeout = t.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const conn = await connectMysql('database-url', t, t.database, timeout);
  try {
    const out = new Map<string, ActualTable>();
    for (const tab of tables) {
      const schema = tab.schema ?? t.database;
      const [exists] = await conn.query(
        'SELECT 1 AS ok FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
        [schema, tab.table],
      );
      // COLUMN_TYPE keeps lengths and tinyint(1), which the comparison reads as boolean
      const [cols] = await conn.query(
        `SELECT COLUMN_NAME AS column_name, COLUMN_TYPE AS type, IS_NULLABLE AS is_nullable
         FROM information_schema.columns WHERE table_schema = ? AND table_name = ?
         ORDER BY ORDINAL_POSITION`,
        [schema, tab.table],
      );
      out.set(tab.name, toTable(cols as InfoRow[], (exists as unknown[]).length > 0));
    }
    return out;
  } finally {
    await conn.end().catch(() => undefined);
  }
}

interface PragmaRow {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

async function readSqlite(
  path: string,
  tables: readonly TableExpectation[],
): Promise<Map<string, ActualTable>> {
  const { DatabaseSync } = await import('node:sqlite');
  // a missing file has no tables; opening it read-only would fail, opening it writable creates it
  const db = existsSync(path)
    ? new DatabaseSync(path, { readOnly: true, timeout: 10_000 })
    : new DatabaseSync(':memory:');
  try {
    const out = new Map<string, ActualTable>();
    for (const tab of tables) {
      const schema = tab.schema ?? 'main';
      const quotedSchema = `"${schema.replace(/"/g, '""')}"`;
      const found = db
        .prepare(
          `SELECT COUNT(*) AS n FROM ${quotedSchema}.sqlite_master WHERE type IN ('table', 'view') AND name = ?`,
        )
        .get(tab.table);
      if (!(Number(found?.n) > 0)) {
        out.set(tab.name, undefined);
        continue;
      }
      const rows = db
        .prepare(`SELECT name, type, "notnull", pk FROM pragma_table_info(?, ?)`)
        .all(tab.table, schema) as unknown as PragmaRow[];
      const cols = new Map<string, ActualColumn>();
      for (const r of rows) {
        // an INTEGER PRIMARY KEY is the rowid: never NULL even without NOT NULL
        const rowid = r.pk > 0 && r.type.toUpperCase() === 'INTEGER';
        cols.set(r.name, { type: r.type, nullable: r.notnull === 0 && !rowid });
      }
      out.set(tab.name, cols);
    }
    return out;
  } finally {
    db.close();
  }
}
