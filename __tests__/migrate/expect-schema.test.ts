import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { startMariaDb, type MariaDbServer } from '../support/services/mariadb.js';
import { tempDir } from '../support/services/common.js';
import {
  compareSchema,
  normalizeType,
  parseExpectSchema,
  schemaFailureLine,
  typeMatches,
  type ActualTable,
  type SchemaExpectation,
} from '../../src/migrations/expect-schema.js';
import { expectFailure, expectOk, migrate, sqliteRows, sqlWorkspace } from './helpers.js';

function parsed(value: unknown): SchemaExpectation {
  const p = parseExpectSchema(value);
  if (typeof p === 'string') throw new Error(p);
  return p;
}

describe('expect-schema: parsing', () => {
  test('tables, columns, absent and present, schema-qualified names', () => {
    const p = parsed({
      tables: {
        orders: { columns: { id: { type: 'bigint', nullable: false }, legacy_flag: 'absent' } },
        orders_v2: 'absent',
        'billing.invoices': 'present',
      },
    });
    expect(p.tables).toEqual([
      {
        name: 'orders',
        schema: undefined,
        table: 'orders',
        absent: false,
        columns: [
          { name: 'id', absent: false, type: 'bigint', nullable: false },
          { name: 'legacy_flag', absent: true },
        ],
      },
      { name: 'orders_v2', schema: undefined, table: 'orders_v2', absent: true, columns: [] },
      {
        name: 'billing.invoices',
        schema: 'billing',
        table: 'invoices',
        absent: false,
        columns: [],
      },
    ]);
  });

  test.each([
    [
      { tables: { orders: { columns: { id: { nullable: 'no' } } } } },
      'tables.orders.columns.id.nullable must be true or false',
    ],
    [
      { tables: { orders: { columns: { id: { type: 3 } } } } },
      'tables.orders.columns.id.type must be a type name',
    ],
    [
      { tables: { orders: { columns: { id: { nulable: true } } } } },
      "tables.orders.columns.id has an unknown key 'nulable'",
    ],
    [{ tables: { orders: 'gone' } }, 'tables.orders must be absent, present or a mapping'],
    [{ tables: { orders: { columns: ['id'] } } }, 'tables.orders.columns must be a mapping'],
    [{ tables: { 'a.b.c': 'present' } }, "tables.a.b.c: 'a.b.c' is not a table"],
    [{ tables: {} }, 'tables is empty'],
    [['orders'], "must be a mapping with a 'tables' key"],
  ])('bad input %j: %s', (value, message) => {
    expect(parseExpectSchema(value)).toContain(message);
  });
});

describe('expect-schema: types', () => {
  test.each([
    ['int', 'integer'],
    ['INT4', 'integer'],
    ['int(11)', 'integer'],
    ['int8', 'bigint'],
    ['bigint(20)', 'bigint'],
    ['character varying(64)', 'varchar(64)'],
    ['VARCHAR ( 64 )', 'varchar(64)'],
    ['bool', 'boolean'],
    ['timestamp with time zone', 'timestamptz'],
    ['numeric(10, 2)', 'numeric(10,2)'],
    ['text', 'text'],
  ])('%s normalises to %s', (type, want) => {
    expect(normalizeType(type)).toBe(want);
  });

  test('tinyint(1) is boolean on MySQL only; other tinyints stay tinyint', () => {
    expect(typeMatches('boolean', 'tinyint(1)', 'mysql')).toBe(true);
    expect(typeMatches('boolean', 'tinyint(1)', 'postgres')).toBe(false);
    expect(typeMatches('boolean', 'tinyint(4)', 'mysql')).toBe(false);
  });

  test('a type without a length accepts any length; with one, it must match', () => {
    expect(typeMatches('varchar', 'character varying(40)')).toBe(true);
    expect(typeMatches('varchar(40)', 'character varying(40)')).toBe(true);
    expect(typeMatches('varchar(64)', 'character varying(40)')).toBe(false);
    expect(typeMatches('bigint', 'integer')).toBe(false);
    expect(typeMatches('text', 'varchar(10)')).toBe(false);
  });
});

