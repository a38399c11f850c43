import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startMariaDb, type MariaDbServer } from '../support/services/mariadb.js';
import {
  copyFixture,
  expectFailure,
  expectOk,
  migrate,
  PYTHON,
  schemaDump,
  sqlWorkspace,
} from './helpers.js';

/**
 * migrate check with expect-schema on MariaDB: the pending migrations run on a scratch
 * database with the live one's schema (mysqldump --no-data), never on the live database,
 * and the scratch database is always dropped.
 */

let maria: MariaDbServer;
let n = 0;
beforeAll(async () => {
  maria = await startMariaDb();
}, 180_000);
afterAll(async () => {
  await maria?.stop();
});

/** A database and a user that may create `<db>_dryrun_…` databases but is not root. */
async function newDatabase(
  canCreateCopies: boolean,
): Promise<{ db: string; url: string; password: string }> {
  const db = `mdry_${++n}`;
  const user = `app_${n}`;
  const password = `pw-${n}-Zq8`;
  await maria.createDatabase(db);
  await maria.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
  await maria.query(`GRANT ALL ON \`${db}\`.* TO '${user}'@'%'`);
  if (canCreateCopies) {
    await maria.query(`GRANT ALL ON \`${db}\\_dryrun\\_%\`.* TO '${user}'@'%'`);
    // mariadb-dump shows another definer's routines only with this (the README says so)
    await maria.query(`GRANT SELECT ON mysql.proc TO '${user}'@'%'`);
  }
  return {
    db,
    password,
    url: `mysql://${user}:${password}@127.0.0.1:${maria.port}/${db}`,
  };
}

const BASE = `
CREATE TABLE customers (id BIGINT NOT NULL PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE);
CREATE TABLE orders (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  status ENUM('new', 'paid') NOT NULL DEFAULT 'new',
  updated_at DATETIME NULL,
  CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE legacy_exports (id INT);
CREATE VIEW paid_orders AS SELECT id, customer_id FROM orders WHERE status = 'paid';
INSERT INTO customers VALUES (1, 'ann@example.org');
INSERT INTO orders VALUES (1, 1, 'paid', NULL);
INSERT INTO legacy_exports VALUES (1), (2);
`;

const RELEASE = `
ALTER TABLE orders ADD COLUMN currency VARCHAR(3) NOT NULL DEFAULT 'EUR';
DROP TABLE legacy_exports;
`;

const matching = JSON.stringify({
  tables: {
    orders: { columns: { currency: { type: 'varchar(3)', nullable: false } } },
    legacy_exports: 'absent',
    paid_orders: 'present',
  },
});

const inputs = (url: string) => ({
  tool: 'sql',
  'database-url': url,
  'require-backup': 'false',
});

async function scratchDatabases(): Promise<string[]> {
  const rows = await maria.query<{ s: string }>(
    "SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '%\\_dryrun\\_%'",
  );
  return rows.map((r) => r.s);
}

async function liveState(db: string): Promise<unknown> {
  return {
    schema: await schemaDump({ maria }, db),
    routines: await maria.query(
      'SELECT ROUTINE_NAME AS r FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?',
      [db],
    ),
    triggers: await maria.query(
      'SELECT TRIGGER_NAME AS t FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?',
      [db],
    ),
    legacy: await maria.query('SELECT id FROM legacy_exports ORDER BY id', [], db),
    applied: await maria.query('SELECT version, sha256 FROM schema_migrations', [], db),
  };
}

/** Objects a superuser made (DEFINER root): the app user may not name that definer itself. */
async function rootObjects(db: string): Promise<void> {
  await maria.query(
    'CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW SET NEW.updated_at = NOW()',
    [],
    db,
  );
  await maria.query(
    'CREATE PROCEDURE paid_count(OUT n INT) SELECT COUNT(*) INTO n FROM orders WHERE status = "paid"',
    [],
    db,
  );
}

