import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import {
  copyFixture,
  expectFailure,
  expectOk,
  json,
  migrate,
  PYTHON,
  read,
  revert,
  schemaDump,
} from './helpers.js';

let server: PostgresServer;
let n = 0;
beforeAll(async () => {
  server = await startPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function newDatabase(): Promise<string> {
  const name = `alembic_${++n}`;
  await server.createDatabase(name);
  return name;
}

const inputs = (db: string) => ({
  'database-url': server.url(db),
  python: PYTHON,
  'require-backup': 'false',
});
const revisionCount = async (db: string): Promise<number> =>
  (await server.query('SELECT version_num FROM alembic_version', [], db)).length;

describe('alembic on postgres', () => {
  test('plan changes nothing, apply applies, a second apply applies nothing, previous-state reverts', async () => {
    const db = await newDatabase();
    const ws = copyFixture('alembic');
    const first = await migrate({ ...inputs(db), target: '1a2b3c4d5e01' }, ws, [server.password]);
    expectOk(first);
    expect(first.outputs.tool).toBe('alembic');
    expect(json(first, 'applied')).toEqual(['1a2b3c4d5e01']);
    const before = await schemaDump({ pg: server }, db);

    const plan = await migrate({ ...inputs(db), mode: 'plan' }, ws, [server.password]);
    expectOk(plan);
    expect(json(plan, 'pending')).toEqual(['2b3c4d5e6f02', '3c4d5e6f7a03']);
    expect(json(plan, 'previous-state')).toEqual({ revisions: ['1a2b3c4d5e01'] });
    const sql = read(plan.outputs['plan-path']);
    expect(sql).toContain('CREATE TABLE orders');
    expect(sql).toContain('CREATE UNIQUE INDEX ix_users_email');
    expect(plan.summary).toContain('SQL preview');
    expect(await schemaDump({ pg: server }, db)).toBe(before);

    const apply = await migrate(inputs(db), ws, [server.password]);
    expectOk(apply);
    expect(json(apply, 'applied')).toEqual(['2b3c4d5e6f02', '3c4d5e6f7a03']);
    expect(json(apply, 'previous-state')).toEqual({ revisions: ['1a2b3c4d5e01'] });
    expect(json(apply, 'current-state')).toEqual({ revisions: ['3c4d5e6f7a03'] });
    expect(
      await server.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email'",
        [],
        db,
      ),
    ).toHaveLength(1);

    const again = await migrate(inputs(db), ws, [server.password]);
    expectOk(again);
    expect(again.outputs['applied-count']).toBe('0');
    expect(json(again, 'pending')).toEqual([]);

    const r = await revert('alembic', ws, server.url(db), apply.outputs['previous-state']);
    expect(r.reverted).toEqual(['3c4d5e6f7a03', '2b3c4d5e6f02']);
    expect(r.current).toEqual({ revisions: ['1a2b3c4d5e01'] });
    expect(await schemaDump({ pg: server }, db)).toBe(before);
  });

  test('two heads: check fails naming both, apply refuses before touching the database', async () => {
    const db = await newDatabase();
    const ws = copyFixture('alembic');
    const versions = join(ws, 'migrations/versions');
    const email = readFileSync(join(versions, '3c4d5e6f7a03_add_user_email.py'), 'utf8');
    writeFileSync(
      join(versions, '4d5e6f7a8b04_add_user_phone.py'),
      email
        .replace(/3c4d5e6f7a03/g, '4d5e6f7a8b04')
        .replace(/add user email/g, 'add user phone')
        .replace(/email/g, 'phone'),
    );
    const check = await migrate({ ...inputs(db), mode: 'check' }, ws, [server.password]);
    expectFailure(
      check,
      /alembic has 2 heads/,
      /3c4d5e6f7a03 \(add user email\)/,
      /4d5e6f7a8b04 \(add user phone\)/,
    );
    const before = await schemaDump({ pg: server }, db);
    expectFailure(
      await migrate({ ...inputs(db), mode: 'plan' }, ws, [server.password]),
      /^check found 1 problem\(s\): alembic has 2 heads/,
    );
    const apply = await migrate(inputs(db), ws, [server.password]);
    expectFailure(apply, /^check \(run before apply\) found 1 problem\(s\): alembic has 2 heads/);
    expect(await schemaDump({ pg: server }, db)).toBe(before);
  });

  test('a down_revision naming a revision that does not exist is a check failure', async () => {
    const db = await newDatabase();
    const ws = copyFixture('alembic');
    const file = join(ws, 'migrations/versions/3c4d5e6f7a03_add_user_email.py');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'down_revision = "2b3c4d5e6f02"',
        'down_revision = "2b3c4d5e6fff"',
      ),
    );
    const check = await migrate({ ...inputs(db), mode: 'check' }, ws, [server.password]);
    expectFailure(
      check,
      /revision 3c4d5e6f7a03 has down_revision 2b3c4d5e6fff, which does not exist/,
    );
  });

  test('a target that does not exist is named and nothing is applied', async () => {
    const db = await newDatabase();
    const ws = copyFixture('alembic');
    const run = await migrate({ ...inputs(db), target: 'deadbeef0000' }, ws, [server.password]);
    expectFailure(
      run,
      /^Input 'target': revision 'deadbeef0000' does not exist in the alembic history/,
    );
    expect(await server.query("SELECT to_regclass('alembic_version') AS t", [], db)).toEqual([
      { t: null },
    ]);
  });

  test('the advisory lock is held around alembic upgrade', async () => {
    const db = await newDatabase();
    const ws = copyFixture('alembic');
    const [a, b] = await Promise.all([
      migrate(inputs(db), ws, [server.password]),
      migrate(inputs(db), ws, [server.password]),
    ]);
    expectOk(a);
    expectOk(b);
    expect([a, b].map((r) => Number(r.outputs['applied-count'])).sort()).toEqual([0, 3]);
    expect(await revisionCount(db)).toBe(1);
  });
});
