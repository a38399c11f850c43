import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { freePort } from '../support/services/common.js';
import { backup, expectBackup, expectFailure, expectNothingLeft, listDir } from './helpers.js';

let server: PostgresServer;
const root = mkdtempSync(join(tmpdir(), 'backup-pg-'));

const SCHEMA = `
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, note text, avatar bytea, joined date);
CREATE INDEX customers_name ON customers (name);
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(12,2), tags jsonb, memo text);
CREATE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE total > 100;
CREATE TABLE empty_table (id int);
INSERT INTO customers (name, note, avatar, joined)
  SELECT (ARRAY['Zoë','Łukasz','山田太郎','Ørjan 🚀','O''Brien','tab	and "quote"'])[1 + i % 6] || ' ' || i,
         CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i || E'\\nline two' END,
         CASE WHEN i % 4 = 0 THEN NULL ELSE decode(lpad(to_hex(i), 8, '0') || '00ff0a0d', 'hex') END,
         DATE '2020-01-01' + i
  FROM generate_series(1, 400) AS i;
INSERT INTO sales.orders (customer_id, total, tags, memo)
  SELECT 1 + i % 400, i * 1.25, CASE WHEN i % 2 = 0 THEN jsonb_build_object('n', i, 'ü', 'wert') END,
         CASE WHEN i % 5 = 0 THEN NULL ELSE repeat('x', i % 50) || '‘' || i || '’' END
  FROM generate_series(1, 5000) AS i;
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

let restoreCount = 0;
/** Restores a backup with PostgreSQL's own tools into a fresh database and returns its name. */
async function restoreWithPg(
  path: string,
  format: string,
  compression: string,
  compressedBy: string,
): Promise<string> {
  const db = `restored_${++restoreCount}`;
  await server.createDatabase(db);
  const env = { ...process.env, ...server.env };
  const bin = (t: string): string => join(server.binDir, t);
  const decompress = (): Buffer => {
    const raw = readFileSync(path);
    return compression === 'gzip'
      ? gunzipSync(raw)
      : compression === 'zstd'
        ? zstdDecompressSync(raw)
        : raw;
  };
  if (format === 'plain') {
    execFileSync(bin('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-o', '/dev/null'], {
      env,
      input: decompress(),
    });
  } else if (compressedBy === 'stream' && compression !== 'none') {
    execFileSync(bin('pg_restore'), ['--exit-on-error', '-d', db], { env, input: decompress() });
  } else {
    execFileSync(bin('pg_restore'), ['--exit-on-error', '-d', db, path], { env });
  }
  return db;
}

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('shop');
  await server.query(SCHEMA, [], 'shop');
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('backup-db on PostgreSQL', () => {
  let source: Fingerprint;
  beforeAll(async () => {
    source = await fingerprint('shop');
  });

  const combos: Array<[string, string, Record<string, string>]> = [
    ['auto', 'auto', {}],
    ['custom', 'gzip', { 'compression-level': '9' }],
    ['custom', 'zstd', {}],
    ['custom', 'none', {}],
    ['plain', 'gzip', {}],
    ['plain', 'zstd', { 'compression-level': '10' }],
    ['plain', 'none', {}],
    ['directory', 'gzip', { jobs: '2' }],
    ['directory', 'none', {}],
  ];
  test.each(combos)(
    'format %s, compression %s: pg_restore/psql give back every row',
    async (format, compression, extra) => {
      const out = join(root, `out-${format}-${compression}`);
      const run = await backup(
        { 'database-url': server.url('shop'), format, compression, 'output-dir': out, ...extra },
        [server.password],
      );
      const manifest = await expectBackup(run);
      expect(manifest).toMatchObject({
        engine: 'postgres',
        database: 'shop',
        server_version: server.version,
        client_version: `pg_dump ${server.version}`,
        format: format === 'auto' ? 'custom' : format,
        compression: compression === 'auto' ? 'gzip' : compression,
      });
      expect(manifest.tables).toEqual({
        'public.customers': 400,
        'public.empty_table': 0,
        'sales.orders': 5000,
      });
      expect(run.outputs['server-version']).toBe(server.version);
      expect(listDir(out)).toEqual([manifest.file, `${run.outputs.name}.manifest.json`].sort());
      const db = await restoreWithPg(
        run.outputs.path,
        manifest.format,
        manifest.compression,
        manifest.compressed_by ?? '',
      );
      expect(await fingerprint(db)).toEqual(source);
      const [view] = await server.query<{ n: string }>(
        'SELECT count(*) AS n FROM sales.big_orders',
        [],
        db,
      );
      expect(Number(view.n)).toBe(4920);
      const [index] = await server.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_indexes WHERE indexname = 'customers_name'`,
        [],
        db,
      );
      expect(Number(index.n)).toBe(1);
      await server.dropDatabase(db);
    },
  );

  test.each(['custom', 'plain', 'directory'])(
    'verify restore (%s): counts compared, scratch database dropped',
    async (format) => {
      const out = join(root, `verify-${format}`);
      const run = await backup(
        { 'database-url': server.url('shop'), format, verify: 'restore', 'output-dir': out },
        [server.password],
      );
      await expectBackup(run);
      expect(run.summary).toMatch(
        /restored into database shop_verify_[0-9a-f]{8}: 3 tables, row counts match, scratch dropped/,
      );
      const left = await server.query(
        `SELECT datname FROM pg_database WHERE datname LIKE 'shop_verify_%'`,
      );
      expect(left).toEqual([]);
    },
  );

  test('verify restore into a named scratch database, which is gone afterwards', async () => {
    const out = join(root, 'verify-named');
    const run = await backup(
      {
        'database-url': server.url('shop'),
        verify: 'restore',
        'verify-database-url': server.url('scratch_named'),
        'output-dir': out,
      },
      [server.password],
    );
    await expectBackup(run);
    expect(run.summary).toContain('restored into database scratch_named');
    expect(await server.query(`SELECT 1 FROM pg_database WHERE datname = 'scratch_named'`)).toEqual(
      [],
    );
  });

  test('checksum verification and a table left out by extra-args', async () => {
    const out = join(root, 'checksum');
    const run = await backup(
      {
        'database-url': server.url('shop'),
        verify: 'checksum',
        'extra-args': '--exclude-table-data=sales.orders',
        'output-dir': out,
      },
      [server.password],
    );
    const manifest = await expectBackup(run);
    expect(manifest.tables).toEqual({ 'public.customers': 400, 'public.empty_table': 0 });
    expect(run.summary).toContain('sha256 re-read and matched');
  });

  test('the backend terminated mid-dump: the step fails, nothing under the final name', async () => {
    const out = join(root, 'terminated');
    const pg = await import('pg');
    const locker = new pg.default.Client({ connectionString: server.url('shop') });
    await locker.connect();
    try {
      await locker.query('BEGIN; LOCK TABLE sales.orders IN ACCESS EXCLUSIVE MODE');
      const running = backup({ 'database-url': server.url('shop'), 'output-dir': out }, [
        server.password,
      ]);
      let killed = 0;
      for (let i = 0; i < 300 && killed === 0; i++) {
        const r = await server.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
           WHERE application_name = 'runbook-backup-db:pg_dump' AND wait_event_type = 'Lock'`,
        );
        killed = r[0].n;
        await new Promise((res) => setTimeout(res, 100));
      }
      expect(killed).toBe(1);
      const run = await running;
      expectFailure(run, /pg_dump (exited with code 1|was killed)/);
      expectNothingLeft(out);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  });

  test('a failed restore check fails the step and leaves nothing under the final name', async () => {
    // a plain dump has no table of contents, so data left out by extra-args shows up only
    // when the restored copy is counted
    const out = join(root, 'restore-mismatch');
    const run = await backup(
      {
        'database-url': server.url('shop'),
        format: 'plain',
        verify: 'restore',
        'extra-args': '--exclude-table-data=sales.orders',
        'output-dir': out,
      },
      [server.password],
    );
    expectFailure(
      run,
      /^the restored copy differs from the source: sales\.orders: 5000 rows in the source, 0 restored\.$/,
    );
    expectNothingLeft(out);
    expect(
      await server.query(`SELECT datname FROM pg_database WHERE datname LIKE 'shop_verify_%'`),
    ).toEqual([]);
  });

  test('a cancelled step (SIGTERM) leaves no partial files behind', async () => {
    const out = join(root, 'cancelled');
    const pg = await import('pg');
    const locker = new pg.default.Client({ connectionString: server.url('shop') });
    await locker.connect();
    let pid = 0;
    try {
      await locker.query('BEGIN; LOCK TABLE sales.orders IN ACCESS EXCLUSIVE MODE');
      const running = backup(
        { 'database-url': server.url('shop'), 'output-dir': out },
        [server.password],
        {
          onStart: (p) => (pid = p),
        },
      );
      let waiting = false;
      for (let i = 0; i < 300 && !waiting; i++) {
        const r = await server.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'runbook-backup-db:pg_dump' AND wait_event_type = 'Lock'`,
        );
        waiting = r[0].n > 0;
        if (!waiting) await new Promise((res) => setTimeout(res, 100));
      }
      expect(waiting).toBe(true);
      expect(listDir(out).length).toBe(1);
      expect(listDir(out)[0]).toMatch(/^\.shop-\d{8}T\d{6}Z\.partial-/);
      process.kill(pid, 'SIGTERM');
      const run = await running;
      expect(run.exitCode).toBe(143);
      expectNothingLeft(out);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  });

  test('unknown compression, jobs without directory, bad jobs, mysql-only cases: clear errors before connecting', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [
        { compression: 'lz4' },
        /^Input 'compression': "lz4" is not one of: auto, gzip, zstd, none\.$/,
      ],
      [
        { jobs: '4' },
        /^Input 'jobs': applies only to format: directory .*; the format here is custom\.$/,
      ],
      [
        { format: 'directory', jobs: '-2' },
        /^Input 'jobs': -2 is out of range; expected a whole number from 1 to 64\.$/,
      ],
      [{ format: 'directory', jobs: 'many' }, /^Input 'jobs': "many" is not a whole number/],
      [
        { 'extra-args': '--file=/tmp/x' },
        /^Input 'extra-args': '--file' is set by backup-db itself/,
      ],
      [
        { 'verify-database-url': server.url('shop'), verify: 'restore' },
        /^Input 'verify-database-url': names the database being backed up/,
      ],
    ];
    for (const [inputs, message] of cases) {
      const out = join(root, 'bad');
      const run = await backup(
        { 'database-url': server.url('shop'), 'output-dir': out, ...inputs },
        [server.password],
      );
      expectFailure(run, message);
      expectNothingLeft(out);
    }
  });

  test('zstd in a directory archive needs pg_dump 16: one clear line', async () => {
    const out = join(root, 'zstd-dir');
    const run = await backup(
      {
        'database-url': server.url('shop'),
        format: 'directory',
        compression: 'zstd',
        'output-dir': out,
      },
      [server.password],
    );
    expectFailure(
      run,
      new RegExp(
        `^Input 'compression': zstd with format: directory needs pg_dump 16 or newer \\(found ${server.version.replace('.', '\\.')}\\)`,
      ),
    );
    expectNothingLeft(out);
  });

  test('wrong password: authentication error without the password anywhere', async () => {
    const wrong = 'Wr0ng-p@ss:word';
    const url = `postgres://postgres:${encodeURIComponent(wrong)}@127.0.0.1:${server.port}/shop`;
    const out = join(root, 'wrong-pw');
    const run = await backup({ 'database-url': url, 'output-dir': out }, [wrong, server.password]);
    expectFailure(
      run,
      /^Input 'database-url': authentication failed for user 'postgres' at 127\.0\.0\.1:\d+/,
    );
    expectNothingLeft(out);
  });

  test('missing database', async () => {
    const out = join(root, 'missing-db');
    const run = await backup({ 'database-url': server.url('no_such_db'), 'output-dir': out }, [
      server.password,
    ]);
    expectFailure(
      run,
      /^Input 'database-url': database 'no_such_db' does not exist on 127\.0\.0\.1:\d+\.$/,
    );
    expectNothingLeft(out);
  });

  test('unreachable port: connection refused, at once', async () => {
    const port = await freePort();
    const out = join(root, 'refused');
    const run = await backup(
      { 'database-url': `postgres://postgres:pw-x1@127.0.0.1:${port}/shop`, 'output-dir': out },
      ['pw-x1'],
    );
    expectFailure(
      run,
      /^Input 'database-url': cannot connect to PostgreSQL at 127\.0\.0\.1:\d+: connection refused/,
    );
    expectNothingLeft(out);
  });

  test('a port that accepts but never answers fails within connect-timeout, not a hang', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', () => res()));
    const port = (silent.address() as { port: number }).port;
    try {
      const out = join(root, 'silent');
      const run = await backup(
        {
          'database-url': `postgres://postgres:pw-y2@127.0.0.1:${port}/shop`,
          'connect-timeout': '2s',
          'output-dir': out,
        },
        ['pw-y2'],
        { timeoutMs: 60_000 },
      );
      expectFailure(
        run,
        /^Input 'database-url': PostgreSQL at 127\.0\.0\.1:\d+ did not answer within 2\.0s \(connect-timeout\)\.$/,
      );
      expectNothingLeft(out);
    } finally {
      silent.close();
    }
  });

  test('an existing backup of the same name is never overwritten', async () => {
    const out = join(root, 'same-name');
    const first = await backup(
      { 'database-url': server.url('shop'), name: 'fixed', 'output-dir': out },
      [server.password],
    );
    await expectBackup(first);
    const before = readFileSync(first.outputs.path);
    const second = await backup(
      { 'database-url': server.url('shop'), name: 'fixed', 'output-dir': out },
      [server.password],
    );
    expectFailure(second, /fixed\.dump already exists; choose another name or output-dir/);
    expect(readFileSync(first.outputs.path).equals(before)).toBe(true);
    expect(listDir(out)).toEqual(['fixed.dump', 'fixed.manifest.json']);
  });
});

