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
