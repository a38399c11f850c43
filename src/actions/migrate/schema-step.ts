import * as core from '@actions/core';
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
