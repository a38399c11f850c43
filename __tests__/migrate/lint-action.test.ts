import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import type { ActionRun } from '../support/run-action.js';
import type { LintFinding } from '../../src/migrations/lint/index.js';
import { copyFixture, expectFailure, expectOk, migrate, PYTHON, sqlWorkspace } from './helpers.js';

let server: PostgresServer;
let n = 0;
beforeAll(async () => {
  server = await startPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function newDatabase(): Promise<string> {
  const name = `lint_${++n}`;
  await server.createDatabase(name);
  return name;
}

/**
 * check failed on lint: each error finding is an annotation (`::error file=…,line=…`) and the
 * step's own error comes last, naming them.
 */
function expectLintFailure(run: ActionRun, message: RegExp): void {
  expect(run.exitCode).toBe(1);
  expect(run.errors.at(-1)).toMatch(message);
  const annotations = run.errors.slice(0, -1);
  expect(annotations.length).toBeGreaterThan(0);
  for (const a of annotations) expect(a).toMatch(/^[a-z-]+ (on \S+ \(.*\))?: /);
}

const findings = (run: { outputs: Record<string, string> }): LintFinding[] =>
  JSON.parse(run.outputs['lint-findings'] ?? 'null') as LintFinding[];

describe('lint in check and plan (sql tool)', () => {
  test('a pending non-concurrent index on a real table: annotated at file:line with its size; check fails, plan reports', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({
      '0001_orders.sql':
        'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, note text);\n',
      '0002_index.sql':
        "SET lock_timeout = '5s';\n-- the index the new report needs\nCREATE INDEX orders_user ON orders (user_id);\n",
    });
    const base = { tool: 'sql', 'database-url': server.url(db), 'require-backup': 'false' };
    expectOk(await migrate({ ...base, target: '0001' }, ws, [server.password]));
    await server.query(
      "INSERT INTO orders SELECT g, g % 100, repeat('x', 200) FROM generate_series(1, 20000) g",
      [],
      db,
    );
    await server.query('ANALYZE orders', [], db);

    const check = await migrate({ ...base, mode: 'check' }, ws, [server.password]);
    expectLintFailure(
      check,
      /^lint found 1 problem\(s\) that lock or break production: require-concurrent-index-creation at migrations\/0002_index\.sql:3/,
    );
    // the annotation the runner turns into a comment on the pull request's diff
    expect(check.stdout).toMatch(
      /::error title=migrate lint%3A require-concurrent-index-creation,file=migrations\/0002_index\.sql,line=3::require-concurrent-index-creation on orders \(~20,000 rows, [\d.]+ [MK]i?B\)/,
    );
    const [f] = findings(check);
    expect(f).toMatchObject({
      rule: 'require-concurrent-index-creation',
      severity: 'error',
      file: 'migrations/0002_index.sql',
      line: 3,
      table: 'orders',
      rows: 20000,
      excerpt: 'CREATE INDEX orders_user ON orders (user_id)',
    });
    expect(f.bytes).toBeGreaterThan(4_000_000);
    expect(check.summary).toContain('migrations/0002_index.sql:3');
    expect(check.summary).toContain('CREATE INDEX CONCURRENTLY');

    // plan shows the same findings for the sign-off, and does not fail on them
    const plan = await migrate({ ...base, mode: 'plan' }, ws, [server.password]);
    expectOk(plan);
    expect(findings(plan).map((x) => [x.rule, x.line])).toEqual([
      ['require-concurrent-index-creation', 3],
    ]);

    // lint: warning keeps the annotations and lets check pass
    const warn = await migrate({ ...base, mode: 'check', lint: 'warning' }, ws, [server.password]);
    expectOk(warn);
    expect(warn.stdout).toContain(
      '::warning title=migrate lint%3A require-concurrent-index-creation',
    );

    // the concurrent form passes
    writeFileSync(
      join(ws, 'migrations/0002_index.sql'),
      'CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);\n',
    );
    const fixed = await migrate({ ...base, mode: 'check' }, ws, [server.password]);
    expectOk(fixed);
    expect(findings(fixed)).toEqual([]);
  });

  test('a bad lint-rules entry: one clear error naming the input, before connecting', async () => {
    const ws = sqlWorkspace({ '0001_a.sql': 'SELECT 1;\n' });
    const run = await migrate(
      {
        tool: 'sql',
        'database-url': 'postgres://app:S3cret-pw@127.0.0.1:1/none',
        mode: 'check',
        'lint-rules': 'prefer-text-feld: off',
      },
      ws,
    );
    expectFailure(run, /^Input 'lint-rules': 'prefer-text-feld' is not a lint rule/);
  });

  test('a non-PostgreSQL engine is not linted, and the summary says so', async () => {
    // no server needed: the engine is known from the URL; sqlite stands in for a non-PostgreSQL engine
    const ws = sqlWorkspace({ '0001_a.sql': 'CREATE INDEX a_x ON a (x);\n' });
    const run = await migrate(
      { tool: 'sql', 'database-url': 'sqlite:app.db', mode: 'plan', 'require-backup': 'false' },
      ws,
    );
    expectOk(run);
    expect(findings(run)).toEqual([]);
    expect(run.summary).toContain('the linter is PostgreSQL-only for now; not run on sqlite');
  });
});

describe('lint maps generated SQL back to the migration file', () => {
  test('alembic: an unapplied revision adding an index non-concurrently', async () => {
    const db = await newDatabase();
    const ws = copyFixture('alembic');
    const inputs = { 'database-url': server.url(db), python: PYTHON, 'require-backup': 'false' };
    expectOk(await migrate({ ...inputs, target: '2b3c4d5e6f02' }, ws, [server.password]));
    const check = await migrate({ ...inputs, mode: 'check' }, ws, [server.password]);
    expectLintFailure(check, /lint found \d+ problem\(s\)/);
    const hits = findings(check).filter((x) => x.rule === 'require-concurrent-index-creation');
    expect(hits).toEqual([
      expect.objectContaining({
        file: 'migrations/versions/3c4d5e6f7a03_add_user_email.py',
        line: 15, // def upgrade()
        table: 'users',
        excerpt: expect.stringMatching(/^CREATE UNIQUE INDEX ix_users_email ON users \(email\)/),
      }),
    ]);
  });

  test('django: an unapplied migration adding an index non-concurrently', async () => {
    const db = await newDatabase();
    const ws = copyFixture('django');
    const inputs = { 'database-url': server.url(db), python: PYTHON, 'require-backup': 'false' };
    expectOk(await migrate(inputs, ws, [server.password]));
    writeFileSync(
      join(ws, 'catalog/migrations/0003_price_index.py'),
      [
        'from django.db import migrations, models',
        '',
        '',
        'class Migration(migrations.Migration):',
        '    dependencies = [("catalog", "0002_add_price")]',
        '    operations = [',
        '        migrations.AddIndex(',
        '            model_name="product",',
        '            index=models.Index(fields=["price_cents"], name="product_price_idx"),',
        '        ),',
        '    ]',
        '',
      ].join('\n'),
    );
    const check = await migrate({ ...inputs, mode: 'check' }, ws, [server.password]);
    expectLintFailure(
      check,
      /require-concurrent-index-creation at catalog\/migrations\/0003_price_index\.py:6/,
    );
    expect(findings(check).filter((x) => x.severity === 'error')).toEqual([
      expect.objectContaining({
        rule: 'require-concurrent-index-creation',
        file: 'catalog/migrations/0003_price_index.py',
        line: 6,
        excerpt: expect.stringMatching(/^CREATE INDEX "product_price_idx" ON "catalog_product"/),
      }),
    ]);
  });
});
