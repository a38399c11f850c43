import { errorMessage } from '../../kit/errors.js';
import { redact } from '../../kit/secrets.js';
import { connectPostgres } from '../../db/connection.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, type DatabaseTarget } from '../../db/url.js';
import type { LintFinding } from './index.js';

/**
 * Live context for the findings: each touched table's estimated row count (reltuples, kept
 * current by autovacuum/ANALYZE) and total size (table, indexes, TOAST) from pg_class. Read
 * only; a failure leaves the findings without sizes and returns the reason.
 */
export async function addTableContext(
  t: DatabaseTarget,
  findings: LintFinding[],
): Promise<string | undefined> {
  const tables = [...new Set(findings.flatMap((f) => (f.table ? [f.table] : [])))];
  if (t.engine !== 'postgres' || tables.length === 0) return undefined;
  let client;
  try {
    client = await connectPostgres(
      'database-url',
      t,
      t.database,
      t.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      'runbook-migrate-lint',
    );
    const r = await client.query<{ name: string; rows: string | null; bytes: string | null }>(
      `SELECT q.name,
              CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END AS rows,
              pg_total_relation_size(c.oid) AS bytes
         FROM unnest($1::text[]) AS q(name)
         JOIN pg_class c ON c.oid = to_regclass(q.name)`,
      [tables],
    );
    const byName = new Map(r.rows.map((row) => [row.name, row]));
    for (const f of findings) {
      const row = f.table ? byName.get(f.table) : undefined;
      if (!row) continue;
      if (row.rows !== null) f.rows = Number(row.rows);
      if (row.bytes !== null) f.bytes = Number(row.bytes);
    }
    return undefined;
  } catch (err) {
    return redact(errorMessage(err));
  } finally {
    await client?.end().catch(() => undefined);
  }
}