describe('expect-schema: comparison', () => {
  const expected = parsed({
    tables: {
      orders: {
        columns: {
          id: { type: 'bigint', nullable: false },
          currency: { type: 'text' },
          note: { nullable: true },
          legacy_flag: 'absent',
        },
      },
      orders_v2: 'absent',
      customers: 'present',
    },
  });

  test('everything as expected: no problems (column names match case-insensitively)', () => {
    const actual = new Map<string, ActualTable>([
      [
        'orders',
        new Map([
          ['ID', { type: 'int8', nullable: false }],
          ['currency', { type: 'TEXT', nullable: false }],
          ['note', { type: 'text', nullable: true }],
        ]),
      ],
      ['orders_v2', undefined],
      ['customers', new Map()],
    ]);
    expect(compareSchema(expected, actual)).toEqual([]);
  });

  test('each kind of mismatch is one problem, in the order of the input', () => {
    const actual = new Map<string, ActualTable>([
      [
        'orders',
        new Map([
          ['id', { type: 'integer', nullable: true }],
          ['note', { type: 'text', nullable: false }],
          ['legacy_flag', { type: 'boolean', nullable: true }],
        ]),
      ],
      ['orders_v2', new Map()],
      ['customers', undefined],
    ]);
    const problems = compareSchema(expected, actual);
    expect(problems.map((p) => p.message)).toEqual([
      'orders.id is integer, expected bigint',
      'orders.id is nullable, expected NOT NULL',
      'orders.currency missing',
      'orders.note is NOT NULL, expected nullable',
      'orders.legacy_flag still exists',
      'orders_v2 still exists',
      'customers missing',
    ]);
    expect(problems[0]).toEqual({
      table: 'orders',
      column: 'id',
      expected: 'bigint',
      actual: 'integer',
      message: 'orders.id is integer, expected bigint',
    });
    expect(schemaFailureLine(problems.slice(2, 3))).toBe(
      'expect-schema: 1 problem: orders.currency missing',
    );
  });
});

/** One engine's migrations: 0001 creates the old shape, 0002 the new one. */
interface EngineCase {
  engine: string;
  files: Record<string, string>;
  url: () => Promise<string>;
  /** how this engine reports `orders.id` */
  idType: string;
  /** more tables the passing expectation names (schema-qualified ones) */
  extraTables?: Record<string, unknown>;
  secrets: () => string[];
}

const failing = JSON.stringify({
  tables: {
    orders: { columns: { currency: 'present', legacy_flag: { type: 'bool' } } },
    orders_v2: 'absent',
  },
});

function passing(c: EngineCase): string {
  return JSON.stringify({
    tables: {
      orders: {
        columns: {
          id: { type: c.idType, nullable: false },
          currency: { type: 'TEXT', nullable: false },
          note: { type: 'character varying(40)', nullable: true },
          legacy_flag: 'absent',
        },
      },
      orders_v2: 'absent',
      ...c.extraTables,
    },
  });
}

function defineEngine(c: EngineCase): void {
  describe(`expect-schema on ${c.engine}`, () => {
    test('fails after apply when the schema is not as expected, then passes once it is', async () => {
      const url = await c.url();
      const ws = sqlWorkspace(c.files);
      const inputs = { tool: 'sql', 'database-url': url, 'require-backup': 'false' };

      const bad = await migrate(
        { ...inputs, target: '0001', 'expect-schema': failing },
        ws,
        c.secrets(),
      );
      expectFailure(
        bad,
        'expect-schema: 2 problems: orders.currency missing; orders_v2 still exists',
      );
      // the apply itself happened: only the check failed
      expect(bad.outputs['applied-count']).toBe('1');
      const check = JSON.parse(bad.outputs['schema-check']) as { ok: boolean; problems: unknown[] };
      expect(check.ok).toBe(false);
      expect(check.problems).toEqual([
        {
          table: 'orders',
          column: 'currency',
          expected: 'exists',
          actual: 'missing',
          message: 'orders.currency missing',
        },
        {
          table: 'orders_v2',
          expected: 'absent',
          actual: 'exists',
          message: 'orders_v2 still exists',
        },
      ]);
      expect(bad.summary).toContain('Schema: 2 problem(s)');
      expect(bad.summary).toMatch(
        /<td>orders<\/td><td>currency<\/td><td>exists<\/td><td>missing<\/td>/,
      );

      const good = await migrate({ ...inputs, 'expect-schema': passing(c) }, ws, c.secrets());
      expectOk(good);
      expect(good.outputs['applied-count']).toBe('1');
      expect(JSON.parse(good.outputs['schema-check'])).toEqual({ ok: true, problems: [] });
      expect(good.summary).toContain('Schema: as expected');

      // nothing pending: the schema is still checked
      const again = await migrate(
        {
          ...inputs,
          'expect-schema': JSON.stringify({
            tables: { orders: { columns: { shipped_at: 'present' } } },
          }),
        },
        ws,
        c.secrets(),
      );
      expectFailure(again, 'expect-schema: 1 problem: orders.shipped_at missing');
      expect(again.outputs['applied-count']).toBe('0');
    });
  });
}

