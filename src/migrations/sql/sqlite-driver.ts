import { existsSync } from 'node:fs';
import type { DatabaseTarget } from '../../db/url.js';
import type { AppliedRow } from './check.js';
import { quoteIdent, type SqlDriver } from './driver.js';

/**
 * node:sqlite, loaded only here. `readOnly` opens without creating: plan, status and
 * check must not leave a new empty database file behind.
 */
export async function openSqliteDriver(t: DatabaseTarget, readOnly: boolean): Promise<SqlDriver> {
  if (t.engine !== 'sqlite') throw new Error(`openSqliteDriver: a ${t.engine} target`);
  const path = t.path;
  const { DatabaseSync } = await import('node:sqlite');
  const missing = !existsSync(path);
  const db =
    missing && readOnly
      ? new DatabaseSync(':memory:')
      : new DatabaseSync(path, { readOnly, timeout: 10_000 });
  const quote = (table: string): string => quoteIdent(table, '"');
  return {
    engine: 'sqlite',
    transactionalDdl: true,
    quote,
    async tableExists(table) {
      const row = db
        .prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?`)
        .get(table);
      return Number(row?.n) > 0;
    },
    async ensureTable(table) {
      db.exec(`CREATE TABLE IF NOT EXISTS ${quote(table)} (
  version TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  duration_ms INTEGER NOT NULL
)`);
    },
    async readApplied(table) {
      const rows = db
        .prepare(
          `SELECT version, name, sha256, applied_at, duration_ms FROM ${quote(table)} ORDER BY applied_at, version`,
        )
        .all();
      return rows.map((r) => ({
        version: String(r.version),
        name: String(r.name),
        sha256: String(r.sha256),
        applied_at: String(r.applied_at),
        duration_ms: Number(r.duration_ms),
      })) satisfies AppliedRow[];
    },
    async execScript(sql) {
      db.exec(sql);
    },
    async begin() {
      db.exec('BEGIN');
    },
    async commit() {
      db.exec('COMMIT');
    },
    async rollback() {
      if (db.isTransaction) db.exec('ROLLBACK');
    },
    async insertApplied(table, row) {
      db.prepare(
        `INSERT INTO ${quote(table)} (version, name, sha256, duration_ms) VALUES (?, ?, ?, ?)`,
      ).run(row.version, row.name, row.sha256, row.duration_ms);
    },
    async deleteApplied(table, version) {
      db.prepare(`DELETE FROM ${quote(table)} WHERE version = ?`).run(version);
    },
    async interrupt() {
      // node:sqlite runs synchronously: a signal is seen at the next checkpoint
    },
    errorLine() {
      return undefined;
    },
    async close() {
      db.close();
    },
  };
}
