import { describe, expect, test } from '@jest/globals';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  expectFailure,
  expectOk,
  json,
  migrate,
  schemaDump,
  sqliteRows,
  sqlWorkspace,
  writeManifest,
} from './helpers.js';
import { MIGRATIONS } from './sql-suite.js';

/** A workspace with the sql migrations and an existing sqlite database (one table of its own). */
function project(): { ws: string; db: string; url: string } {
  const ws = sqlWorkspace(MIGRATIONS);
  const db = join(ws, 'app.db');
  const d = new DatabaseSync(db);
  d.exec('CREATE TABLE existing (id INTEGER)');
  d.close();
  return { ws, db, url: `sqlite://${db}` };
}

describe('backup gate (mode: apply, require-backup: true)', () => {
  test.each([
    ['no manifest', (_ws: string) => ({}), /backup gate: no backup-manifest was given/],
    [
      'a manifest of another database',
      (ws: string) => ({
        'backup-manifest': writeManifest(join(ws, 'backups'), {
          engine: 'sqlite',
          database: 'other.db',
        }).manifestPath,
      }),
      /backup gate: the manifest is of database 'other\.db', not of 'app\.db'/,
    ],
    [
      'a manifest whose file was modified',
      (ws: string) => {
        const m = writeManifest(join(ws, 'backups'), { engine: 'sqlite', database: 'app.db' });
        appendFileSync(m.backupPath, 'tampered\n');
        return { 'backup-manifest': m.manifestPath };
      },
      /backup gate: the backup file .*app\.db-backup\.sql was modified: its sha256 is [0-9a-f]{64}, the manifest recorded [0-9a-f]{64}/,
    ],
    [
      'a stale manifest',
      (ws: string) => ({
        'backup-manifest': writeManifest(join(ws, 'backups'), {
          engine: 'sqlite',
          database: 'app.db',
          createdAt: new Date(Date.now() - 7 * 3_600_000),
        }).manifestPath,
        'max-backup-age': '6h',
      }),
      /backup gate: the backup was made 7h 00m ago .* older than max-backup-age 6h 00m/,
    ],
    [
      'a manifest of another engine',
      (ws: string) => ({
        'backup-manifest': writeManifest(join(ws, 'backups'), {
          engine: 'postgres',
          database: 'app.db',
        }).manifestPath,
      }),
      /backup gate: the manifest is of a postgres database, but database-url is sqlite/,
    ],
    [
      'a manifest path that does not exist',
      (ws: string) => ({ 'backup-manifest': join(ws, 'nope.manifest.json') }),
      /backup gate: the manifest .*nope\.manifest\.json does not exist/,
    ],
  ])('%s: refused with a clear error, database untouched', async (_name, extra, message) => {
    const p = project();
    const before = await schemaDump({ sqlite: p.db });
    const run = await migrate({ tool: 'sql', 'database-url': p.url, ...extra(p.ws) }, p.ws);
    expectFailure(run, message);
    expect(await schemaDump({ sqlite: p.db })).toBe(before);
    expect(existsSync(`${p.db}.migrate-lock`)).toBe(false);
  });

  test('a fresh manifest of this database whose file matches: apply runs', async () => {
    const p = project();
    const m = writeManifest(join(p.ws, 'backups'), { engine: 'sqlite', database: 'app.db' });
    const run = await migrate(
      { tool: 'sql', 'database-url': p.url, 'backup-manifest': m.manifestPath },
      p.ws,
    );
    expectOk(run);
    expect(run.outputs['applied-count']).toBe('3');
    expect(run.summary).toContain('app.db-backup.sql (sha256');
  });

  test('plan does not need a backup', async () => {
    const p = project();
    expectOk(await migrate({ tool: 'sql', 'database-url': p.url, mode: 'plan' }, p.ws));
  });
});

