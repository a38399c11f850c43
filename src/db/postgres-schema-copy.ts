import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { errorMessage } from '../kit/errors.js';
import { ExecError, execArgv } from '../kit/exec.js';
import { redact } from '../kit/secrets.js';
import { connectPostgres } from './connection.js';
import { randomSuffix } from './engine.js';
import { pgConnectionEnv, pgMajorOfVersionNum } from './postgres-argv.js';
import { createDatabaseLike, databaseRights, dropDatabase } from './postgres-database.js';
import { findClient } from './postgres.js';
import type { ServerTarget } from './url.js';

/**
 * A scratch copy of a PostgreSQL database's schema on the same server, for migrate's dry run
 * of expect-schema in check mode (actions/migrate/README.md, "expect-schema"): a new database
 * with the live one's properties, its schema (pg_dump --schema-only) and the rows of the
 * migration tools' tracking tables, nothing else. The live database is only read (pg_dump
 * takes ACCESS SHARE locks), never changed; the copy is always dropped again.
 */

export interface SchemaCopy {
  /** the copy: the live target with another database name (and DATABASE_URL) */
  target: ServerTarget;
  /** drops the copy (ending its sessions) and closes the admin connection; true when gone */
  drop(): Promise<boolean>;
}

export interface SchemaCopyOptions {
  connectTimeoutMs: number;
  /** per pg_dump/psql run */
  timeoutMs: number;
  /** where the dump files go (removed afterwards) */
  tempDir: string;
  /** tracking tables of the migration tools, copied with their rows when they exist */
  trackingTables: readonly string[];
  signal?: AbortSignal;
  log: (line: string) => void;
}

const APP = 'runbook-migrate:dry-run';

/** `<db>_dryrun_<8 hex>` within PostgreSQL's 63-byte name limit. */
export function copyName(live: string): string {
  let head = live.slice(0, 40);
  while (Buffer.byteLength(head) > 40) head = head.slice(0, -1);
  return `${head}_dryrun_${randomSuffix()}`;
}

/**
 * The live URL pointing at another database: the migration tools get DATABASE_URL from it,
 * so it must never still name the live database. Without a URL, undefined (the tools then
 * get one built from the target).
 */
export function urlWithDatabase(url: string | undefined, database: string): string | undefined {
  if (url === undefined) return undefined;
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  // libpq and SQLAlchemy let a dbname parameter override the path
  for (const k of ['dbname', 'database']) if (u.searchParams.has(k)) u.searchParams.delete(k);
  return u.toString();
}

/** A pg_dump `--table` pattern naming exactly one table (quoted: no case folding, no wildcards). */
const tablePattern = (schema: string, name: string): string =>
  [schema, name].map((p) => `"${p.replace(/"/g, '""')}"`).join('.');

