import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { expectFailure, expectOk, json, migrate, read, revert, sqlWorkspace } from './helpers.js';

let server: PostgresServer;
let n = 0;
beforeAll(async () => {
  server = await startPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function newDatabase(): Promise<string> {
  const name = `layout_${++n}`;
  await server.createDatabase(name);
  return name;
}

const inputs = (db: string, extra: Record<string, string> = {}) => ({
  tool: 'sql',
  'database-url': server.url(db),
  'require-backup': 'false',
  ...extra,
});

const tables = async (db: string): Promise<string[]> =>
  (
    await server.query<{ t: string }>(
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
      [],
      db,
    )
  ).map((r) => r.t);

const tracked = async (db: string) =>
  (
    await server.query<{ version: string; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY applied_at, version',
      [],
      db,
    )
  ).map((r) => `${r.version}:${r.name}`);

describe('golang-migrate layout', () => {
  test('check, plan, apply, status, revert; names stored without .up', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({
      '1_init_schema.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      '1_init_schema.down.sql': 'DROP TABLE users;\n',
      '2_add_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY);\n',
      '2_add_orders.down.sql': 'DROP TABLE orders;\n',
    });
    expectOk(await migrate(inputs(db, { mode: 'check' }), ws, [server.password]));
    const plan = await migrate(inputs(db, { mode: 'plan' }), ws, [server.password]);
    expectOk(plan);
    expect(json(plan, 'pending')).toEqual(['1_init_schema.up.sql', '2_add_orders.up.sql']);
    expect(await tables(db)).toEqual([]);

    const apply = await migrate(inputs(db), ws, [server.password]);
    expectOk(apply);
    expect(json(apply, 'current-state')).toEqual({ version: '2' });
    expect(await tracked(db)).toEqual(['1:init_schema', '2:add_orders']);
    const status = await migrate(inputs(db, { mode: 'status' }), ws, [server.password]);
    expect(json(status, 'pending')).toEqual([]);

    const r = await revert('sql', ws, server.url(db), '{"version": "1"}');
    expect(r.reverted).toEqual(['2_add_orders']);
    expect(await tables(db)).toEqual(['schema_migrations', 'users']);
  });
});

describe('flyway layout', () => {
  test('V1.10 after V1.9, repeatable re-run on change, U files revert', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({
      'V1__init.sql': 'CREATE TABLE steps (n text);\n',
      'V1.9__nine.sql': "INSERT INTO steps VALUES ('1.9');\n",
      'V1.10__ten.sql': "INSERT INTO steps VALUES ('1.10');\n",
      'U1.9__nine.sql': "DELETE FROM steps WHERE n = '1.9';\n",
      'U1.10__ten.sql': "DELETE FROM steps WHERE n = '1.10';\n",
      'R__steps_view.sql': 'CREATE OR REPLACE VIEW steps_view AS SELECT n FROM steps;\n',
    });
    expectOk(await migrate(inputs(db, { mode: 'check' }), ws, [server.password]));
    const plan = await migrate(inputs(db, { mode: 'plan' }), ws, [server.password]);
    expect(json(plan, 'pending')).toEqual([
      'V1__init.sql',
      'V1.9__nine.sql',
      'V1.10__ten.sql',
      'R__steps_view.sql',
    ]);
    const apply = await migrate(inputs(db, { target: '1.10' }), ws, [server.password]);
    expectOk(apply);
    expect(json(apply, 'current-state')).toEqual({ version: '1.10' });
    expect(await server.query('SELECT n FROM steps', [], db)).toEqual([
      { n: '1.9' },
      { n: '1.10' },
    ]);
    expect(await tracked(db)).toEqual([
      '1:init',
      '1.9:nine',
      '1.10:ten',
      'R__steps_view:steps_view',
    ]);

    // unchanged: nothing to do; changed: the repeatable runs again, its row replaced
    const again = await migrate(inputs(db), ws, [server.password]);
    expect(json(again, 'applied')).toEqual([]);
    writeFileSync(
      join(ws, 'migrations/R__steps_view.sql'),
      "CREATE OR REPLACE VIEW steps_view AS SELECT n, 'v2' AS rev FROM steps;\n",
    );
    const rerun = await migrate(inputs(db), ws, [server.password]);
    expectOk(rerun);
    expect(json(rerun, 'applied')).toEqual(['R__steps_view.sql']);
    expect(json(rerun, 'current-state')).toEqual({ version: '1.10' });
    expect(await server.query('SELECT DISTINCT rev FROM steps_view', [], db)).toEqual([
      { rev: 'v2' },
    ]);
    expect((await tracked(db)).filter((t) => t.startsWith('R__'))).toHaveLength(1);

    const r = await revert(
      'sql',
      ws,
      server.url(db),
      json(apply, 'previous-state') ? '{"version": "1"}' : '',
    );
    expect(r.reverted).toEqual(['1.10_ten', '1.9_nine']);
    expect(r.current).toEqual({ version: '1' });
    expect(await server.query('SELECT n FROM steps', [], db)).toEqual([]);
  });

  test('a Flyway-named file in a runbook directory is misnamed, and layout: runbook says so', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({ 'V1__init.sql': 'SELECT 1;\n', '0002_x.sql': 'SELECT 2;\n' });
    const run = await migrate(inputs(db, { mode: 'check', layout: 'runbook' }), ws, [
      server.password,
    ]);
    expectFailure(run, /V1__init\.sql is not named <version>_<name>\.sql.*\(layout runbook\)/);
  });
});