describe('bad inputs: one line naming the input, nothing touched', () => {
  test.each([
    [
      'unknown tool',
      { tool: 'flyway' },
      /^Input 'tool': "flyway" is not one of: auto, sql, alembic, django, prisma, command\.$/,
    ],
    [
      'mode typo',
      { mode: 'aply' },
      /^Input 'mode': "aply" is not one of: apply, plan, status, check\.$/,
    ],
    [
      'missing migrations dir',
      { 'migrations-dir': 'db/migrations' },
      /^Input 'migrations-dir': directory 'db\/migrations' does not exist in /,
    ],
    ['lock-wait: abc', { 'lock-wait': 'abc' }, /^Input 'lock-wait': "abc" is not a duration/],
    [
      'a target that does not exist',
      { target: '0099' },
      /^Input 'target': version '0099' does not exist in migrations/,
    ],
    [
      'max-backup-age: soon',
      { 'max-backup-age': 'soon' },
      /^Input 'max-backup-age': "soon" is not a duration/,
    ],
    [
      'migrations-table with SQL in it',
      { 'migrations-table': 'x; DROP TABLE existing' },
      /^Input 'migrations-table': 'x; DROP TABLE existing' is not a table name/,
    ],
    [
      'database-url of an unknown scheme',
      { 'database-url': 'redis://u:hunter2secret@127.0.0.1/0' },
      /^Input 'database-url': scheme 'redis' is not supported/,
    ],
    [
      'require-backup: yes',
      { 'require-backup': 'yes' },
      /^Input 'require-backup': "yes" is not a boolean/,
    ],
  ])('%s', async (_name, extra, message) => {
    const p = project();
    const before = await schemaDump({ sqlite: p.db });
    const run = await migrate(
      { tool: 'sql', 'database-url': p.url, 'require-backup': 'false', ...extra },
      p.ws,
      ['hunter2secret'],
    );
    expectFailure(run, message);
    expect(run.stdout).not.toMatch(/^\s+at /m);
    expect(await schemaDump({ sqlite: p.db })).toBe(before);
  });

  test('no database-url for the sql tool', async () => {
    const p = project();
    expectFailure(
      await migrate({ tool: 'sql' }, p.ws),
      /^Input 'database-url': is required for the sql tool\.$/,
    );
  });

  test('tool: alembic without alembic.ini', async () => {
    const p = project();
    expectFailure(
      await migrate({ tool: 'alembic', 'database-url': p.url, 'require-backup': 'false' }, p.ws),
      /^Input 'working-directory': has no alembic\.ini/,
    );
  });
});

describe('tool detection and the status mode', () => {
  test('auto picks sql for a plain directory and status reports the state', async () => {
    const p = project();
    const run = await migrate({ 'database-url': p.url, mode: 'status' }, p.ws);
    expectOk(run);
    expect(run.outputs.tool).toBe('sql');
    expect(json(run, 'current-state')).toEqual({ version: null });
    expect(run.outputs['pending-count']).toBe('3');
    expect(existsSync(join(p.ws, 'migrations'))).toBe(true);
  });

  test('working-directory and a relative sqlite path', async () => {
    const ws = sqlWorkspace({});
    mkdirSync(join(ws, 'svc/db'), { recursive: true });
    writeFileSync(join(ws, 'svc/db/1_init.sql'), 'CREATE TABLE t (id INTEGER);\n');
    const run = await migrate(
      {
        'working-directory': 'svc',
        'migrations-dir': 'db',
        'database-url': 'sqlite:data.db',
        'require-backup': 'false',
      },
      ws,
    );
    expectOk(run);
    expect(sqliteRows(join(ws, 'svc/data.db'), 'SELECT version FROM schema_migrations')).toEqual([
      { version: '1' },
    ]);
  });
});

describe('command tool', () => {
  test('command applies, status-command gives the state, a failing command fails the step', async () => {
    const ws = sqlWorkspace({});
    writeFileSync(join(ws, 'state'), 'v1\n');
    const ok = await migrate(
      {
        tool: 'command',
        command: 'echo "migrating $DATABASE_URL" >&2; echo v2 > state',
        'status-command': 'cat state',
        'database-url': `sqlite://${join(ws, 'app.db')}`,
        'require-backup': 'false',
      },
      ws,
    );
    expectOk(ok);
    expect(json(ok, 'previous-state')).toEqual({ status: 'v1' });
    expect(json(ok, 'current-state')).toEqual({ status: 'v2' });
    // the tools get SQLite in SQLAlchemy's absolute form, whatever form the input used
    expect(ok.stdout).toContain(`migrating sqlite:///${join(ws, 'app.db')}\n`);
    const bad = await migrate(
      { tool: 'command', command: 'echo boom >&2; exit 3', 'require-backup': 'false' },
      ws,
    );
    expectFailure(bad, /^command exited with code 3: boom$/);
  });
});
