import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { ApplyFailedError, createMigrationTool, type ToolContext } from '../../migrations/index.js';
import type { MigrateSettings } from './settings.js';
import { setOutput } from '../../kit/run-action.js';
import { heading, raw, resultTable } from '../../kit/summary.js';
import type { DatabaseTarget, ServerTarget } from '../../db/url.js';
import { copyPostgresSchema } from '../../db/postgres-schema-copy.js';
import { copyMysqlSchema } from '../../db/mysql-schema-copy.js';
import { UserError, errorMessage } from '../../kit/errors.js';
import { redact } from '../../kit/secrets.js';
import { CancelledError, watchCancellation } from '../../kit/cancellation.js';
import {
  compareSchema,
  type SchemaExpectation,
  type SchemaProblem,
} from '../../migrations/expect-schema.js';
import { readSchema } from '../../migrations/schema-reader.js';

/** Reads the named tables and compares them; sets the schema-check output. */
export async function checkSchema(
  expected: SchemaExpectation,
  database: DatabaseTarget,
): Promise<SchemaProblem[]> {
  const actual = await readSchema(database, expected.tables);
  const problems = compareSchema(expected, actual, database.engine);
  setOutput('schema-check', { ok: problems.length === 0, problems });
  core.info(
    problems.length
      ? `expect-schema: ${problems.length} problem(s)`
      : `expect-schema: ${expected.tables.length} table(s) as expected`,
  );
  return problems;
}

export function writeSchemaSummary(problems: SchemaProblem[] | undefined): void {
  if (!problems) return;
  heading(`Schema: ${problems.length ? `${problems.length} problem(s)` : 'as expected'}`, 3);
  if (!problems.length) {
    raw('Every table and column named in expect-schema is as expected.\n');
    return;
  }
  resultTable(
    ['Table', 'Column', 'Expected', 'Actual'],
    problems.map((p) => [p.table, p.column, p.expected, p.actual]),
  );
}

/**
 * check mode: apply the pending migrations to a copy of the database and compare the copy;
 * the live database is never changed. SQLite (sql tool): a VACUUM INTO copy of the file.
 * PostgreSQL and MySQL/MariaDB (sql, alembic, django): a scratch database on the same server
 * holding the schema and the tracking tables' rows, dropped afterwards
 * (db/postgres-schema-copy.ts, db/mysql-schema-copy.ts). A
 * rolled-back run on the live database is not used: it would hold ACCESS EXCLUSIVE locks on
 * production tables during a check. The copy has no data, so the dry run checks the shape
 * the migrations produce, not what they do to rows. Returns why it was not checked when a
 * copy cannot be made (the tool, the engine, the user's rights).
 */
export async function dryRunSchema(
  s: MigrateSettings,
  ctx: ToolContext,
): Promise<SchemaProblem[] | string> {
  const expected = s.expectSchema;
  const db = s.database;
  if (!expected || !db) return 'no expect-schema';
  if (db.engine !== 'sqlite') return dryRunServer(s, ctx, expected, db);
  if (s.tool !== 'sql')
    return `the ${s.tool} tool is not dry-run on SQLite (only the sql tool); apply checks expect-schema`;
  const dir = mkdtempSync(join(s.runnerTemp, 'migrate-dry-run-'));
  try {
    const copy: DatabaseTarget = {
      engine: 'sqlite',
      path: join(dir, db.database),
      database: db.database,
    };
    if (existsSync(db.path)) {
      const { DatabaseSync } = await import('node:sqlite');
      const source = new DatabaseSync(db.path, { readOnly: true, timeout: 10_000 });
      try {
        source.prepare('VACUUM INTO ?').run(copy.path);
      } finally {
        source.close();
      }
    }
    return await applyToCopy(s, ctx, expected, copy);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The tools whose migrations can be applied to a scratch database on the server. */
const SERVER_DRY_RUN_TOOLS = new Set(['sql', 'alembic', 'django']);
/** Tables the tools record applied migrations in: copied with their rows. */
const TRACKING_TABLES = [
  'schema_migrations',
  'flyway_schema_history',
  'alembic_version',
  'django_migrations',
];

async function dryRunServer(
  s: MigrateSettings,
  ctx: ToolContext,
  expected: SchemaExpectation,
  db: ServerTarget,
): Promise<SchemaProblem[] | string> {
  if (!SERVER_DRY_RUN_TOOLS.has(s.tool))
    return `the ${s.tool} tool is not dry-run (only sql, alembic and django); apply checks expect-schema`;
  // the sql tool's run is cancelled through ctx.signal (main.ts); for the others this keeps
  // the process alive after SIGINT/SIGTERM until their command ends and the copy is dropped
  const watch = ctx.signal ? undefined : watchCancellation((line) => core.warning(line));
  const signal = ctx.signal ?? watch?.signal;
  try {
    const copySchema = db.engine === 'postgres' ? copyPostgresSchema : copyMysqlSchema;
    const copy = await copySchema(db, {
      connectTimeoutMs: s.connectTimeoutMs,
      timeoutMs: s.timeoutMs,
      tempDir: s.runnerTemp,
      trackingTables: [s.migrationsTable, ...TRACKING_TABLES],
      signal,
      log: (line) => core.info(line),
    });
    if (typeof copy === 'string') return copy;
    try {
      const problems = await applyToCopy(s, { ...ctx, signal }, expected, copy.target);
      if (watch?.by) throw new CancelledError(watch.by, 'the expect-schema dry run was stopped');
      return problems;
    } finally {
      const gone = await copy.drop().catch((err: unknown) => {
        core.warning(`dropping the scratch database failed: ${redact(errorMessage(err))}`);
        return false;
      });
      if (gone) core.info(`expect-schema: scratch database '${copy.target.database}' dropped`);
      else core.warning(`scratch database '${copy.target.database}' is left; drop it by hand`);
    }
  } finally {
    watch?.dispose();
  }
}

/** Applies the pending migrations (up to target) to the copy and compares it. */
async function applyToCopy(
  s: MigrateSettings,
  ctx: ToolContext,
  expected: SchemaExpectation,
  copy: DatabaseTarget,
): Promise<SchemaProblem[]> {
  const tool = createMigrationTool(s.tool, {
    ...ctx,
    database: copy,
    log: (line) => core.debug(redact(line)),
  });
  let applied: number;
  try {
    applied = (await tool.apply(s.target)).applied.length;
  } catch (err) {
    // the partial result is the copy's: it must not become the run's applied/current outputs
    if (err instanceof ApplyFailedError)
      throw new UserError(`dry run on a copy of the database: ${err.message}`);
    throw err;
  }
  core.info(`expect-schema: dry run applied ${applied} migration(s) to a copy`);
  return checkSchema(expected, copy);
}
