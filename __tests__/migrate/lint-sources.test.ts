import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintSources } from '../../src/migrations/lint/index.js';
import { lintSourcesFor } from '../../src/migrations/lint/sources.js';
import type { Plan, ToolContext } from '../../src/migrations/types.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lint-sources-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const ctx = (cwd: string): ToolContext => ({
  cwd,
  lockWaitMs: 0,
  timeoutMs: 0,
  migrationsDir: 'migrations',
  migrationsTable: 'schema_migrations',
  python: 'python3',
  log: () => undefined,
});
const plan = (toApply: string[], preview?: string): Plan => ({
  state: {},
  applied: [],
  pending: toApply,
  toApply,
  preview,
});

describe('what lint reads for each tool', () => {
  test("Prisma: each pending migration's migration.sql", async () => {
    const cwd = project({
      'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "User" (id bigint);\n',
      'prisma/migrations/20240102000000_index/migration.sql':
        '-- CreateIndex\nCREATE INDEX "User_id_idx" ON "User"("id");\n',
    });
    const sources = lintSourcesFor('prisma', ctx(cwd), plan(['20240102000000_index']), cwd);
    expect(sources.map((s) => s.file)).toEqual([
      'prisma/migrations/20240102000000_index/migration.sql',
    ]);
    const f = await lintSources(sources);
    expect(f.map((x) => [x.rule, x.file, x.line])).toEqual([
      [
        'require-concurrent-index-creation',
        'prisma/migrations/20240102000000_index/migration.sql',
        2,
      ],
      ['require-timeout-settings', 'prisma/migrations/20240102000000_index/migration.sql', 2],
    ]);
  });

  test('sql tool, dbmate layout: only the up section, at the file lines', async () => {
    const cwd = project({
      'migrations/20240101000000_x.sql':
        '-- migrate:up\nALTER TABLE users DROP COLUMN legacy;\n-- migrate:down\nDROP TABLE users;\n',
    });
    const sources = lintSourcesFor('sql', ctx(cwd), plan(['20240101000000_x.sql']), cwd);
    const f = await lintSources(sources, {
      mode: 'error',
      rules: { 'require-timeout-settings': 'off' },
    });
    // the down section's DROP TABLE is not what apply runs
    expect(f.map((x) => [x.rule, x.file, x.line])).toEqual([
      ['ban-drop-column', 'migrations/20240101000000_x.sql', 2],
    ]);
  });

  test('alembic offline SQL: split per revision, the transaction it opens is seen', async () => {
    const cwd = project({
      'migrations/versions/aa01_one.py':
        'revision = "aa01"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n',
      'migrations/versions/bb02_two.py':
        'revision: str = "bb02"\ndown_revision = "aa01"\n\n\ndef upgrade():\n    pass\n',
    });
    const preview = [
      'BEGIN;',
      '',
      '-- Running upgrade  -> aa01',
      '',
      'CREATE TABLE t (id bigint);',
      '',
      "UPDATE alembic_version SET version_num='aa01';",
      '',
      '-- Running upgrade aa01 -> bb02',
      '',
      'CREATE INDEX CONCURRENTLY t_id ON t (id);',
      '',
      'COMMIT;',
      '',
    ].join('\n');
    const sources = lintSourcesFor('alembic', ctx(cwd), plan(['aa01', 'bb02'], preview), cwd);
    expect(sources.map((s) => s.file)).toEqual([
      'migrations/versions/aa01_one.py',
      'migrations/versions/bb02_two.py',
    ]);
    const f = await lintSources(sources);
    expect(f.map((x) => [x.rule, x.file, x.line])).toEqual([
      ['ban-concurrent-index-creation-in-transaction', 'migrations/versions/bb02_two.py', 5],
    ]);
  });
});