describe('dbmate layout', () => {
  const DBMATE = {
    '20240101000000_create_users.sql': [
      '-- migrate:up',
      'CREATE TABLE users (id bigint PRIMARY KEY);',
      '',
      '-- migrate:down',
      'DROP TABLE users;',
      '',
    ].join('\n'),
    '20240102000000_index_users.sql': [
      '-- migrate:up transaction:false',
      'CREATE INDEX CONCURRENTLY users_id ON users (id);',
      '-- migrate:down',
      'DROP INDEX CONCURRENTLY users_id;',
      '',
    ].join('\n'),
  };

  test('apply runs only the up section; revert runs the down section', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace(DBMATE);
    expectOk(await migrate(inputs(db, { mode: 'check' }), ws, [server.password]));
    const plan = await migrate(inputs(db, { mode: 'plan' }), ws, [server.password]);
    const preview = read(plan.outputs['plan-path']);
    expect(preview).toContain('CREATE TABLE users');
    expect(preview).not.toContain('DROP TABLE users');
    const apply = await migrate(inputs(db), ws, [server.password]);
    expectOk(apply);
    // the down section never ran: the table is there, and so is the concurrent index
    expect(await tables(db)).toEqual(['schema_migrations', 'users']);
    expect(apply.stdout).toContain('runs outside a transaction: no-transaction marker');
    const idx = await server.query(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'users' ORDER BY 1",
      [],
      db,
    );
    expect(idx.map((r) => r.indexname)).toEqual(['users_id', 'users_pkey']);
    const status = await migrate(inputs(db, { mode: 'status' }), ws, [server.password]);
    expect(json(status, 'current-state')).toEqual({ version: '20240102000000' });

    const r = await revert('sql', ws, server.url(db), '{"version": null}');
    expect(r.reverted).toEqual(['20240102000000_index_users', '20240101000000_create_users']);
    expect(await tables(db)).toEqual(['schema_migrations']);
  });

  test('a file with a down marker but no up marker never runs', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({
      '0001_create.sql': 'CREATE TABLE a (id int);\n',
      '0002_bad.sql': 'CREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE a;\n',
    });
    const run = await migrate(inputs(db), ws, [server.password]);
    expectFailure(run, /0002_bad\.sql has 0 '-- migrate:up' markers.*it will not run/);
    expect(await tables(db)).toEqual([]);
  });
});

describe('files that cannot run in a transaction', () => {
  test('two CREATE INDEX CONCURRENTLY lines run without the marker, one by one', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({
      '0001_t.sql': 'CREATE TABLE t (a int, b int);\n',
      '0002_idx.sql':
        "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY t_a ON t (a);\nCREATE INDEX CONCURRENTLY t_b ON t (b);\n",
    });
    expectOk(await migrate(inputs(db, { mode: 'check' }), ws, [server.password]));
    const run = await migrate(inputs(db), ws, [server.password]);
    expectOk(run);
    expect(run.stdout).toContain(
      '0002_idx.sql runs outside a transaction: CREATE INDEX CONCURRENTLY (line 2) cannot run in a transaction',
    );
    const idx = await server.query(
      "SELECT indexname FROM pg_indexes WHERE tablename = 't' ORDER BY 1",
      [],
      db,
    );
    expect(idx.map((r) => r.indexname)).toEqual(['t_a', 't_b']);
  });

  test('three statements, the second fails: the error says which ran and which did not', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({
      '0001_t.sql': 'CREATE TABLE t (a int, b int);\n',
      '0002_idx.sql': [
        '-- runbook:no-transaction',
        'CREATE INDEX CONCURRENTLY t_a ON t (a);',
        'CREATE INDEX CONCURRENTLY t_c ON t (no_such_column);',
        'CREATE INDEX CONCURRENTLY t_b ON t (b);',
        '',
      ].join('\n'),
    });
    const run = await migrate(inputs(db), ws, [server.password]);
    const error = expectFailure(
      run,
      /migration 0002_idx\.sql failed: 0002_idx\.sql line 3: statement #2 \(line 3: CREATE INDEX CONCURRENTLY t_c ON t \(no_such_column\)\) failed: column "no_such_column" does not exist/,
      /Ran \(not undone\): #1 \(line 2: CREATE INDEX CONCURRENTLY t_a ON t \(a\)\)/,
      /Not run: #3 \(line 4: CREATE INDEX CONCURRENTLY t_b ON t \(b\)\)/,
    );
    expect(error).not.toMatch(/rolled back/);
    expect(json(run, 'current-state')).toEqual({ version: '0001' });
    const idx = await server.query(
      "SELECT indexname FROM pg_indexes WHERE tablename = 't' ORDER BY 1",
      [],
      db,
    );
    expect(idx.map((r) => r.indexname)).toEqual(['t_a']);
    expect(await tracked(db)).toEqual(['0001:t']);
  });

  test('check flags a file that mixes CONCURRENTLY with transactional DDL', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({
      '0001_t.sql': 'CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n',
    });
    const run = await migrate(inputs(db, { mode: 'check' }), ws, [server.password]);
    expectFailure(
      run,
      /0001_t\.sql mixes CREATE INDEX CONCURRENTLY \(line 2\), which cannot run in a transaction, with transactional statements \(line 1\)/,
    );
  });
});
