import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { startMariaDb, type MariaDbServer } from '../support/services/mariadb.js';
import { freePort } from '../support/services/common.js';
import { backup, expectBackup, expectFailure, expectNothingLeft, listDir } from './helpers.js';

let server: MariaDbServer;
const root = mkdtempSync(join(tmpdir(), 'backup-maria-'));

const SCHEMA = [
  `CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(200) NOT NULL, note TEXT NULL, avatar BLOB NULL, INDEX customers_name (name)) CHARACTER SET utf8mb4`,
  `CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT, total DECIMAL(12,2), memo TEXT NULL) CHARACTER SET utf8mb4`,
  `CREATE TABLE empty_table (id INT)`,
  `CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100`,
];

type Fingerprint = Record<string, { rows: number; sum: string }>;

async function fingerprint(db: string): Promise<Fingerprint> {
  const sums: Record<string, string> = {
    customers: `SELECT COUNT(*) AS n, MD5(COALESCE(GROUP_CONCAT(CONCAT_WS('|', id, name, IFNULL(note, '<null>'), IFNULL(HEX(avatar), '<null>')) ORDER BY id SEPARATOR '#'), '')) AS s FROM customers`,
    orders: `SELECT COUNT(*) AS n, MD5(COALESCE(GROUP_CONCAT(CONCAT_WS('|', id, customer_id, total, IFNULL(memo, '<null>')) ORDER BY id SEPARATOR '#'), '')) AS s FROM orders`,
    empty_table: `SELECT COUNT(*) AS n, '' AS s FROM empty_table`,
  };
  const out: Fingerprint = {};
  for (const [table, sql] of Object.entries(sums)) {
    const rows = await server.query<{ n: string; s: string }>(sql, [], db);
    out[table] = { rows: Number(rows[0].n), sum: String(rows[0].s) };
  }
  return out;
}

let restores = 0;
async function restoreWithMariaDb(path: string, compression: string): Promise<string> {
  const db = `restored_${++restores}`;
  await server.createDatabase(db);
  const raw = readFileSync(path);
  const sql =
    compression === 'gzip'
      ? gunzipSync(raw)
      : compression === 'zstd'
        ? zstdDecompressSync(raw)
        : raw;
  execFileSync(
    'mariadb',
    [
      '--no-defaults',
      '--protocol=TCP',
      '-h',
      server.host,
      '-P',
      String(server.port),
      '-u',
      server.user,
      db,
    ],
    {
      input: sql,
      env: { ...process.env, MYSQL_PWD: server.password },
    },
  );
  return db;
}