let pgServer: PostgresServer;
let maria: MariaDbServer;
beforeAll(async () => {
  [pgServer, maria] = await Promise.all([startPostgres(), startMariaDb()]);
}, 180_000);
afterAll(async () => {
  await Promise.all([pgServer?.stop(), maria?.stop()]);
});

defineEngine({
  engine: 'PostgreSQL',
  files: {
    '0001_orders.sql':
      'CREATE TABLE orders (id bigint PRIMARY KEY, legacy_flag boolean, note varchar(40));\n' +
      'CREATE TABLE orders_v2 (id int);\nCREATE SCHEMA billing;\nCREATE TABLE billing.invoices (id int NOT NULL);\n',
    '0002_currency.sql':
      "ALTER TABLE orders ADD COLUMN currency text NOT NULL DEFAULT 'EUR';\n" +
      'ALTER TABLE orders DROP COLUMN legacy_flag;\nDROP TABLE orders_v2;\n',
  },
  url: async () => {
    await pgServer.createDatabase('shop');
    return pgServer.url('shop');
  },
  idType: 'int8',
  extraTables: { 'billing.invoices': { columns: { id: { type: 'int4', nullable: false } } } },
  secrets: () => [pgServer.password],
});

defineEngine({
  engine: 'MariaDB',
  files: {
    '0001_orders.sql':
      'CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, legacy_flag TINYINT(1), note VARCHAR(40));\n' +
      'CREATE TABLE orders_v2 (id INT);\n',
    '0002_currency.sql':
      'ALTER TABLE orders ADD COLUMN currency TEXT NOT NULL;\n' +
      'ALTER TABLE orders DROP COLUMN legacy_flag;\nDROP TABLE orders_v2;\n',
  },
  url: async () => {
    await maria.createDatabase('shop');
    return maria.url('shop');
  },
  idType: 'bigint',
  secrets: () => [maria.password],
});

defineEngine({
  engine: 'SQLite',
  files: {
    '0001_orders.sql':
      'CREATE TABLE orders (id INTEGER PRIMARY KEY, legacy_flag BOOLEAN, note VARCHAR(40));\n' +
      'CREATE TABLE orders_v2 (id INT);\n',
    '0002_currency.sql':
      "ALTER TABLE orders ADD COLUMN currency TEXT NOT NULL DEFAULT 'EUR';\n" +
      'ALTER TABLE orders DROP COLUMN legacy_flag;\nDROP TABLE orders_v2;\n',
  },
  url: async () => `sqlite://${join(tempDir('expect-schema'), 'shop.db')}`,
  idType: 'integer',
  secrets: () => [],
});

test('a bad expect-schema fails before anything runs, naming the path', async () => {
  const path = join(tempDir('expect-schema-bad'), 'app.db');
  const ws = sqlWorkspace({ '0001_t.sql': 'CREATE TABLE t (id int);\n' });
  const run = await migrate(
    {
      tool: 'sql',
      'database-url': `sqlite://${path}`,
      'require-backup': 'false',
      'expect-schema': 'tables:\n  t:\n    columns:\n      id: { nullable: maybe }\n',
    },
    ws,
  );
  expectFailure(run, "Input 'expect-schema': tables.t.columns.id.nullable must be true or false.");
  expect(existsSync(path)).toBe(false);
});

