import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMariaDb, type MariaDbServer } from '../support/services/mariadb.js';
import {
  copyFixture,
  expectFailure,
  expectOk,
  json,
  migrate,
  PYTHON,
  revert,
  schemaDump,
  sqliteRows,
} from './helpers.js';

let maria: MariaDbServer;
beforeAll(async () => {
  maria = await startMariaDb();
}, 120_000);
afterAll(async () => {
  await maria?.stop();
});

describe('alembic on MariaDB (GET_LOCK around upgrade)', () => {
  test('apply, a second apply, revert to previous-state', async () => {
    await maria.createDatabase('alembic_m');
    const url = maria.url('alembic_m');
    const ws = copyFixture('alembic');
    const base = { 'database-url': url, python: PYTHON, 'require-backup': 'false' };
    expectOk(await migrate({ ...base, target: '2b3c4d5e6f02' }, ws, [maria.password]));
    const before = await schemaDump({ maria }, 'alembic_m');
    const apply = await migrate(base, ws, [maria.password]);
    expectOk(apply);
    expect(json(apply, 'applied')).toEqual(['3c4d5e6f7a03']);
    expect(json(apply, 'previous-state')).toEqual({ revisions: ['2b3c4d5e6f02'] });
    expect(await schemaDump({ maria }, 'alembic_m')).not.toBe(before);
    const again = await migrate(base, ws, [maria.password]);
    expectOk(again);
    expect(again.outputs['applied-count']).toBe('0');
    await revert('alembic', ws, url, apply.outputs['previous-state']);
    expect(await schemaDump({ maria }, 'alembic_m')).toBe(before);
  });
});

describe('SQLite with alembic and django', () => {
  test('alembic: plan changes nothing, apply, revert to base', async () => {
    const ws = copyFixture('alembic');
    const db = join(ws, 'app.db');
    const url = `sqlite://${db}`;
    const base = { 'database-url': url, python: PYTHON, 'require-backup': 'false' };
    const plan = await migrate({ ...base, mode: 'plan' }, ws);
    expectOk(plan);
    expect(json(plan, 'pending')).toEqual(['1a2b3c4d5e01', '2b3c4d5e6f02', '3c4d5e6f7a03']);
    expect(await schemaDump({ sqlite: db })).not.toContain('users');
    const apply = await migrate(base, ws);
    expectOk(apply);
    expect(json(apply, 'previous-state')).toEqual({ revisions: [] });
    expect(await schemaDump({ sqlite: db })).toContain('ix_users_email');
    const r = await revert('alembic', ws, url, apply.outputs['previous-state']);
    expect(r.current).toEqual({ revisions: [] });
    expect(await schemaDump({ sqlite: db })).toBe(
      'table alembic_version: CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)',
    );
  });

  test('django: apply to an app target, then the rest, revert to previous-state', async () => {
    const ws = copyFixture('django');
    const db = join(ws, 'app.db');
    const url = `sqlite://${db}`;
    const base = { 'database-url': url, python: PYTHON, 'require-backup': 'false' };
    const first = await migrate({ ...base, target: 'shop.0001_initial' }, ws);
    expectOk(first);
    expect(json(first, 'applied')).toEqual(['catalog.0001_initial', 'shop.0001_initial']);
    const before = await schemaDump({ sqlite: db });
    const apply = await migrate(base, ws);
    expectOk(apply);
    expect(json(apply, 'applied')).toEqual(['catalog.0002_add_price', 'shop.0002_order_total']);
    expect(json(apply, 'previous-state')).toEqual({
      catalog: '0001_initial',
      shop: '0001_initial',
    });
    await revert('django', ws, url, apply.outputs['previous-state']);
    expect(await schemaDump({ sqlite: db })).toBe(before);
    expect(
      sqliteRows(db, "SELECT app || '.' || name AS m FROM django_migrations ORDER BY id").map(
        (r) => r.m,
      ),
    ).toEqual(['catalog.0001_initial', 'shop.0001_initial']);
  });

  test('alembic: a failing revision fails the step naming it; the ones before stay applied', async () => {
    const ws = copyFixture('alembic');
    writeFileSync(
      join(ws, 'migrations/versions/4d5e6f7a8b04_broken.py'),
      [
        'from alembic import op',
        'revision = "4d5e6f7a8b04"',
        'down_revision = "3c4d5e6f7a03"',
        'branch_labels = None',
        'depends_on = None',
        'def upgrade():',
        '    op.execute("INSERT INTO no_such_table VALUES (1)")',
        'def downgrade():',
        '    pass',
        '',
      ].join('\n'),
    );
    const url = `sqlite://${join(ws, 'app.db')}`;
    const run = await migrate(
      { 'database-url': url, python: PYTHON, 'require-backup': 'false' },
      ws,
    );
    expectFailure(
      run,
      /^alembic upgrade failed at revision 4d5e6f7a8b04: .*no such table: no_such_table/,
    );
    expect(json(run, 'applied')).toEqual(['1a2b3c4d5e01', '2b3c4d5e6f02', '3c4d5e6f7a03']);
    expect(json(run, 'current-state')).toEqual({ revisions: ['3c4d5e6f7a03'] });
    expect(json(run, 'pending')).toEqual(['4d5e6f7a8b04']);
  });

  test('django: a failing migration fails the step naming it; the ones before stay applied', async () => {
    const ws = copyFixture('django');
    writeFileSync(
      join(ws, 'catalog/migrations/0003_broken.py'),
      [
        'from django.db import migrations',
        '',
        'class Migration(migrations.Migration):',
        '    dependencies = [("catalog", "0002_add_price")]',
        '    operations = [migrations.RunSQL("INSERT INTO no_such_table VALUES (1)")]',
        '',
      ].join('\n'),
    );
    const url = `sqlite://${join(ws, 'app.db')}`;
    const run = await migrate(
      { 'database-url': url, python: PYTHON, 'require-backup': 'false', target: 'catalog' },
      ws,
    );
    expectFailure(
      run,
      /^manage\.py migrate failed at catalog\.0003_broken: .*no such table: no_such_table/,
    );
    expect(json(run, 'applied')).toEqual(['catalog.0001_initial', 'catalog.0002_add_price']);
    expect(json(run, 'current-state')).toEqual({ catalog: '0002_add_price', shop: 'zero' });
  });
});
