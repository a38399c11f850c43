import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startMariaDb, type MariaDbServer } from '../support/services/mariadb.js';
import { expectOk, migrate, schemaDump, sqlWorkspace } from './helpers.js';
import { defineSqlEngineTests } from './sql-suite.js';

let server: MariaDbServer;
let n = 0;
beforeAll(async () => {
  server = await startMariaDb();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

defineSqlEngineTests({
  engine: 'mysql',
  missingTableError: /Table 'app_\d+\.no_such_table' doesn't exist/,
  secrets: () => [server.password],
  async newDb() {
    const name = `app_${++n}`;
    await server.createDatabase(name);
    return {
      url: server.url(name),
      dump: () => schemaDump({ maria: server }, name),
      rows: (sql) => server.query(sql, [], name),
      hasTable: async (t) =>
        (
          await server.query<{ n: number }>(
            'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
            [name, t],
          )
        )[0].n > 0,
    };
  },
});

describe('sql tool on MariaDB: GET_LOCK', () => {
  test('two apply runs at once: every migration applied exactly once', async () => {
    await server.createDatabase('locked');
    const ws = sqlWorkspace({
      '0001_slow.sql': 'DO SLEEP(2);\nCREATE TABLE events (name VARCHAR(20));\n',
      '0002_seed.sql': "INSERT INTO events (name) VALUES ('seeded');\n",
    });
    const inputs = {
      tool: 'sql',
      'database-url': server.url('locked'),
      'require-backup': 'false',
      'lock-wait': '60s',
    };
    const runs = await Promise.all([
      migrate(inputs, ws, [server.password]),
      migrate(inputs, ws, [server.password]),
    ]);
    runs.forEach(expectOk);
    expect(runs.map((r) => Number(r.outputs['applied-count'])).sort()).toEqual([0, 2]);
    expect(await server.query('SELECT name FROM events', [], 'locked')).toEqual([
      { name: 'seeded' },
    ]);
  });
});

describe('sql tool on MariaDB: files outside a transaction', () => {
  test('split by the lexer (strings, comments, a trigger body) and run one by one; a failure says which ran', async () => {
    await server.createDatabase('notx');
    const ws = sqlWorkspace({
      '0001_t.sql': 'CREATE TABLE t (a INT, s VARCHAR(20));\nCREATE TABLE log (a INT);\n',
      '0002_trigger.sql': [
        '-- runbook:no-transaction',
        "INSERT INTO t VALUES (1, 'a;b'); # one;",
        'CREATE TRIGGER t_log AFTER INSERT ON t FOR EACH ROW BEGIN',
        '  IF NEW.a > 0 THEN INSERT INTO log VALUES (NEW.a); END IF;',
        'END;',
        "INSERT INTO t VALUES (2, 'it''s');",
        '',
      ].join('\n'),
      '0003_three.sql': [
        '-- runbook:no-transaction',
        "INSERT INTO t VALUES (3, 'x');",
        'INSERT INTO missing VALUES (4);',
        "INSERT INTO t VALUES (5, 'y');",
        '',
      ].join('\n'),
    });
    const run = await migrate(
      { tool: 'sql', 'database-url': server.url('notx'), 'require-backup': 'false' },
      ws,
      [server.password],
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^migration 0003_three\.sql failed: 0003_three\.sql line 3: statement #2 \(line 3: INSERT INTO missing VALUES \(4\)\) failed: .*missing' doesn't exist\. The file ran outside a transaction and is not recorded as applied\. Ran \(not undone\): #1 \(line 2: .*\)\. Not run: #3 \(line 4: .*\)\./,
      ),
    ]);
    expect(await server.query('SELECT a, s FROM t ORDER BY a', [], 'notx')).toEqual([
      { a: 1, s: 'a;b' },
      { a: 2, s: "it's" },
      { a: 3, s: 'x' },
    ]);
    // the trigger ran for the rows inserted after it: its body was one statement
    expect(await server.query('SELECT a FROM log ORDER BY a', [], 'notx')).toEqual([
      { a: 2 },
      { a: 3 },
    ]);
  });
});
