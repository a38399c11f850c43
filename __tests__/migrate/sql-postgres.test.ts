import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { postgresLockKey } from '../../src/migrations/lock.js';
import { expectFailure, expectOk, json, migrate, schemaDump, sqlWorkspace } from './helpers.js';
import { defineSqlEngineTests, MIGRATIONS } from './sql-suite.js';

let server: PostgresServer;
let n = 0;
beforeAll(async () => {
  server = await startPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function newDatabase(): Promise<string> {
  const name = `app_${++n}`;
  await server.createDatabase(name);
  return name;
}

defineSqlEngineTests({
  engine: 'postgres',
  missingTableError: /relation "no_such_table" does not exist \(line 2\)/,
  secrets: () => [server.password],
  async newDb() {
    const name = await newDatabase();
    return {
      url: server.url(name),
      dump: () => schemaDump({ pg: server }, name),
      rows: (sql) => server.query(sql, [], name),
      hasTable: async (t) =>
        (
          await server.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [t], name)
        )[0].ok,
    };
  },
});

describe('sql tool on postgres: the advisory lock', () => {
  test('two apply runs at once: every migration applied exactly once, both end in a clear state', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({
      // the first file holds the lock long enough for the second run to arrive
      '0001_slow.sql': 'SELECT pg_sleep(2);\nCREATE TABLE events (name text);\n',
      '0002_seed.sql': "INSERT INTO events (name) VALUES ('seeded');\n",
      '0003_more.sql': 'ALTER TABLE events ADD COLUMN at timestamptz;\n',
    });
    const inputs = {
      tool: 'sql',
      'database-url': server.url(db),
      'require-backup': 'false',
      'lock-wait': '60s',
    };
    const [a, b] = await Promise.all([
      migrate(inputs, ws, [server.password]),
      migrate(inputs, ws, [server.password]),
    ]);
    expectOk(a);
    expectOk(b);
    const counts = [a, b].map((r) => Number(r.outputs['applied-count'])).sort();
    expect(counts).toEqual([0, 3]);
    const idle = a.outputs['applied-count'] === '0' ? a : b;
    expect(json(idle, 'pending')).toEqual([]);
    expect(json(idle, 'previous-state')).toEqual({ version: '0003' });
    expect(await server.query('SELECT name FROM events', [], db)).toEqual([{ name: 'seeded' }]);
    expect((await server.query('SELECT version FROM schema_migrations', [], db)).length).toBe(3);
  });

  test('a held lock: the run waits lock-wait, then fails with a clear message and applies nothing', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({ '0001_create_users.sql': MIGRATIONS['0001_create_users.sql'] });
    const holder = new pg.Client({ connectionString: server.url(db) });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [postgresLockKey()]);
      const run = await migrate(
        {
          tool: 'sql',
          'database-url': server.url(db),
          'require-backup': 'false',
          'lock-wait': '1s',
        },
        ws,
        [server.password],
      );
      expectFailure(
        run,
        /another migration run holds the migration lock on the postgres database 'app_\d+'/,
        /lock-wait/,
      );
      expect(run.stdout).toContain('waiting up to 1.0s for the migration lock');
      expect(
        (
          await server.query<{ ok: boolean }>(
            "SELECT to_regclass('users') IS NOT NULL AS ok",
            [],
            db,
          )
        )[0].ok,
      ).toBe(false);
    } finally {
      await holder.end();
    }
  });

  test('a wrong password: a clear connection error, the password nowhere', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({ '0001_create_users.sql': MIGRATIONS['0001_create_users.sql'] });
    const wrong = 'Wr0ng-p%40ss-secret';
    const url = server.url(db).replace(encodeURIComponent(server.password), wrong);
    const run = await migrate(
      { tool: 'sql', 'database-url': url, 'require-backup': 'false', mode: 'plan' },
      ws,
      ['Wr0ng-p@ss-secret', wrong, server.password],
    );
    expectFailure(
      run,
      /^Input 'database-url': authentication failed for user 'postgres' at 127\.0\.0\.1:\d+: password authentication failed for user "postgres"$/,
    );
  });
});
