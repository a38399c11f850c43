import { connectMysql } from '../../db/connection.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, type ServerTarget } from '../../db/url.js';
import type { AppliedRow } from './check.js';
import { quoteIdent, type SqlDriver } from './driver.js';

export async function openMysqlDriver(t: ServerTarget): Promise<SqlDriver> {
  const timeout = t.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const conn = await connectMysql('database-url', t, t.database, timeout, {
    multipleStatements: true,
  });
  const quote = (table: string): string => quoteIdent(table, '`');
  return {
    engine: 'mysql',
    // MySQL and MariaDB commit implicitly around DDL; a file still runs in a transaction for its DML
    transactionalDdl: false,
    quote,
    async tableExists(table) {
      const [rows] = await conn.query(
        'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
        [table],
      );
      return Number((rows as Array<{ n: number }>)[0]?.n) > 0;
    },
    async ensureTable(table) {
      await conn.query(
        `CREATE TABLE IF NOT EXISTS ${quote(table)} (
  version VARCHAR(64) NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  sha256 CHAR(64) NOT NULL,
  applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  duration_ms INT NOT NULL
)`,
      );
    },
    async readApplied(table) {
      const [rows] = await conn.query(
        `SELECT version, name, sha256, applied_at, duration_ms FROM ${quote(table)} ORDER BY applied_at, version`,
      );
      return (rows as Array<AppliedRow & { applied_at: Date }>).map((row) => ({
        version: row.version,
        name: row.name,
        sha256: row.sha256,
        duration_ms: Number(row.duration_ms),
        applied_at: new Date(row.applied_at).toISOString(),
      }));
    },
    async execScript(sql) {
      await conn.query(sql);
    },
    async begin() {
      await conn.query('START TRANSACTION');
    },
    async commit() {
      await conn.query('COMMIT');
    },
    async rollback() {
      await conn.query('ROLLBACK');
    },
    async insertApplied(table, row) {
      await conn.query(
        `INSERT INTO ${quote(table)} (version, name, sha256, duration_ms) VALUES (?, ?, ?, ?)`,
        [row.version, row.name, row.sha256, row.duration_ms],
      );
    },
    async deleteApplied(table, version) {
      await conn.query(`DELETE FROM ${quote(table)} WHERE version = ?`, [version]);
    },
    async interrupt() {
      const other = await connectMysql('database-url', t, t.database, timeout);
      try {
        await other.query(`KILL QUERY ${Number(conn.threadId)}`);
      } finally {
        await other.end().catch(() => undefined);
      }
    },
    errorLine(err) {
      const m = /at line (\d+)/.exec(err instanceof Error ? err.message : '');
      return m ? Number(m[1]) : undefined;
    },
    async close() {
      await conn.end().catch(() => undefined);
    },
  };
}