async function existingTables(admin: pg.Client, names: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const n of names) {
    const r = await admin.query<{ s: string; t: string }>(
      `SELECT n.nspname AS s, c.relname AS t FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
      [n],
    );
    for (const row of r.rows) found.add(tablePattern(row.s, row.t));
  }
  return [...found];
}

/**
 * A schema-only dump creates materialized views WITH NO DATA; a migration that reads one or
 * refreshes it CONCURRENTLY would fail on the copy only. Refreshing them over the empty
 * tables is instant; one that depends on another waits for the next round.
 */
const POPULATE_MATVIEWS = `DO $dryrun$
DECLARE r record; failed int; done int;
BEGIN
  LOOP
    failed := 0; done := 0;
    FOR r IN SELECT oid::regclass AS v FROM pg_class WHERE relkind = 'm' AND NOT relispopulated LOOP
      BEGIN
        EXECUTE format('REFRESH MATERIALIZED VIEW %s', r.v);
        done := done + 1;
      EXCEPTION WHEN others THEN failed := failed + 1;
      END;
    END LOOP;
    EXIT WHEN failed = 0 OR done = 0;
  END LOOP;
END $dryrun$;
`;

/** The first line saying what went wrong in a pg_dump/psql failure. */
function firstError(lines: readonly string[], err: unknown): string {
  const line = lines.find((l) => /\b(ERROR|FATAL|error):/.test(l)) ?? lines.find((l) => l.trim());
  // psql prefixes its errors with the dump file's temp path and line: noise for the reader
  return redact(line?.trim().replace(/^psql:[^:]*:\d+: /, '') ?? errorMessage(err));
}

/**
 * Makes the copy, or returns why it cannot be made (the user may not create databases, no
 * matching pg_dump, a dump or load error): nothing is left behind in that case.
 */
export async function copyPostgresSchema(
  live: ServerTarget,
  opts: SchemaCopyOptions,
): Promise<SchemaCopy | string> {
  const admin = await connectPostgres(
    'database-url',
    live,
    live.database,
    opts.connectTimeoutMs,
    APP,
  );
  let name: string | undefined;
  let handedOver = false;
  let dir: string | undefined;
  const drop = async (): Promise<boolean> => {
    try {
      return name === undefined ? true : await dropDatabase(admin, name);
    } finally {
      await admin.end().catch(() => undefined);
    }
  };
  try {
    dir = mkdtempSync(join(opts.tempDir, 'migrate-pg-copy-'));
    const rights = await databaseRights(admin, live.database);
    if (!rights.superuser && !rights.createdb)
      return 'the database user cannot create databases (CREATEDB), which the dry run needs';
    const v = await admin.query<{ num: string; v: string }>(
      `SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS v`,
    );
    const version = v.rows[0].v.split(' ')[0];
    let binDir: string | undefined;
    try {
      binDir = (await findClient(pgMajorOfVersionNum(Number(v.rows[0].num)), version)).binDir;
    } catch (err) {
      return errorMessage(err);
    }
    const tool = (n: string): string => (binDir ? join(binDir, n) : n);
    const tracking = await existingTables(admin, opts.trackingTables);

    name = copyName(live.database);
    let warnings: string[];
    try {
      warnings = await createDatabaseLike(admin, name, live.database);
    } catch (err) {
      throw new CopyFailed(`creating ${name} failed: ${redact(errorMessage(err))}`);
    }
    for (const w of warnings) opts.log(`dry run copy: ${w}`);
    const copy: ServerTarget = { ...live, database: name, url: urlWithDatabase(live.url, name) };
    opts.log(`dry run: copying the schema of '${live.database}' into '${name}'`);

    const run = async (label: string, argv: string[], env: ServerTarget): Promise<void> => {
      const lines: string[] = [];
      try {
        await execArgv(argv, {
          env: { ...pgConnectionEnv(env, env.database, opts.connectTimeoutMs), PGAPPNAME: APP },
          stdout: 'ignore',
          timeoutMs: opts.timeoutMs,
          signal: opts.signal,
          label,
          onStderrLine: (l) => lines.push(l),
        });
      } catch (err) {
        if (err instanceof ExecError && !opts.signal?.aborted)
          throw new CopyFailed(`${label} failed: ${firstError(lines, err)}`);
        throw err;
      }
    };
    const schemaFile = join(dir, 'schema.sql');
    const dataFile = join(dir, 'tracking.sql');
    const common = ['--no-password', '--no-owner', '--no-privileges', '--no-tablespaces'];
    await run(
      'pg_dump --schema-only',
      [
        tool('pg_dump'),
        ...common,
        '--schema-only',
        '--no-publications',
        '--no-subscriptions',
        '--no-security-labels',
        `--file=${schemaFile}`,
      ],
      live,
    );
    const files = [schemaFile];
    if (tracking.length) {
      await run(
        'pg_dump --data-only',
        [
          tool('pg_dump'),
          ...common,
          '--data-only',
          `--file=${dataFile}`,
          ...tracking.map((t) => `--table=${t}`),
        ],
        live,
      );
      files.push(dataFile);
    }
    writeFileSync(join(dir, 'populate.sql'), POPULATE_MATVIEWS);
    files.push(join(dir, 'populate.sql'));
    await run(
      'psql (loading the copy)',
      [
        tool('psql'),
        '--no-password',
        '--no-psqlrc',
        '--quiet',
        '--set=ON_ERROR_STOP=1',
        '--single-transaction',
        ...files.map((f) => `--file=${f}`),
      ],
      copy,
    );
    handedOver = true;
    return { target: copy, drop };
  } catch (err) {
    if (err instanceof CopyFailed) return err.message;
    throw err;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (!handedOver) {
      const gone = await drop().catch(() => false);
      if (!gone) opts.log(`could not drop the scratch database '${name}'; drop it by hand`);
    }
  }
}

class CopyFailed extends Error {}
