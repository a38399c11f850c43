import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { schemaDump } from '../migrate/helpers.js';
import { expectFailure, expectOk, rollback, rolledBack, runChecked } from './helpers.js';

const MIGRATIONS: Record<string, string> = {
  '0001_create_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n',
  '0001_create_users.down.sql': 'DROP TABLE users;\n',
  '0002_create_orders.sql':
    'CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total NUMERIC);\n',
  '0002_create_orders.down.sql': 'DROP TABLE orders;\n',
  '0003_add_email.sql':
    'ALTER TABLE users ADD COLUMN email TEXT;\nCREATE TABLE audit_log (id INTEGER PRIMARY KEY, what TEXT);\n',
  '0003_add_email.down.sql': 'DROP TABLE audit_log;\nALTER TABLE users DROP COLUMN email;\n',
};

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await removeDir(d);
});

/** A workspace with the first `upTo` migrations (the rest arrive with the release). */
function workspace(): string {
  const ws = tempDir('rollback-migrations');
  dirs.push(ws);
  mkdirSync(join(ws, 'migrations'));
  return ws;
}

function addMigrations(ws: string, versions: string[]): void {
  for (const [name, text] of Object.entries(MIGRATIONS)) {
    if (versions.some((v) => name.startsWith(v))) writeFileSync(join(ws, 'migrations', name), text);
  }
}

async function migrate(ws: string, url: string, secret?: string): Promise<Record<string, string>> {
  const run = await runChecked(
    'migrate',
    { tool: 'sql', 'database-url': url, 'require-backup': 'false' },
    [secret],
    { workspace: ws },
  );
  expectOk(run);
  return run.outputs;
}

/** The release: 0001 is live, 0002 and 0003 are applied by the deploy and then rolled back. */
async function scenario(url: string, dump: () => Promise<string>, secret?: string): Promise<void> {
  const ws = workspace();
  addMigrations(ws, ['0001']);
  await migrate(ws, url, secret);
  const before = await dump();
  addMigrations(ws, ['0002', '0003']);
  const applied = await migrate(ws, url, secret);
  expect(JSON.parse(applied.applied)).toEqual(['0002_create_orders.sql', '0003_add_email.sql']);
  expect(JSON.parse(applied['previous-state'])).toEqual({ version: '0001' });
  expect(await dump()).not.toEqual(before);

  const dry = await rollback(
    {
      targets: 'migrations',
      tool: 'sql',
      'database-url': url,
      'previous-state': applied['previous-state'],
      'dry-run': 'true',
    },
    [secret],
    { workspace: ws },
  );
  expectOk(dry);
  expect(dry.stdout).toContain('revert with sql from {"version":"0003"} to {"version":"0001"}');
  expect(await dump()).not.toEqual(before);

  const run = await rollback(
    {
      targets: 'migrations',
      tool: 'sql',
      'database-url': url,
      'previous-state': applied['previous-state'],
    },
    [secret],
    { workspace: ws },
  );
  expectOk(run);
  expect(rolledBack(run)).toEqual(['migrations']);
  expect(run.summary).toContain('0003_add_email');
  expect(await dump()).toEqual(before);
}

describe('migrations rollback with the sql tool', () => {
  test('SQLite: previous-state from migrate brings the schema back to before the apply', async () => {
    const ws = tempDir('rollback-sqlite-db');
    dirs.push(ws);
    const file = join(ws, 'app.db');
    await scenario(`sqlite://${file}`, () => schemaDump({ sqlite: file }));
  });

  describe('PostgreSQL', () => {
    let pg: PostgresServer;
    beforeAll(async () => {
      pg = await startPostgres();
    });
    afterAll(async () => {
      await pg?.stop();
    });

    test('previous-state from migrate brings the schema back to before the apply', async () => {
      await pg.createDatabase('app');
      await scenario(pg.url('app'), () => schemaDump({ pg }, 'app'), pg.password);
    });

    test('a down file that fails: one error line with the database message, rolled-back stays empty', async () => {
      await pg.createDatabase('broken');
      const ws = workspace();
      addMigrations(ws, ['0001']);
      await migrate(ws, pg.url('broken'), pg.password);
      writeFileSync(join(ws, 'migrations', '0002_bad.sql'), 'CREATE TABLE t2 (id int);\n');
      writeFileSync(join(ws, 'migrations', '0002_bad.down.sql'), 'DROP TABLE no_such_table;\n');
      const applied = await migrate(ws, pg.url('broken'), pg.password);
      const run = await rollback(
        {
          targets: 'migrations',
          tool: 'sql',
          'database-url': pg.url('broken'),
          'previous-state': applied['previous-state'],
        },
        [pg.password],
        { workspace: ws },
      );
      expectFailure(run, /no_such_table/);
      expect(rolledBack(run)).toEqual([]);
      expect(run.summary).toContain('failed');
    });
  });

  test('prisma: refused before anything, saying to restore the backup instead', async () => {
    const ws = workspace();
    mkdirSync(join(ws, 'prisma'));
    writeFileSync(
      join(ws, 'prisma', 'schema.prisma'),
      'datasource db { provider = "sqlite" url = env("DATABASE_URL") }\n',
    );
    const run = await rollback(
      {
        targets: 'migrations',
        'database-url': `sqlite://${join(ws, 'x.db')}`,
        'previous-state': '{"migrations":[]}',
      },
      [],
      { workspace: ws },
    );
    expectFailure(
      run,
      /^Input 'tool': prisma migrations cannot be reverted/,
      /restore the backup/,
      /targets: database/,
    );
  });
});

describe('the layout input', () => {
  const DBMATE: Record<string, string> = {
    '20260101000000_create_users.sql':
      '-- migrate:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\n-- migrate:down\nDROP TABLE users;\n',
    '20260201000000_add_orders.sql':
      '-- migrate:up\nCREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER);\n\n-- migrate:down\nDROP TABLE orders;\n',
  };

  test('dbmate files are reverted by their down sections; another layout names the mismatch', async () => {
    const ws = workspace();
    const file = join(ws, 'app.db');
    const url = `sqlite:///${file}`;
    const write = (name: string) => writeFileSync(join(ws, 'migrations', name), DBMATE[name]);
    write('20260101000000_create_users.sql');
    const apply = async () => {
      const run = await runChecked(
        'migrate',
        { tool: 'sql', layout: 'dbmate', 'database-url': url, 'require-backup': 'false' },
        [],
        { workspace: ws },
      );
      expectOk(run);
      return run.outputs;
    };
    await apply();
    const before = await schemaDump({ sqlite: file });
    write('20260201000000_add_orders.sql');
    const applied = await apply();
    expect(await schemaDump({ sqlite: file })).not.toEqual(before);
    const inputs = {
      targets: 'migrations',
      tool: 'sql',
      'database-url': url,
      'previous-state': applied['previous-state'],
    };
    // the files do not follow the flyway layout: refused, nothing reverted
    const wrong = await rollback({ ...inputs, layout: 'flyway' }, [], { workspace: ws });
    expectFailure(wrong);
    expect(rolledBack(wrong)).toEqual([]);
    expect(await schemaDump({ sqlite: file })).not.toEqual(before);
    const bad = await rollback({ ...inputs, layout: 'liquibase' }, [], { workspace: ws });
    expectFailure(bad, 'layout');
    const run = await rollback({ ...inputs, layout: 'dbmate' }, [], { workspace: ws });
    expectOk(run);
    expect(rolledBack(run)).toEqual(['migrations']);
    expect(await schemaDump({ sqlite: file })).toEqual(before);
  });
});
