import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import {
  expectFailure,
  expectOk,
  json,
  migrate,
  revert,
  sqliteRows,
  sqlWorkspace,
} from './helpers.js';

const tables = (db: string): string[] =>
  sqliteRows(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1").map((r) =>
    String(r.name),
  );

function setup(files: Record<string, string>): { ws: string; db: string; url: string } {
  const ws = sqlWorkspace(files);
  const db = join(ws, 'app.db');
  return { ws, db, url: `sqlite://${db}` };
}

describe('layouts on SQLite', () => {
  test('dbmate: check, plan, apply (up sections only), status, revert (down sections)', async () => {
    const { ws, db, url } = setup({
      '20240101000000_users.sql':
        '-- migrate:up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n-- migrate:down\nDROP TABLE users;\n',
      '20240102000000_trigger.sql': [
        '-- migrate:up',
        'CREATE TABLE audit (n INTEGER);',
        'CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN',
        '  INSERT INTO audit VALUES (NEW.id);',
        'END;',
        '-- migrate:down',
        'DROP TRIGGER users_audit;',
        'DROP TABLE audit;',
        '',
      ].join('\n'),
    });
    const base = { tool: 'sql', 'database-url': url, 'require-backup': 'false' };
    expectOk(await migrate({ ...base, mode: 'check' }, ws));
    const plan = await migrate({ ...base, mode: 'plan' }, ws);
    expect(json(plan, 'pending')).toEqual([
      '20240101000000_users.sql',
      '20240102000000_trigger.sql',
    ]);
    expectOk(await migrate(base, ws));
    expect(tables(db)).toEqual(['audit', 'schema_migrations', 'users']);
    const status = await migrate({ ...base, mode: 'status' }, ws);
    expect(json(status, 'current-state')).toEqual({ version: '20240102000000' });
    const r = await revert('sql', ws, url, '{"version": "20240101000000"}');
    expect(r.reverted).toEqual(['20240102000000_trigger']);
    expect(tables(db)).toEqual(['schema_migrations', 'users']);
  });

  test('flyway: V1.10 after V1.9, undo files revert', async () => {
    const { ws, db, url } = setup({
      'V1__init.sql': 'CREATE TABLE steps (n TEXT);\n',
      'V1.10__ten.sql': "INSERT INTO steps VALUES ('1.10');\n",
      'V1.9__nine.sql': "INSERT INTO steps VALUES ('1.9');\n",
      'U1.10__ten.sql': "DELETE FROM steps WHERE n = '1.10';\n",
    });
    const base = { tool: 'sql', 'database-url': url, 'require-backup': 'false' };
    const apply = await migrate(base, ws);
    expectOk(apply);
    expect(json(apply, 'applied')).toEqual(['V1__init.sql', 'V1.9__nine.sql', 'V1.10__ten.sql']);
    expect(sqliteRows(db, 'SELECT n FROM steps ORDER BY rowid')).toEqual([
      { n: '1.9' },
      { n: '1.10' },
    ]);
    const r = await revert('sql', ws, url, '{"version": "1.9"}');
    expect(r.reverted).toEqual(['1.10_ten']);
    await expect(revert('sql', ws, url, '{"version": "1"}')).rejects.toThrow(
      /no down file or section for 1\.9_nine \(layout flyway: .*U<version>__<description>\.sql/,
    );
  });

  test('a no-transaction file with three statements, the second failing: which ran, which did not', async () => {
    const { ws, db, url } = setup({
      '0001_t.sql': 'CREATE TABLE t (a INTEGER);\n',
      '0002_three.sql': [
        '-- runbook:no-transaction',
        'INSERT INTO t VALUES (1); -- one;',
        'INSERT INTO missing VALUES (2);',
        'INSERT INTO t VALUES (3);',
        '',
      ].join('\n'),
    });
    const run = await migrate({ tool: 'sql', 'database-url': url, 'require-backup': 'false' }, ws);
    expectFailure(
      run,
      /0002_three\.sql line 3: statement #2 \(line 3: INSERT INTO missing VALUES \(2\)\) failed: no such table: missing/,
      /Ran \(not undone\): #1 \(line 2: INSERT INTO t VALUES \(1\)\)/,
      /Not run: #3 \(line 4: INSERT INTO t VALUES \(3\)\)/,
    );
    expect(sqliteRows(db, 'SELECT a FROM t')).toEqual([{ a: 1 }]);
    expect(sqliteRows(db, 'SELECT version FROM schema_migrations')).toEqual([{ version: '0001' }]);
  });
});
