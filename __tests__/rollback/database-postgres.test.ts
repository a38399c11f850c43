import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { parseManifest } from '../../src/db/manifest.js';
import { compactTimestamp } from '../../src/db/backup.js';
import { keptDatabaseName } from '../../src/db/postgres-database.js';
import { expectFailure, expectOk, rollback, rolledBack, runChecked } from './helpers.js';

let server: PostgresServer;
const root = tempDir('rollback-pg');

const SCHEMA = `
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, note text);
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(12,2));
INSERT INTO customers (name, note) SELECT 'customer ' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END FROM generate_series(1, 300) AS i;
INSERT INTO sales.orders (customer_id, total) SELECT 1 + i % 300, i * 1.25 FROM generate_series(1, 2000) AS i;
`;

const CHANGE = `
DELETE FROM sales.orders WHERE id % 2 = 0;
UPDATE customers SET name = 'changed ' || id WHERE id <= 50;
INSERT INTO customers (name) VALUES ('new one'), ('new two');
`;

type Fingerprint = Record<string, { rows: number; sum: string }>;

async function fingerprint(db: string): Promise<Fingerprint> {
  const tables = await server.query<{ s: string; t: string }>(
    `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
    [],
    db,
  );
  const out: Fingerprint = {};
  for (const { s, t } of tables) {
    const [r] = await server.query<{ n: string; sum: string }>(
      `SELECT count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS sum FROM "${s}"."${t}" x`,
      [],
      db,
    );
    out[`${s}.${t}`] = { rows: Number(r.n), sum: r.sum };
  }
  return out;
}

let dbCount = 0;
async function freshDatabase(): Promise<string> {
  const db = `shop_${++dbCount}`;
  await server.createDatabase(db);
  for (const stmt of SCHEMA.split(';\n').filter((s) => s.trim())) await server.query(stmt, [], db);
  return db;
}

async function change(db: string): Promise<void> {
  for (const stmt of CHANGE.split(';\n').filter((s) => s.trim())) await server.query(stmt, [], db);
}

async function backup(db: string, format = 'auto'): Promise<Record<string, string>> {
  const run = await runChecked(
    'backup-db',
    { 'database-url': server.url(db), 'output-dir': join(root, db), upload: 'none', format },
    [server.password],
  );
  expectOk(run);
  return run.outputs;
}

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
  await removeDir(root);
});

describe('database rollback on PostgreSQL', () => {
  test('custom format: restores the backup over changed data; the safety backup holds the changed state and restores it', async () => {
    const db = await freshDatabase();
    const before = await fingerprint(db);
    const b = await backup(db);
    await change(db);
    const changed = await fingerprint(db);
    expect(changed).not.toEqual(before);

    const run = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': b['manifest-path'],
      },
      [server.password],
    );
    expectOk(run);
    expect(rolledBack(run)).toEqual(['database']);
    expect(run.outputs['restored-from']).toBe(b.path);
    expect(await fingerprint(db)).toEqual(before);
    expect(run.summary).toContain('pg_restore');
    expect(run.summary).toContain(b.sha256);

    // the safety backup is a backup-db backup of the changed state: rolling back to it undoes the rollback
    const safety = run.outputs['safety-backup-path'];
    expect(safety).toMatch(/-pre-rollback-\d{8}T\d{6}Z\.dump$/);
    const safetyManifest = safety.replace(/\.dump$/, '.manifest.json');
    const m = parseManifest(readFileSync(safetyManifest, 'utf8'));
    expect(m.tables['public.customers']).toBe(302);
    const undo = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': safetyManifest,
        'safety-backup': 'false',
      },
      [server.password],
    );
    expectOk(undo);
    expect(undo.outputs['safety-backup-path'] ?? '').toBe('');
    expect(await fingerprint(db)).toEqual(changed);
  });

  for (const [format, compression] of [
    ['directory', 'gzip'],
    ['custom', 'zstd'],
  ]) {
    test(`${format} format, ${compression}: pg_restore over changed data`, async () => {
      const db = await freshDatabase();
      const before = await fingerprint(db);
      const run0 = await runChecked(
        'backup-db',
        {
          'database-url': server.url(db),
          'output-dir': join(root, db),
          upload: 'none',
          format,
          compression,
        },
        [server.password],
      );
      expectOk(run0);
      await change(db);
      const run = await rollback(
        {
          targets: 'database',
          'database-url': server.url(db),
          'backup-manifest': run0.outputs['manifest-path'],
          'safety-backup': 'false',
        },
        [server.password],
      );
      expectOk(run);
      expect(await fingerprint(db)).toEqual(before);
    });
  }

  test('plain format: psql restore in one transaction over changed data', async () => {
    const db = await freshDatabase();
    const before = await fingerprint(db);
    const b = await backup(db, 'plain');
    await change(db);
    await server.query('CREATE TABLE added_later (id int)', [], db);
    const run = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': b['manifest-path'],
        'safety-backup': 'false',
      },
      [server.password],
    );
    expectOk(run);
    expect(run.summary).toContain('psql');
    // the plain restore empties the schemas the dump names (public, sales) before loading it
    expect(await fingerprint(db)).toEqual(before);
  });

  test('a tampered backup is refused before anything changes (no safety backup either); dry-run changes nothing', async () => {
    const db = await freshDatabase();
    const b = await backup(db);
    await change(db);
    const changed = await fingerprint(db);

    const dry = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': b['manifest-path'],
        'dry-run': 'true',
      },
      [server.password],
    );
    expectOk(dry);
    expect(rolledBack(dry)).toEqual([]);
    expect(dry.stdout).toContain('dry-run: nothing was changed');
    expect(dry.summary).toContain('dry run');
    expect(dry.outputs['safety-backup-path'] ?? '').toBe('');
    expect(await fingerprint(db)).toEqual(changed);

    const bytes = readFileSync(b.path);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(b.path, bytes);
    const safetyDir = join(root, `${db}-safety`);
    const run = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': b['manifest-path'],
        'safety-backup-dir': safetyDir,
      },
      [server.password],
    );
    expectFailure(run, /does not match its manifest/, /nothing was restored/);
    expect(rolledBack(run)).toEqual([]);
    expect(existsSync(safetyDir)).toBe(false);
    expect(await fingerprint(db)).toEqual(changed);
  });

  test('a backup of another database is refused', async () => {
    const a = await freshDatabase();
    const other = await freshDatabase();
    const b = await backup(a);
    const run = await rollback(
      {
        targets: 'database',
        'database-url': server.url(other),
        'backup-manifest': b['manifest-path'],
      },
      [server.password],
    );
    expectFailure(
      run,
      new RegExp(`backup is of database '${a}' but database-url names '${other}'`),
    );
  });
});

describe('keep-replaced: a duration', () => {
  test('keeps the replaced database and drops only the copies of this database kept longer ago', async () => {
    const db = await freshDatabase();
    const manifest = (await backup(db))['manifest-path'];
    await change(db);
    const old = `${db}_before_rollback_20200101t000000z`;
    const oldSecond = `${old}_2`;
    const recent = keptDatabaseName(db, compactTimestamp(new Date(Date.now() - 3_600_000)));
    // not copies of this database, or not kept copies at all: never touched
    const others = [`${db}x_before_rollback_20200101t000000z`, `${db}_before_rollback_someday`];
    for (const name of [old, oldSecond, recent, ...others]) await server.createDatabase(name);
    const names = async () =>
      (await server.query<{ datname: string }>('SELECT datname FROM pg_database')).map(
        (r) => r.datname,
      );

    const bad = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': manifest,
        'keep-replaced': 'a week',
      },
      [server.password],
    );
    expectFailure(bad, 'keep-replaced', /not true, false or a duration such as 7d/);
    expect(await names()).toEqual(expect.arrayContaining([old, oldSecond, recent]));

    const run = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': manifest,
        'keep-replaced': '7d',
      },
      [server.password],
    );
    expectOk(run);
    const kept = run.outputs['replaced-database'];
    expect(kept).toMatch(new RegExp(`^${db}_before_rollback_\\d{8}t\\d{6}z$`));
    const left = await names();
    expect(left).toEqual(expect.arrayContaining([kept, recent, ...others]));
    expect(left).not.toContain(old);
    expect(left).not.toContain(oldSecond);
    expect(run.stdout).toContain(
      `dropped 2 copy(ies) kept by earlier rollbacks, older than keep-replaced: ${old}, ${oldSecond}`,
    );
    for (const name of [kept, recent, ...others]) await server.query(`DROP DATABASE "${name}"`);
  });
});
