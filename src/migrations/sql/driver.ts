import type { Engine as DbEngine } from '../../db/manifest.js';
import type { AppliedRow } from './check.js';

/** The database side of the sql runner: one implementation per engine. */
export interface SqlDriver {
  readonly engine: DbEngine;
  /** DDL takes part in transactions (postgres, sqlite; not mysql) */
  readonly transactionalDdl: boolean;
  /** the tracking table's name, quoted for this engine */
  quote(table: string): string;
  tableExists(table: string): Promise<boolean>;
  ensureTable(table: string): Promise<void>;
  readApplied(table: string): Promise<AppliedRow[]>;
  /** runs a whole file's text (many statements) */
  execScript(sql: string): Promise<void>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  insertApplied(
    table: string,
    row: { version: string; name: string; sha256: string; duration_ms: number },
  ): Promise<void>;
  deleteApplied(table: string, version: string): Promise<void>;
  /**
   * Interrupts the statement running now, from another connection (a cancelled run):
   * pg_cancel_backend on PostgreSQL, KILL QUERY on MySQL; SQLite runs synchronously, so
   * there is nothing to interrupt and the run stops at the next checkpoint.
   */
  interrupt(): Promise<void>;
  /** the line of the script the last error points at, when the engine tells */
  errorLine(err: unknown, sql: string): number | undefined;
  close(): Promise<void>;
}

/** `schema_migrations` or `schema.table` (postgres); validated before it reaches SQL. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;

export function quoteIdent(name: string, q: '"' | '`'): string {
  return name
    .split('.')
    .map((part) => `${q}${part}${q}`)
    .join('.');
}

/** 1-based line of a 1-based character position. */
export function lineOfPosition(sql: string, position: number): number {
  return sql.slice(0, Math.max(0, position - 1)).split('\n').length;
}
