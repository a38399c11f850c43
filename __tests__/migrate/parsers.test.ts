import { describe, expect, test } from '@jest/globals';
import { alembicCommands } from '../../src/migrations/alembic/commands.js';
import {
  findingsFromStderr,
  headsFinding,
  parseHistory,
  parseRevisionList,
  parseRunningLine,
  pendingRevisions,
  resolveTarget,
} from '../../src/migrations/alembic/parse.js';
import { djangoCommands, parseDjangoTarget } from '../../src/migrations/django/commands.js';
import {
  djangoState,
  findingsFromDjangoError,
  parseMigrateOutput,
  parseMigratePlan,
  parseShowPlan,
  revertSteps,
} from '../../src/migrations/django/parse.js';
import { bashArgv } from '../../src/migrations/command/tool.js';
import { errorTail } from '../../src/migrations/process.js';

// captured from alembic 1.8.1 (Debian) on the fixture project
const HISTORY_LINEAR = `2b3c4d5e6f02 -> 3c4d5e6f7a03 (head), add user email
1a2b3c4d5e01 -> 2b3c4d5e6f02, add orders
<base> -> 1a2b3c4d5e01, create users
`;
const HISTORY_MERGE = `3c4d5e6f7a03, 4d5e6f7a8b04 -> 5e6f7a8b9c05 (head) (mergepoint), 
2b3c4d5e6f02 -> 3c4d5e6f7a03, add user email
2b3c4d5e6f02 -> 4d5e6f7a8b04, add user phone
1a2b3c4d5e01 -> 2b3c4d5e6f02 (branchpoint), add orders
<base> -> 1a2b3c4d5e01, create users
`;
const BROKEN_STDERR = `/usr/lib/python3/dist-packages/alembic/script/revision.py:223: UserWarning: Revision 4d5e6f7a8b99 referenced from 3c4d5e6f7a03, 4d5e6f7a8b99 -> 5e6f7a8b9c05 (head) (mergepoint),  is not present
  util.warn(
Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/alembic/script/revision.py", line 227, in _revision_map
    down_revision = map_[downrev]
KeyError: '4d5e6f7a8b99'`;

