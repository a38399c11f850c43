import type pg from 'pg';
import { connectPostgres } from '../../db/connection.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, type ServerTarget } from '../../db/url.js';
import type { AppliedRow } from './check.js';
import { lineOfPosition, quoteIdent, type SqlDriver } from './driver.js';

/** statementTimeoutMs: the `timeout` input, so one stuck statement cannot hold the lock forever. */
export async function openPostgresDriver(
  t: ServerTarget,
  statementTimeoutMs?: number,
): Promise<SqlDriver> {
  const timeout = t.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const client: pg.Client = await connectPostgres(
    'database-url',
    t,
    t.database,
    timeout,
    'runbook-migrate',
  );
  if (statementTimeoutMs)
    await client.query(`SET statement_timeout = ${Math.round(statementTimeoutMs)}`);
  // the backend to cancel when the run is interrupted
  const backend = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = backend.rows[0]?.pid;
  const quote = (table: string): string => quoteIdent(table, '"');
  return {
    engine: 'postgres',
    transactionalDdl: true,
    quote,
    async tableExists(table) {
      const r = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [
        quote(table),
      ]);
      return r.rows[0]?.ok === true;
    },
    async ensureTable(table) {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${quote(table)} (
  version varchar(64) PRIMARY KEY,
  name text NOT NULL,
  sha256 char(64) NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  duration_ms integer NOT NULL
)`,
      );
    },
    async readApplied(table) {
      const r = await client.query<AppliedRow & { applied_at: Date }>(
        `SELECT version, name, sha256, applied_at, duration_ms FROM ${quote(table)} ORDER BY applied_at, version`,
      );
      return r.rows.map((row) => ({ ...row, applied_at: new Date(row.applied_at).toISOString() }));
    },
    async execScript(sql) {
      await client.query(sql);
    },
    async begin() {
      await client.query('BEGIN');
    },
    async commit() {
      await client.query('COMMIT');
    },
    async rollback() {
      await client.query('ROLLBACK');
    },
    async insertApplied(table, row) {
      await client.query(
        `INSERT INTO ${quote(table)} (version, name, sha256, duration_ms) VALUES ($1, $2, $3, $4)`,
        [row.version, row.name, row.sha256, row.duration_ms],
      );
    },
    async deleteApplied(table, version) {
      await client.query(`DELETE FROM ${quote(table)} WHERE version = $1`, [version]);
    },
    async interrupt() {
      const other = await connectPostgres(
        'database-url',
        t,
        t.database,
        timeout,
        'runbook-migrate',
      );
      try {
        await other.query('SELECT pg_cancel_backend($1)', [pid]);
      } finally {
        await other.end().catch(() => undefined);
      }
    },
    errorLine(err, sql) {
      const pos = Number((err as { position?: string }).position);
      return Number.isFinite(pos) && pos > 0 ? lineOfPosition(sql, pos) : undefined;
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}
