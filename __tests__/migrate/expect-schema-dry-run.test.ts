import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { runAction } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
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
 * migrate check with expect-schema on PostgreSQL: the pending migrations run on a scratch
 * database holding the live one's schema, never on the live database, and the scratch
 * database is always dropped.
 */

let server: PostgresServer;
let n = 0;
beforeAll(async () => {
  server = await startPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function newDatabase(): Promise<string> {
  const name = `dry_${++n}`;
  await server.createDatabase(name);
  return name;
}

/** What a release has already applied: a schema with the objects a dump must carry over. */
const BASE = `
CREATE EXTENSION citext;
CREATE SCHEMA billing;
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE customers (id bigint PRIMARY KEY, email citext NOT NULL UNIQUE);
CREATE TABLE orders (
  id bigint NOT NULL,
  placed_at date NOT NULL,
  status order_status NOT NULL DEFAULT 'new',
  customer_id bigint REFERENCES customers (id),
  PRIMARY KEY (id, placed_at)
) PARTITION BY RANGE (placed_at);
CREATE TABLE orders_2026 PARTITION OF orders FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE billing.invoices (id int PRIMARY KEY, order_id bigint, total numeric(10,2), updated_at timestamptz);
CREATE TABLE legacy_exports (id int);
CREATE FUNCTION billing.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER invoices_touch BEFORE UPDATE ON billing.invoices
  FOR EACH ROW EXECUTE FUNCTION billing.touch();
CREATE VIEW paid_orders AS SELECT o.id, o.placed_at, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE status = 'paid';
CREATE MATERIALIZED VIEW customer_totals AS SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id;
CREATE UNIQUE INDEX customer_totals_id ON customer_totals (customer_id);
INSERT INTO customers VALUES (1, 'Ann@example.org');
INSERT INTO orders VALUES (1, '2026-03-01', 'paid', 1);
INSERT INTO legacy_exports VALUES (1), (2);
`;

/** The release: a column added in the non-public schema, a table dropped, a view refreshed. */
const RELEASE = `
ALTER TABLE billing.invoices ADD COLUMN currency text NOT NULL DEFAULT 'EUR';
DROP TABLE legacy_exports;
CREATE INDEX orders_status ON orders (status);
REFRESH MATERIALIZED VIEW CONCURRENTLY customer_totals;
`;

const matching = JSON.stringify({
  tables: {
    'billing.invoices': { columns: { currency: { type: 'text', nullable: false } } },
    legacy_exports: 'absent',
    orders: { columns: { status: 'present', placed_at: { type: 'date' } } },
    paid_orders: 'present',
  },
});

const base = (url: string) => ({
  tool: 'sql',
  'database-url': url,
  'require-backup': 'false',
  lint: 'off',
});

async function scratchDatabases(): Promise<string[]> {
  const rows = await server.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname LIKE '%\\_dryrun\\_%'",
  );
  return rows.map((r) => r.datname);
}

async function liveState(db: string): Promise<unknown> {
  return {
    schema: await schemaDump({ pg: server }, db),
    currency: await server.query(
      "SELECT 1 FROM information_schema.columns WHERE table_schema = 'billing' AND column_name = 'currency'",
      [],
      db,
    ),
    legacy: await server.query('SELECT id FROM legacy_exports ORDER BY id', [], db),
    applied: await server.query('SELECT version, sha256 FROM schema_migrations', [], db),
  };
}

describe('expect-schema in check mode on PostgreSQL: a dry run on a scratch copy', () => {
  test('a matching expectation passes on the copy; the live database is unchanged and no copy is left', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({ '0001_base.sql': BASE, '0002_release.sql': RELEASE });
    expectOk(await migrate({ ...base(server.url(db)), target: '0001' }, ws, [server.password]));
    const before = await liveState(db);
    expect((before as { legacy: unknown[] }).legacy).toHaveLength(2);

    const ok = await migrate(
      { ...base(server.url(db)), mode: 'check', 'expect-schema': matching },
      ws,
      [server.password],
    );
    expectOk(ok);
    expect(JSON.parse(ok.outputs['schema-check'])).toEqual({ ok: true, problems: [] });
    expect(ok.stdout).toContain('expect-schema: dry run applied 1 migration(s) to a copy');
    expect(ok.stdout).toMatch(/scratch database 'dry_\d+_dryrun_[0-9a-f]{8}' dropped/);
    // check mode reports nothing as applied
    expect(ok.outputs['applied-count']).toBeUndefined();
    expect(await liveState(db)).toEqual(before);
    expect(await scratchDatabases()).toEqual([]);

    const bad = await migrate(
      {
        ...base(server.url(db)),
        mode: 'check',
        'expect-schema': JSON.stringify({
          tables: {
            legacy_exports: 'present',
            'billing.invoices': { columns: { currency: 'absent' } },
          },
        }),
      },
      ws,
      [server.password],
    );
    const line = expectFailure(
      bad,
      'expect-schema: 2 problems: legacy_exports missing; billing.invoices.currency still exists',
    );
    expect(line).toMatch(/\(dry run\)$/);
    expect(await liveState(db)).toEqual(before);
    expect(await scratchDatabases()).toEqual([]);
  });

  test('a migration that fails on the copy: one error naming the file, nothing changed, no copy left', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({
      '0001_base.sql': BASE,
      '0002_release.sql': RELEASE,
      '0003_broken.sql': 'ALTER TABLE no_such_table ADD COLUMN x int;\n',
    });
    expectOk(await migrate({ ...base(server.url(db)), target: '0001' }, ws, [server.password]));
    const before = await liveState(db);
    const run = await migrate(
      { ...base(server.url(db)), mode: 'check', 'expect-schema': matching },
      ws,
      [server.password],
    );
    expectFailure(run, /^dry run on a copy of the database: /, /0003_broken\.sql/, /no_such_table/);
    expect(run.outputs['applied-count']).toBeUndefined();
    expect(await liveState(db)).toEqual(before);
    expect(await scratchDatabases()).toEqual([]);
  });

  test('a user without CREATEDB: not checked, check passes, nothing created', async () => {
    const db = await newDatabase();
    const password = 'app-pw-7f3Q';
    await server.query(`CREATE ROLE dry_app LOGIN PASSWORD '${password}' NOCREATEDB`);
    await server.query(`ALTER DATABASE ${db} OWNER TO dry_app`);
    const url = `postgres://dry_app:${password}@127.0.0.1:${server.port}/${db}`;
    const ws = sqlWorkspace({
      '0001_t.sql': 'CREATE TABLE t (id int);\n',
      '0002_u.sql': 'ALTER TABLE t ADD COLUMN u text;\n',
    });
    expectOk(await migrate({ ...base(url), target: '0001' }, ws, [password]));
    const run = await migrate(
      {
        ...base(url),
        mode: 'check',
        'expect-schema': 'tables:\n  t:\n    columns:\n      u: present\n',
      },
      ws,
      [password],
    );
    expectOk(run);
    expect(run.stdout).toContain(
      'expect-schema not checked: the database user cannot create databases (CREATEDB), which the dry run needs',
    );
    expect(run.outputs['schema-check']).toBeUndefined();
    expect(await scratchDatabases()).toEqual([]);

    // the same user with CREATEDB (not a superuser): the dry run happens
    await server.query('ALTER ROLE dry_app CREATEDB');
    const dry = await migrate(
      {
        ...base(url),
        mode: 'check',
        'expect-schema': 'tables:\n  t:\n    columns:\n      u: absent\n',
      },
      ws,
      [password],
    );
    expectFailure(dry, 'expect-schema: 1 problem: t.u still exists (dry run)');
    expect(
      await server.query(
        "SELECT 1 FROM information_schema.columns WHERE column_name = 'u'",
        [],
        db,
      ),
    ).toEqual([]);
    expect(await scratchDatabases()).toEqual([]);

    // a schema the user cannot recreate (an untrusted extension a superuser installed): the
    // copy fails, its first error is named, and the scratch database is dropped again
    await server.query('CREATE EXTENSION file_fdw', [], db);
    const failed = await migrate(
      {
        ...base(url),
        mode: 'check',
        'expect-schema': 'tables:\n  t:\n    columns:\n      u: present\n',
      },
      ws,
      [password],
    );
    expectOk(failed);
    expect(failed.stdout).toMatch(
      /expect-schema not checked: psql \(loading the copy\) failed: ERROR: +permission denied to create extension "file_fdw"/,
    );
    expect(await scratchDatabases()).toEqual([]);
  });

  test('SIGINT during the dry run: the run stops, the scratch database is dropped, the live one untouched', async () => {
    const db = await newDatabase();
    const ws = sqlWorkspace({
      '0001_t.sql': 'CREATE TABLE t (id int);\n',
      '0002_slow.sql': 'ALTER TABLE t ADD COLUMN u text;\nSELECT pg_sleep(30);\n',
    });
    expectOk(await migrate({ ...base(server.url(db)), target: '0001' }, ws, [server.password]));
    let pid = 0;
    const running = runAction(
      'migrate',
      { ...base(server.url(db)), mode: 'check', 'expect-schema': 'tables:\n  t: present\n' },
      { workspace: ws, timeoutMs: 60_000, onStart: (p) => (pid = p) },
    );
    for (let i = 0; ; i++) {
      const rows = await server.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname LIKE '%\\_dryrun\\_%' AND query LIKE '%pg_sleep(30)%' AND state = 'active'",
      );
      if (rows.length) break;
      if (i > 600) throw new Error('the dry run never reached the sleeping statement');
      await sleep(100);
    }
    process.kill(pid, 'SIGINT');
    const run = await running;
    expectNoSecret(run, [server.password]);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^dry run on a copy of the database: migrate was cancelled \(SIGINT\) during 0002_slow\.sql/,
      ),
    ]);
    expect(await scratchDatabases()).toEqual([]);
    expect(await server.query('SELECT version FROM schema_migrations', [], db)).toEqual([
      { version: '0001' },
    ]);
    expect(
      await server.query(
        "SELECT 1 FROM information_schema.columns WHERE column_name = 'u'",
        [],
        db,
      ),
    ).toEqual([]);
  });

  test('alembic: the dry run applies the pending revisions to the copy only', async () => {
    const db = await newDatabase();
    const ws = copyFixture('alembic');
    const inputs = {
      'database-url': server.url(db),
      python: PYTHON,
      'require-backup': 'false',
      lint: 'off',
    };
    expectOk(await migrate({ ...inputs, target: '1a2b3c4d5e01' }, ws, [server.password]));
    const before = await schemaDump({ pg: server }, db);
    const run = await migrate(
      {
        ...inputs,
        mode: 'check',
        'expect-schema': JSON.stringify({
          tables: {
            users: { columns: { email: { type: 'varchar(200)', nullable: true } } },
            orders: { columns: { total_cents: { type: 'integer', nullable: false } } },
          },
        }),
      },
      ws,
      [server.password],
    );
    expectOk(run);
    expect(run.outputs.tool).toBe('alembic');
    expect(JSON.parse(run.outputs['schema-check'])).toEqual({ ok: true, problems: [] });
    expect(run.stdout).toContain('expect-schema: dry run applied 2 migration(s) to a copy');
    expect(await schemaDump({ pg: server }, db)).toBe(before);
    expect(await server.query('SELECT version_num FROM alembic_version', [], db)).toEqual([
      { version_num: '1a2b3c4d5e01' },
    ]);
    expect(await scratchDatabases()).toEqual([]);
  });

  test('django: the dry run applies the pending migrations to the copy only', async () => {
    const db = await newDatabase();
    const ws = copyFixture('django');
    const inputs = {
      'database-url': server.url(db),
      python: PYTHON,
      'require-backup': 'false',
      lint: 'off',
    };
    expectOk(await migrate({ ...inputs, target: 'catalog.0001_initial' }, ws, [server.password]));
    const before = await schemaDump({ pg: server }, db);
    const recorded = async (): Promise<unknown> =>
      server.query('SELECT id, app, name FROM django_migrations ORDER BY id', [], db);
    const rows = await recorded();
    const run = await migrate(
      {
        ...inputs,
        mode: 'check',
        'expect-schema': JSON.stringify({
          tables: {
            catalog_product: { columns: { price_cents: { type: 'integer', nullable: false } } },
            shop_order: { columns: { total_cents: 'present' } },
          },
        }),
      },
      ws,
      [server.password],
    );
    expectOk(run);
    expect(run.outputs.tool).toBe('django');
    expect(JSON.parse(run.outputs['schema-check'])).toEqual({ ok: true, problems: [] });
    expect(await schemaDump({ pg: server }, db)).toBe(before);
    expect(await recorded()).toEqual(rows);
    expect(await scratchDatabases()).toEqual([]);
  });

  test('alembic, SIGINT during the dry run: the revision ends, the copy is dropped, the run fails as cancelled', async () => {
    const db = await newDatabase();
    const ws = copyFixture('alembic');
    writeFileSync(
      join(ws, 'migrations/versions/4d5e6f7a8b04_slow.py'),
      'from alembic import op\n\nrevision = "4d5e6f7a8b04"\ndown_revision = "3c4d5e6f7a03"\n' +
        'branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n' +
        '    op.execute("SELECT pg_sleep(3)")\n\n\ndef downgrade():\n    pass\n',
    );
    const inputs = { 'database-url': server.url(db), python: PYTHON, 'require-backup': 'false' };
    expectOk(await migrate({ ...inputs, target: '1a2b3c4d5e01' }, ws, [server.password]));
    const before = await schemaDump({ pg: server }, db);
    let pid = 0;
    const running = runAction(
      'migrate',
      { ...inputs, lint: 'off', mode: 'check', 'expect-schema': 'tables:\n  users: present\n' },
      { workspace: ws, timeoutMs: 60_000, onStart: (p) => (pid = p) },
    );
    for (let i = 0; ; i++) {
      const rows = await server.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname LIKE '%\\_dryrun\\_%' AND query LIKE '%pg_sleep(3)%' AND state = 'active'",
      );
      if (rows.length) break;
      if (i > 600) throw new Error('the dry run never reached the sleeping revision');
      await sleep(100);
    }
    process.kill(pid, 'SIGINT');
    const run = await running;
    expectNoSecret(run, [server.password]);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual(['cancelled by SIGINT: the expect-schema dry run was stopped']);
    expect(run.stdout).toMatch(/scratch database 'dry_\d+_dryrun_[0-9a-f]{8}' dropped/);
    expect(await scratchDatabases()).toEqual([]);
    expect(await schemaDump({ pg: server }, db)).toBe(before);
  });
});