describe('alembic', () => {
  test('argv', () => {
    const o = { python: '/usr/bin/python3' };
    expect(alembicCommands.current(o)).toEqual(['/usr/bin/python3', '-m', 'alembic', 'current']);
    expect(alembicCommands.upgrade(o, 'head')).toEqual([
      '/usr/bin/python3',
      '-m',
      'alembic',
      'upgrade',
      'head',
    ]);
    expect(alembicCommands.upgradeSql(o, 'abc', 'head')).toEqual([
      '/usr/bin/python3',
      '-m',
      'alembic',
      'upgrade',
      'abc:head',
      '--sql',
    ]);
    expect(alembicCommands.upgradeSql(o, undefined, 'head')).toEqual([
      '/usr/bin/python3',
      '-m',
      'alembic',
      'upgrade',
      'head',
      '--sql',
    ]);
    expect(alembicCommands.downgrade(o, null)).toEqual([
      '/usr/bin/python3',
      '-m',
      'alembic',
      'downgrade',
      'base',
    ]);
    expect(alembicCommands.downgrade({ ...o, config: 'db/alembic.ini' }, 'abc')).toEqual([
      '/usr/bin/python3',
      '-m',
      'alembic',
      '-c',
      'db/alembic.ini',
      'downgrade',
      'abc',
    ]);
  });
  test('history, current and heads', () => {
    const h = parseHistory(HISTORY_MERGE);
    expect(h.map((r) => r.id)).toEqual([
      '5e6f7a8b9c05',
      '3c4d5e6f7a03',
      '4d5e6f7a8b04',
      '2b3c4d5e6f02',
      '1a2b3c4d5e01',
    ]);
    expect(h[0]).toMatchObject({
      down: ['3c4d5e6f7a03', '4d5e6f7a8b04'],
      tags: ['head', 'mergepoint'],
    });
    expect(h[4]).toMatchObject({ down: [], message: 'create users' });
    expect(parseRevisionList('3c4d5e6f7a03 (head)\n')).toEqual(['3c4d5e6f7a03']);
    expect(parseRevisionList('4d5e6f7a8b04 (head)\n3c4d5e6f7a03 (head)\n')).toEqual([
      '4d5e6f7a8b04',
      '3c4d5e6f7a03',
    ]);
    expect(parseRevisionList('')).toEqual([]);
  });
  test('pending revisions, parents first', () => {
    const lin = parseHistory(HISTORY_LINEAR);
    expect(pendingRevisions(lin, [], ['3c4d5e6f7a03'])).toEqual([
      '1a2b3c4d5e01',
      '2b3c4d5e6f02',
      '3c4d5e6f7a03',
    ]);
    expect(pendingRevisions(lin, ['2b3c4d5e6f02'], ['3c4d5e6f7a03'])).toEqual(['3c4d5e6f7a03']);
    expect(pendingRevisions(lin, ['3c4d5e6f7a03'], ['3c4d5e6f7a03'])).toEqual([]);
    const merged = parseHistory(HISTORY_MERGE);
    const p = pendingRevisions(merged, ['3c4d5e6f7a03'], ['5e6f7a8b9c05']);
    expect(p).toEqual(['4d5e6f7a8b04', '5e6f7a8b9c05']);
  });
  test('targets', () => {
    const lin = parseHistory(HISTORY_LINEAR);
    expect(resolveTarget(lin, ['3c4d5e6f7a03'], 'head')).toEqual(['3c4d5e6f7a03']);
    expect(resolveTarget(lin, ['3c4d5e6f7a03'], '2b3c')).toEqual(['2b3c4d5e6f02']);
    expect(resolveTarget(lin, ['3c4d5e6f7a03'], 'ffff')).toBeUndefined();
  });
  test('multiple heads and broken links are findings', () => {
    const h = parseHistory(HISTORY_MERGE);
    const f = headsFinding(['4d5e6f7a8b04', '3c4d5e6f7a03'], h);
    expect(f?.code).toBe('multiple-heads');
    expect(f?.message).toContain('4d5e6f7a8b04 (add user phone)');
    expect(f?.message).toContain('3c4d5e6f7a03 (add user email)');
    expect(headsFinding(['3c4d5e6f7a03'], h)).toBeUndefined();
    expect(findingsFromStderr(BROKEN_STDERR)).toEqual([
      {
        code: 'broken-link',
        message: expect.stringContaining('revision 5e6f7a8b9c05 has down_revision 4d5e6f7a8b99'),
      },
    ]);
    expect(
      findingsFromStderr("FAILED: Can't locate revision identified by 'deadbeef0001'")[0].code,
    ).toBe('unknown-revision');
  });
  test('running lines', () => {
    expect(
      parseRunningLine(
        'INFO  [alembic.runtime.migration] Running upgrade  -> 1a2b3c4d5e01, create users',
      ),
    ).toEqual({ direction: 'upgrade', revision: '1a2b3c4d5e01' });
    expect(
      parseRunningLine(
        'INFO  [alembic.runtime.migration] Running upgrade 1a2b3c4d5e01 -> 2b3c4d5e6f02, add orders',
      ),
    ).toEqual({ direction: 'upgrade', revision: '2b3c4d5e6f02' });
    expect(
      parseRunningLine(
        'INFO  [alembic.runtime.migration] Running downgrade 2b3c4d5e6f02 -> 1a2b3c4d5e01, add orders',
      ),
    ).toEqual({ direction: 'downgrade', revision: '2b3c4d5e6f02' });
    expect(
      parseRunningLine('INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.'),
    ).toBeUndefined();
  });
});

// captured from Django 3.2 (Debian) on the fixture project
const SHOW_PLAN = `[X]  catalog.0001_initial
[X]  catalog.0002_add_price ... (catalog.0001_initial)
[X]  shop.0001_initial ... (catalog.0001_initial)
[ ]  shop.0002_order_total ... (catalog.0002_add_price, shop.0001_initial)
`;
const MIGRATE_PLAN_BACK = `Planned operations:
shop.0002_order_total
    Undo Add field total_cents to order
catalog.0002_add_price
    Undo Add field price_cents to product
`;
const MIGRATE_OUT = `Operations to perform:
  Apply all migrations: catalog, shop
Running migrations:
  Applying catalog.0002_add_price... OK (0.015s)
  Applying shop.0001_initial... OK (0.006s)
  Applying shop.0002_order_total...`;