describe('expect-schema in check mode on MariaDB: a dry run on a scratch copy', () => {
  test('a matching expectation passes on the copy; a mismatch fails; the live database is unchanged, no copy left', async () => {
    const { db, url, password } = await newDatabase(true);
    const ws = sqlWorkspace({ '0001_base.sql': BASE, '0002_release.sql': RELEASE });
    expectOk(await migrate({ ...inputs(url), target: '0001' }, ws, [password]));
    await rootObjects(db);
    const before = await liveState(db);

    const ok = await migrate({ ...inputs(url), mode: 'check', 'expect-schema': matching }, ws, [
      password,
    ]);
    expectOk(ok);
    expect(ok.stdout).not.toContain('not checked');
    expect(JSON.parse(ok.outputs['schema-check'])).toEqual({ ok: true, problems: [] });
    expect(ok.stdout).toContain('expect-schema: dry run applied 1 migration(s) to a copy');
    expect(await liveState(db)).toEqual(before);
    expect(await scratchDatabases()).toEqual([]);

    const bad = await migrate(
      {
        ...inputs(url),
        mode: 'check',
        'expect-schema': JSON.stringify({
          tables: { legacy_exports: 'present', orders: { columns: { currency: 'absent' } } },
        }),
      },
      ws,
    );
    const line = expectFailure(
      bad,
      'expect-schema: 2 problems: legacy_exports missing; orders.currency still exists',
    );
    expect(line).toMatch(/\(dry run\)$/);
    expect(await liveState(db)).toEqual(before);
    expect(await scratchDatabases()).toEqual([]);
  });

  test('a migration that fails on the copy: one error naming the file, nothing changed, no copy left', async () => {
    const { db, url, password } = await newDatabase(true);
    const ws = sqlWorkspace({
      '0001_base.sql': BASE,
      '0002_release.sql': RELEASE,
      '0003_broken.sql': 'ALTER TABLE no_such_table ADD COLUMN x INT;\n',
    });
    expectOk(await migrate({ ...inputs(url), target: '0001' }, ws, [password]));
    const before = await liveState(db);
    const run = await migrate({ ...inputs(url), mode: 'check', 'expect-schema': matching }, ws, [
      password,
    ]);
    expectFailure(run, /^dry run on a copy of the database: /, /0003_broken\.sql/, /no_such_table/);
    expect(await liveState(db)).toEqual(before);
    expect(await scratchDatabases()).toEqual([]);
  });

  test('a user who may not create the scratch database: not checked, check passes', async () => {
    const { url, password } = await newDatabase(false);
    const ws = sqlWorkspace({
      '0001_t.sql': 'CREATE TABLE t (id INT);\n',
      '0002_u.sql': 'ALTER TABLE t ADD COLUMN u TEXT;\n',
    });
    expectOk(await migrate({ ...inputs(url), target: '0001' }, ws, [password]));
    const run = await migrate(
      {
        ...inputs(url),
        mode: 'check',
        'expect-schema': 'tables:\n  t:\n    columns:\n      u: absent\n',
      },
      ws,
    );
    expectOk(run);
    expect(run.stdout).toMatch(
      /expect-schema not checked: the database user cannot create the database 'mdry_\d+_dryrun_[0-9a-f]{8}' \(CREATE privilege on it\)/,
    );
    expect(run.outputs['schema-check']).toBeUndefined();
    expect(await scratchDatabases()).toEqual([]);
  });

  test('alembic: the dry run applies the pending revisions to the copy only', async () => {
    await maria.createDatabase('mdry_alembic');
    const ws = copyFixture('alembic');
    const base = {
      'database-url': maria.url('mdry_alembic'),
      python: PYTHON,
      'require-backup': 'false',
      lint: 'off',
    };
    expectOk(await migrate({ ...base, target: '1a2b3c4d5e01' }, ws, [maria.password]));
    const before = await schemaDump({ maria }, 'mdry_alembic');
    const run = await migrate(
      {
        ...base,
        mode: 'check',
        'expect-schema': JSON.stringify({
          tables: {
            users: { columns: { email: { type: 'varchar(200)', nullable: true } } },
            orders: 'present',
          },
        }),
      },
      ws,
      [maria.password],
    );
    expectOk(run);
    expect(JSON.parse(run.outputs['schema-check'])).toEqual({ ok: true, problems: [] });
    expect(run.stdout).toContain('expect-schema: dry run applied 2 migration(s) to a copy');
    expect(await schemaDump({ maria }, 'mdry_alembic')).toBe(before);
    expect(
      await maria.query('SELECT version_num FROM alembic_version', [], 'mdry_alembic'),
    ).toEqual([{ version_num: '1a2b3c4d5e01' }]);
    expect(await scratchDatabases()).toEqual([]);
  });
});