beforeAll(async () => {
  server = await startMariaDb();
  await server.query('SET GLOBAL group_concat_max_len = 100000000');
  await server.createDatabase('shop');
  for (const sql of SCHEMA) await server.query(sql, [], 'shop');
  const names = ['Zoë', 'Łukasz', '山田太郎', 'Ørjan 🚀', "O'Brien", 'back\\slash "q"'];
  for (let i = 1; i <= 300; i++) {
    await server.query(
      'INSERT INTO customers (name, note, avatar) VALUES (?, ?, ?)',
      [
        `${names[i % names.length]} ${i}`,
        i % 3 === 0 ? null : `note ${i}\nline two`,
        i % 4 === 0 ? null : Buffer.from([0, 255, i % 256, 10, 13, 39]),
      ],
      'shop',
    );
  }
  await server.query(
    `INSERT INTO orders (customer_id, total, memo) SELECT 1 + seq % 300, seq * 1.25, IF(seq % 5 = 0, NULL, CONCAT(REPEAT('x', seq % 40), '‘', seq, '’')) FROM seq_1_to_3000`,
    [],
    'shop',
  );
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('backup-db on MariaDB', () => {
  let source: Fingerprint;
  beforeAll(async () => {
    source = await fingerprint('shop');
    expect(source.orders.rows).toBe(3000);
  });

  test.each(['auto', 'gzip', 'zstd', 'none'])(
    'plain SQL, compression %s: the mariadb client gives back every row',
    async (compression) => {
      const out = join(root, `out-${compression}`);
      const run = await backup(
        { 'database-url': server.url('shop'), compression, 'output-dir': out },
        [server.password],
      );
      const manifest = await expectBackup(run);
      expect(manifest).toMatchObject({
        engine: 'mysql',
        database: 'shop',
        format: 'plain',
        server_version: server.fullVersion,
      });
      expect(manifest.client_version).toMatch(/^(mariadb-dump|mysqldump) \d+\./);
      expect(manifest.tables).toEqual({ customers: 300, empty_table: 0, orders: 3000 });
      expect(listDir(out)).toEqual([manifest.file, `${run.outputs.name}.manifest.json`].sort());
      const db = await restoreWithMariaDb(run.outputs.path, manifest.compression);
      expect(await fingerprint(db)).toEqual(source);
      const view = await server.query<{ n: string }>(
        'SELECT COUNT(*) AS n FROM big_orders',
        [],
        db,
      );
      expect(Number(view[0].n)).toBe(2920);
      const idx = await server.query(
        `SHOW INDEX FROM customers WHERE Key_name = 'customers_name'`,
        [],
        db,
      );
      expect(idx.length).toBe(1);
      await server.dropDatabase(db);
    },
  );

  test('the mariadb:// scheme and verify restore: scratch database dropped', async () => {
    const out = join(root, 'verify');
    const url = server.url('shop').replace(/^mysql:/, 'mariadb:');
    const run = await backup({ 'database-url': url, verify: 'restore', 'output-dir': out }, [
      server.password,
    ]);
    await expectBackup(run);
    expect(run.summary).toMatch(
      /restored into database shop_verify_[0-9a-f]{8}: 3 tables, row counts match, scratch dropped/,
    );
    const left = await server.query(
      `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'shop\\_verify\\_%'`,
    );
    expect(left).toEqual([]);
  });

  test('verify restore into a named scratch database', async () => {
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
    expect(
      await server.query(
        `SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'scratch_named'`,
      ),
    ).toEqual([]);
  });

  test('bad inputs for MySQL: directory/custom formats, jobs, reserved extra args', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [
        { format: 'directory' },
        /^Input 'format': 'directory' is for PostgreSQL only; MySQL\/MariaDB backups are plain SQL/,
      ],
      [{ format: 'custom' }, /^Input 'format': 'custom' is for PostgreSQL only/],
      [{ jobs: '2' }, /^Input 'jobs': applies only to format: directory/],
      [
        { 'extra-args': '--result-file=/tmp/x' },
        /^Input 'extra-args': '--result-file' is set by backup-db itself/,
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

  test('wrong password, missing database, refused port, a port that never answers', async () => {
    const wrong = 'N0t-the:p@ssword';
    const out = join(root, 'conn');
    const bad = await backup(
      {
        'database-url': `mysql://root:${encodeURIComponent(wrong)}@127.0.0.1:${server.port}/shop`,
        'output-dir': out,
      },
      [wrong, server.password],
    );
    expectFailure(
      bad,
      /^Input 'database-url': authentication failed for user 'root' at 127\.0\.0\.1:\d+/,
    );
    const missing = await backup({ 'database-url': server.url('nope'), 'output-dir': out }, [
      server.password,
    ]);
    expectFailure(
      missing,
      /^Input 'database-url': database 'nope' does not exist on 127\.0\.0\.1:\d+\.$/,
    );
    const port = await freePort();
    const refused = await backup(
      { 'database-url': `mysql://root:pw-z3@127.0.0.1:${port}/shop`, 'output-dir': out },
      ['pw-z3'],
    );
    expectFailure(
      refused,
      /^Input 'database-url': cannot connect to MySQL\/MariaDB at 127\.0\.0\.1:\d+: connection refused/,
    );
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', () => res()));
    try {
      const silentPort = (silent.address() as { port: number }).port;
      const hung = await backup(
        {
          'database-url': `mysql://root:pw-z4@127.0.0.1:${silentPort}/shop`,
          'connect-timeout': '2s',
          'output-dir': out,
        },
        ['pw-z4'],
        { timeoutMs: 60_000 },
      );
      expectFailure(
        hung,
        /^Input 'database-url': MySQL\/MariaDB at 127\.0\.0\.1:\d+ did not answer within 2\.0s \(connect-timeout\)\.$/,
      );
    } finally {
      silent.close();
    }
    expectNothingLeft(out);
  });

  test('the dump connection is killed mid-dump: the step fails, nothing under the final name', async () => {
    const out = join(root, 'killed');
    // a table lock makes the dump wait where it can be found and killed
    const mysql = await import('mysql2/promise');
    const locker = await mysql.createConnection({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database: 'shop',
    });
    try {
      await locker.query('LOCK TABLES orders WRITE');
      const running = backup({ 'database-url': server.url('shop'), 'output-dir': out }, [
        server.password,
      ]);
      let killed = false;
      for (let i = 0; i < 300 && !killed; i++) {
        const [rows] = await locker.query(
          `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = 'shop' AND STATE LIKE '%metadata lock%' AND INFO LIKE 'SELECT /*!40001 SQL_NO_CACHE */%orders%'`,
        );
        const ids = (rows as Array<{ id: number }>).map((r) => r.id);
        for (const id of ids) await locker.query(`KILL ${Number(id)}`);
        killed = ids.length > 0;
        if (!killed) await new Promise((res) => setTimeout(res, 100));
      }
      expect(killed).toBe(true);
      const run = await running;
      expectFailure(run, /mariadb-dump|mysqldump|counting rows failed/);
      expectNothingLeft(out);
    } finally {
      await locker.query('UNLOCK TABLES').catch(() => undefined);
      await locker.end();
    }
  });
});