describe('django', () => {
  test('argv', () => {
    const o = { python: '/usr/bin/python3' };
    expect(djangoCommands.migrate(o, { app: 'shop', migration: '0001_initial' })).toEqual([
      '/usr/bin/python3',
      'manage.py',
      'migrate',
      'shop',
      '0001_initial',
      '--noinput',
      '--verbosity',
      '2',
    ]);
    expect(djangoCommands.migratePlan(o)).toEqual([
      '/usr/bin/python3',
      'manage.py',
      'migrate',
      '--plan',
    ]);
    expect(djangoCommands.sqlmigrate(o, 'catalog', '0002_add_price')).toEqual([
      '/usr/bin/python3',
      'manage.py',
      'sqlmigrate',
      'catalog',
      '0002_add_price',
    ]);
    expect(djangoCommands.showPlan(o)).toEqual([
      '/usr/bin/python3',
      'manage.py',
      'showmigrations',
      '--plan',
      '--verbosity',
      '2',
    ]);
    expect(parseDjangoTarget('shop.0002_order_total')).toEqual({
      app: 'shop',
      migration: '0002_order_total',
    });
    expect(parseDjangoTarget('shop:0002')).toEqual({ app: 'shop', migration: '0002' });
    expect(parseDjangoTarget('shop')).toEqual({ app: 'shop' });
    expect(parseDjangoTarget('shop 0002; rm')).toBeUndefined();
  });
  test('showmigrations --plan and state', () => {
    const ms = parseShowPlan(SHOW_PLAN);
    expect(ms).toHaveLength(4);
    expect(ms[3]).toEqual({
      app: 'shop',
      name: '0002_order_total',
      applied: false,
      dependencies: ['catalog.0002_add_price', 'shop.0001_initial'],
    });
    expect(djangoState(ms)).toEqual({ catalog: '0002_add_price', shop: '0001_initial' });
    expect(djangoState(parseShowPlan('[ ]  catalog.0001_initial\n'))).toEqual({ catalog: 'zero' });
  });
  test('migrate --plan and migrate output', () => {
    expect(parseMigratePlan(MIGRATE_PLAN_BACK)).toEqual([
      { migration: 'shop.0002_order_total', backwards: true },
      { migration: 'catalog.0002_add_price', backwards: true },
    ]);
    expect(parseMigratePlan('Planned operations:\n  No planned migration operations.\n')).toEqual(
      [],
    );
    expect(parseMigrateOutput(MIGRATE_OUT)).toEqual([
      { migration: 'catalog.0002_add_price', ok: true, durationMs: 15, backwards: false },
      { migration: 'shop.0001_initial', ok: true, durationMs: 6, backwards: false },
      { migration: 'shop.0002_order_total', ok: false, durationMs: undefined, backwards: false },
    ]);
    expect(
      parseMigrateOutput('  Unapplying shop.0002_order_total... OK (0.004s)')[0],
    ).toMatchObject({ backwards: true, ok: true });
  });
  test('conflicts, missing dependencies and inconsistent history', () => {
    const conflict = `CommandError: Conflicting migrations detected; multiple leaf nodes in the migration graph: (0002_add_price, 0002_add_sku in catalog; 0003_a, 0003_b in shop).
To fix them run 'python manage.py makemigrations --merge'`;
    const f = findingsFromDjangoError(conflict);
    expect(f.map((x) => x.code)).toEqual(['conflict', 'conflict']);
    expect(f[0].message).toContain('app catalog');
    expect(f[0].message).toContain('0002_add_price, 0002_add_sku');
    const missing = `django.db.migrations.exceptions.NodeNotFoundError: Migration shop.0002_order_total dependencies reference nonexistent parent node ('catalog', '0002_add_price')`;
    expect(findingsFromDjangoError(missing)).toEqual([
      {
        code: 'missing-dependency',
        message:
          'migration shop.0002_order_total depends on catalog.0002_add_price, which does not exist (renamed or deleted?)',
      },
    ]);
    const inconsistent = `django.db.migrations.exceptions.InconsistentMigrationHistory: Migration shop.0001_initial is applied before its dependency catalog.0001_initial on database 'default'.`;
    expect(findingsFromDjangoError(inconsistent)[0].code).toBe('inconsistent-history');
  });
  test('revert steps: dependents first, untouched apps left alone', () => {
    const all = parseShowPlan(SHOW_PLAN.replace('[ ]', '[X]'));
    expect(revertSteps(all, { catalog: '0001_initial', shop: 'zero' })).toEqual([
      { app: 'shop', migration: 'zero', unapply: ['shop.0001_initial', 'shop.0002_order_total'] },
      { app: 'catalog', migration: '0001_initial', unapply: ['catalog.0002_add_price'] },
    ]);
    expect(revertSteps(all, { catalog: '0002_add_price' })).toEqual([]);
  });
});

describe('command', () => {
  test('runs the user command as written with bash -c', () => {
    expect(bashArgv('npm run migrate -- --to "x y"')).toEqual([
      'bash',
      '--noprofile',
      '--norc',
      '-e',
      '-o',
      'pipefail',
      '-c',
      'npm run migrate -- --to "x y"',
    ]);
  });
});

describe('errorTail', () => {
  test('keeps the error, drops traceback frames, their source lines and doc links', () => {
    const stderr = `INFO  [alembic.runtime.migration] Running upgrade 3c4d5e6f7a03 -> 4d5e6f7a8b04
Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/sqlalchemy/engine/base.py", line 1900, in _execute_context
    self.dialect.do_execute(
  File "/usr/lib/python3/dist-packages/sqlalchemy/engine/default.py", line 736, in do_execute
    cursor.execute(statement, parameters)
sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: no_such_table
[SQL: INSERT INTO no_such_table VALUES (1)]
(Background on this error at: https://sqlalche.me/e/14/e3q8)`;
    expect(errorTail(stderr)).toBe(
      'sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: no_such_table | [SQL: INSERT INTO no_such_table VALUES (1)]',
    );
  });
});