describe('expect-schema in check mode', () => {
  const files = {
    '0001_orders.sql':
      'CREATE TABLE orders (id INTEGER PRIMARY KEY);\nCREATE TABLE orders_v2 (id INT);\n',
    '0002_currency.sql':
      "ALTER TABLE orders ADD COLUMN currency TEXT NOT NULL DEFAULT 'EUR';\nDROP TABLE orders_v2;\n",
  };
  const after = JSON.stringify({
    tables: { orders: { columns: { currency: { type: 'text' } } }, orders_v2: 'absent' },
  });

  test('SQLite: compares a copy with the pending migrations applied; the database is untouched', async () => {
    const path = join(tempDir('expect-schema-check'), 'app.db');
    const ws = sqlWorkspace(files);
    const inputs = { tool: 'sql', 'database-url': `sqlite://${path}`, 'require-backup': 'false' };
    expectOk(await migrate({ ...inputs, target: '0001' }, ws));

    const ok = await migrate({ ...inputs, mode: 'check', 'expect-schema': after }, ws);
    expectOk(ok);
    expect(JSON.parse(ok.outputs['schema-check'])).toEqual({ ok: true, problems: [] });
    // the real database still has the old shape and one applied migration
    expect(
      sqliteRows(path, "SELECT name FROM sqlite_master WHERE name = 'orders_v2'"),
    ).toHaveLength(1);
    expect(sqliteRows(path, 'SELECT version FROM schema_migrations')).toHaveLength(1);

    const bad = await migrate(
      {
        ...inputs,
        mode: 'check',
        'expect-schema': JSON.stringify({
          tables: { orders: { columns: { currency: 'absent' } } },
        }),
      },
      ws,
    );
    expectFailure(bad, 'expect-schema: 1 problem: orders.currency still exists (dry run)');
  });

  test('PostgreSQL: check dry-runs the pending migrations on a scratch copy (details: expect-schema-dry-run.test.ts)', async () => {
    await pgServer.createDatabase('checkonly');
    const ws = sqlWorkspace({ '0001_t.sql': 'CREATE TABLE t (id int);\n' });
    const run = await migrate(
      {
        tool: 'sql',
        'database-url': pgServer.url('checkonly'),
        mode: 'check',
        'expect-schema': 'tables:\n  t: absent\n',
      },
      ws,
      [pgServer.password],
    );
    expectFailure(run, 'expect-schema: 1 problem: t still exists (dry run)');
    expect(await pgServer.query("SELECT to_regclass('t') AS t", [], 'checkonly')).toEqual([
      { t: null },
    ]);
  });

  test('MariaDB: check dry-runs the pending migrations on a scratch copy (details: expect-schema-dry-run-mariadb.test.ts)', async () => {
    await maria.createDatabase('checkonly');
    const ws = sqlWorkspace({ '0001_t.sql': 'CREATE TABLE t (id int);\n' });
    const run = await migrate(
      {
        tool: 'sql',
        'database-url': maria.url('checkonly'),
        mode: 'check',
        'expect-schema': 'tables:\n  t: absent\n',
      },
      ws,
      [maria.password],
    );
    expectFailure(run, 'expect-schema: 1 problem: t still exists (dry run)');
    expect(
      await maria.query(
        "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'checkonly' AND TABLE_NAME = 't'",
      ),
    ).toEqual([]);
  });

  test('PostgreSQL with the command tool: not dry-run, check says so and does not fail', async () => {
    await pgServer.createDatabase('checkcommand');
    const ws = sqlWorkspace({});
    const run = await migrate(
      {
        tool: 'command',
        command: 'echo applying',
        'database-url': pgServer.url('checkcommand'),
        mode: 'check',
        'expect-schema': 'tables:\n  t: present\n',
      },
      ws,
      [pgServer.password],
    );
    expectOk(run);
    expect(run.stdout).toContain(
      'expect-schema not checked: the command tool is not dry-run (only sql, alembic and django)',
    );
    expect(run.outputs['schema-check']).toBeUndefined();
    expect(
      await pgServer.query("SELECT datname FROM pg_database WHERE datname LIKE '%dryrun%'"),
    ).toEqual([]);
  });
});
