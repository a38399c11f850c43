import { errorMessage } from '../../kit/errors.js';
import { redact } from '../../kit/secrets.js';
import { parseDatabaseUrl } from '../../db/url.js';
import type { DatabaseTarget } from '../../db/url.js';
import { conditionHolds } from '../condition.js';
import type { NoDataPolicy, ProbeResult, SqlProbeSpec } from '../types.js';
import type { Probe } from './probe.js';
import { lexedQueryProblem, lineOf, pgQueryProblem } from './sql-guard.js';

/**
 * A query whose single value is checked with a condition: "orphaned rows = 0", "failed
 * jobs in the last 5 minutes / all < 0.1". It runs in a read-only transaction (PostgreSQL,
 * MySQL/MariaDB) or on a read-only connection (SQLite), with the probe's timeout as the
 * statement timeout, on a connection opened for the sample and closed after it — a dropped
 * connection costs one failed sample, not the gate. A statement that is not a query is
 * refused once, before the first sample, and fails the gate (a fatal sample).
 */
export function sqlProbe(spec: SqlProbeSpec, noData: NoDataPolicy): Probe {
  let checked: Promise<{ target: DatabaseTarget; problem?: string }> | undefined;
  const prepare = async (): Promise<{ target: DatabaseTarget; problem?: string }> => {
    const target = parseDatabaseUrl('probes', spec.url, process.cwd());
    const problem =
      target.engine === 'postgres'
        ? await pgQueryProblem(spec.query)
        : lexedQueryProblem(spec.query, target.engine);
    return { target, problem };
  };
  return {
    spec,
    async sample(stop: AbortSignal): Promise<ProbeResult | undefined> {
      const started = performance.now();
      const done = (r: Omit<ProbeResult, 'durationMs'>): ProbeResult | undefined =>
        stop.aborted ? undefined : { ...r, durationMs: performance.now() - started };
      let prepared: { target: DatabaseTarget; problem?: string };
      try {
        checked ??= prepare();
        prepared = await checked;
      } catch (err) {
        return done({ ok: false, fatal: true, error: redact(errorMessage(err)) });
      }
      if (prepared.problem) {
        return done({
          ok: false,
          fatal: true,
          error: `the query ${prepared.problem}; it was not run`,
        });
      }
      let raw: unknown;
      try {
        raw = await queryOneValue(prepared.target, spec.query, spec.timeoutMs);
      } catch (err) {
        return done({ ok: false, error: queryError(spec.query, err) });
      }
      if (raw === undefined) {
        return noData === 'ignore'
          ? done({ ok: true, noData: true, error: 'no row (ignored: no-data ignore)' })
          : done({ ok: false, noData: true, error: 'the query returned no row' });
      }
      const value =
        typeof raw === 'bigint' ? Number(raw) : typeof raw === 'string' ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return done({
          ok: false,
          error: `the query returned ${JSON.stringify(raw)}, not a number`,
        });
      }
      const ok = conditionHolds(spec.condition, value);
      return done({
        ok,
        value,
        error: ok ? undefined : `value ${value} is not ${spec.condition.text}`,
      });
    },
  };
}

function queryError(query: string, err: unknown): string {
  const e = err as { position?: string; message?: string };
  const where = e.position ? ` (${lineOf(query, Number(e.position))})` : '';
  return `query failed${where}: ${redact(errorMessage(err))}`;
}

/** The first column of the first row, or undefined when there is no row. */
async function queryOneValue(
  t: DatabaseTarget,
  query: string,
  timeoutMs: number,
): Promise<unknown> {
  if (t.engine === 'sqlite') {
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(t.path, { readOnly: true, timeout: timeoutMs });
    try {
      const row = db.prepare(query).get() as Record<string, unknown> | undefined;
      return row === undefined ? undefined : Object.values(row)[0];
    } finally {
      db.close();
    }
  }
  if (t.engine === 'postgres') {
    const { connect } = await import('../../db/postgres.js');
    const client = await connect('probes', t, t.database, timeoutMs);
    try {
      await client.query('BEGIN TRANSACTION READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
      const r = await client.query({ text: query, rowMode: 'array' });
      await client.query('ROLLBACK');
      const row = r.rows[0] as unknown[] | undefined;
      return row === undefined ? undefined : row[0];
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const { connect } = await import('../../db/mysql.js');
  const conn = await connect('probes', t, t.database, timeoutMs);
  try {
    await conn.query('START TRANSACTION READ ONLY');
    const [rows] = await conn.query({ sql: query, rowsAsArray: true, timeout: timeoutMs });
    await conn.query('ROLLBACK');
    const row = (rows as unknown[][])[0];
    return row === undefined ? undefined : row[0];
  } finally {
    await conn.end().catch(() => undefined);
  }
}