describe('backup-db on PostgreSQL: disk and server faults', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const m of mounts) {
      try {
        execFileSync('umount', [m]);
      } catch {
        // already gone
      }
    }
  });

  function tmpfs(options: string): string {
    const dir = mkdtempSync(join(root, 'mnt-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
    mounts.push(dir);
    return dir;
  }

  test('the disk fills up mid-dump: the step fails with ENOSPC explained, nothing left', async () => {
    const dir = tmpfs('size=256k');
    const run = await backup(
      { 'database-url': server.url('shop'), compression: 'none', 'output-dir': dir },
      [server.password],
    );
    expectFailure(run, /writing the backup failed: no space left on the device/);
    expectNothingLeft(dir);
  });

  test('a read-only output-dir: the step fails, nothing written', async () => {
    const dir = tmpfs('size=1m,ro');
    const run = await backup({ 'database-url': server.url('shop'), 'output-dir': dir }, [
      server.password,
    ]);
    expectFailure(run, /cannot write in output-dir .*: the file system is read-only/);
    expectNothingLeft(dir);
  });

  test('the server stops mid-dump: the step fails, nothing under the final name', async () => {
    writeFileSync(join(root, 'marker'), '');
    const out = join(root, 'server-gone');
    const pg = await import('pg');
    const locker = new pg.default.Client({ connectionString: server.url('shop') });
    await locker.connect();
    locker.on('error', () => undefined);
    await locker.query('BEGIN; LOCK TABLE sales.orders IN ACCESS EXCLUSIVE MODE');
    const running = backup({ 'database-url': server.url('shop'), 'output-dir': out }, [
      server.password,
    ]);
    let waiting = false;
    for (let i = 0; i < 300 && !waiting; i++) {
      const r = await server.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'runbook-backup-db:pg_dump' AND wait_event_type = 'Lock'`,
      );
      waiting = r[0].n > 0;
      if (!waiting) await new Promise((res) => setTimeout(res, 100));
    }
    expect(waiting).toBe(true);
    await server.kill();
    const run = await running;
    await locker.end().catch(() => undefined);
    expectFailure(run, /pg_dump (exited with code 1|was killed)|connection/);
    expectNothingLeft(out);
    await server.restart();
  });
});
