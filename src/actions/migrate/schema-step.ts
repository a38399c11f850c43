import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { createMigrationTool, type ToolContext } from '../../migrations/index.js';
import type { MigrateSettings } from './settings.js';
import { setOutput } from '../../kit/run-action.js';
import { heading, raw, resultTable } from '../../kit/summary.js';
import type { DatabaseTarget } from '../../db/url.js';
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
 * check mode: apply the pending migrations to a copy of the database and compare the copy.
 * Only where a copy is cheap and faithful: the sql tool on SQLite (VACUUM INTO). PostgreSQL's
 * transactional DDL would allow a rolled-back run on the live database, but it would hold
 * ACCESS EXCLUSIVE locks on production tables during a check, so it is not done.
 */
export async function dryRunSchema(
  s: MigrateSettings,
  ctx: ToolContext,
): Promise<SchemaProblem[] | string> {
  const expected = s.expectSchema;
  const db = s.database;
  if (!expected || !db) return 'no expect-schema';
  if (s.tool !== 'sql' || db.engine !== 'sqlite')
    return 'check compares expect-schema only for the sql tool on SQLite (a dry run on a copy); apply checks it on every engine';
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
    const tool = createMigrationTool('sql', { ...ctx, database: copy, log: () => undefined });
    const r = await tool.apply(s.target);
    core.info(`expect-schema: dry run applied ${r.applied.length} migration(s) to a copy`);
    return await checkSchema(expected, copy);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
