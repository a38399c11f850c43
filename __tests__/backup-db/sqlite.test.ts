import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import {
  backup,
  expectBackup,
  expectFailure,
  expectNothingLeft,
  listDir,
  sqliteFingerprint,
} from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'backup-sqlite-'));
const source = join(root, 'app.db');

function createSource(path: string): void {
  const db = new DatabaseSync(path);
  db.exec(`
    PRAGMA journal_mode = WAL;
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT, avatar BLOB);
    CREATE INDEX customers_name ON customers (name);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total REAL, memo TEXT);
    CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
  `);
  const ins = db.prepare('INSERT INTO customers (name, note, avatar) VALUES (?, ?, ?)');
  const names = ['Zoë', 'Łukasz', '山田太郎', 'Ørjan 🚀', "O'Brien", 'plain'];
  for (let i = 0; i < 300; i++) {
    ins.run(
      `${names[i % names.length]} ${i}`,
      i % 3 === 0 ? null : `note ${i}\nline two`,
      i % 4 === 0 ? null : Buffer.from([0, 255, i % 256, 10, 13]),
    );
  }
  const ord = db.prepare('INSERT INTO orders (customer_id, total, memo) VALUES (?, ?, ?)');
  for (let i = 0; i < 500; i++) ord.run((i % 300) + 1, i * 1.5, i % 5 === 0 ? null : `memo ‘${i}’`);
  db.close();
}

beforeAll(() => createSource(source));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Restores with SQLite's own tools into a fresh file and returns that file. */
function restoreWithSqlite(path: string, format: string, compression: string): string {
  const raw = readFileSync(path);
  const bytes =
    compression === 'gzip'
      ? gunzipSync(raw)
      : compression === 'zstd'
        ? zstdDecompressSync(raw)
        : raw;
  const dest = join(mkdtempSync(join(root, 'restore-')), 'restored.db');
  if (format === 'sqlite') writeFileSync(dest, bytes);
  else execFileSync('sqlite3', ['-bail', dest], { input: bytes });
  return dest;
}

describe('backup-db on SQLite', () => {
  const combos: Array<[string, string]> = [
    ['auto', 'auto'],
    ['auto', 'zstd'],
    ['auto', 'none'],
    ['plain', 'gzip'],
    ['plain', 'zstd'],
    ['plain', 'none'],
  ];
  test.each(combos)(
    'format %s, compression %s: restores to the same rows and contents',
    async (format, compression) => {
      const out = join(root, `out-${format}-${compression}`);
      const run = await backup(
        { 'database-url': `sqlite://${source}`, format, compression, 'output-dir': out },
        [],
      );
      const manifest = await expectBackup(run);
      expect(manifest.engine).toBe('sqlite');
      expect(manifest.tables).toEqual({ customers: 300, orders: 500 });
      expect(manifest.compression).toBe(compression === 'auto' ? 'gzip' : compression);
      expect(listDir(out)).toEqual([manifest.file, `${run.outputs.name}.manifest.json`].sort());
      const restored = restoreWithSqlite(run.outputs.path, manifest.format, manifest.compression);
      expect(sqliteFingerprint(restored)).toEqual(sqliteFingerprint(source));
      const db = new DatabaseSync(restored, { readOnly: true });
      expect(db.prepare(`SELECT count(*) AS n FROM big_orders`).get()).toEqual({ n: 433 });
      expect(
        db
          .prepare(
            `SELECT name FROM sqlite_schema WHERE type = 'index' AND name = 'customers_name'`,
          )
          .get(),
      ).toEqual({ name: 'customers_name' });
      db.close();
    },
  );

  test.each(['auto', 'plain'])(
    'verify restore (%s) compares row counts and removes the scratch file',
    async (format) => {
      const out = join(root, `verify-${format}`);
      const scratch = join(root, `scratch-${format}.db`);
      const run = await backup(
        {
          'database-url': `sqlite:${source}`,
          format,
          verify: 'restore',
          'verify-database-url': `sqlite://${scratch}`,
          'output-dir': out,
        },
        [],
      );
      await expectBackup(run);
      expect(run.summary).toMatch(/row counts match/);
      expect(run.summary).toMatch(/scratch dropped/);
      expect(existsSync(scratch)).toBe(false);
      expect(listDir(out)).toHaveLength(2);
    },
  );

  test('a backup taken while another process keeps inserting is a consistent committed prefix', async () => {
    const live = join(root, 'live.db');
    const db = new DatabaseSync(live);
    db.exec(
      'PRAGMA journal_mode = WAL; CREATE TABLE ticks (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)',
    );
    db.close();
    const writerCode = `
      const { DatabaseSync } = require('node:sqlite');
      const db = new DatabaseSync(process.argv[1], { timeout: 10000 });
      const ins = db.prepare('INSERT INTO ticks (id, payload) VALUES (?, ?)');
      let i = 0;
      const stop = Date.now() + 60000;
      while (Date.now() < stop) {
        db.exec('BEGIN IMMEDIATE');
        for (let k = 0; k < 50; k++) { i++; ins.run(i, 'x'.repeat(200) + i); }
        db.exec('COMMIT');
        if (i === 2000) process.stdout.write('ready\\n');
      }`;
    const writer = spawn(process.execPath, ['-e', writerCode, live], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
      const out = join(root, 'live-out');
      const run = await backup(
        { 'database-url': `sqlite://${live}`, verify: 'restore', 'output-dir': out },
        [],
      );
      const manifest = await expectBackup(run);
      const restored = restoreWithSqlite(run.outputs.path, 'sqlite', 'gzip');
      const copy = new DatabaseSync(restored, { readOnly: true });
      expect(copy.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
      const stats = copy
        .prepare('SELECT count(*) AS n, max(id) AS hi, min(id) AS lo FROM ticks')
        .get() as { n: number; hi: number; lo: number };
      copy.close();
      expect(stats.n).toBe(manifest.tables.ticks);
      expect(stats.n).toBeGreaterThanOrEqual(2000);
      expect(stats.n % 50).toBe(0);
      expect([stats.lo, stats.hi]).toEqual([1, stats.n]);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  test('min-size not met: the step fails and nothing is left under the final name', async () => {
    const out = join(root, 'too-small');
    const run = await backup(
      { 'database-url': `sqlite://${source}`, 'min-size': '1GiB', 'output-dir': out },
      [],
    );
    expectFailure(run, /below min-size 1\.0 GiB; it was not kept/);
    expectNothingLeft(out);
    expect(run.outputs.name).toMatch(/^app-\d{8}T\d{6}Z$/);
  });

  test.each([
    [
      { 'database-url': 'oracle://app:S3cret-Pw7@db:1521/shop' },
      /^Input 'database-url': scheme 'oracle' is not supported; use postgres:\/\/, postgresql:\/\/, mysql:\/\/, mariadb:\/\/ or sqlite:<path>\.$/,
    ],
    [
      { 'database-url': 'postgres://app:S3cret-Pw7@db:port/shop' },
      /^Input 'database-url': "postgres:\/\/app:\*\*\*@db:port\/shop" is not a valid URL; expected postgres:\/\/user:password@host:port\/database\.$/,
    ],
    [
      { 'database-url': 'postgres://app:S3cret-Pw7@db:5432' },
      /^Input 'database-url': names no database/,
    ],
    [
      { 'database-url': 'sqlite:///nope/missing.db' },
      /^Input 'database-url': sqlite database file \/nope\/missing.db does not exist\.$/,
    ],
    [{ format: 'directory' }, /^Input 'format': 'directory' is for PostgreSQL only/],
    [{ format: 'custom' }, /^Input 'format': 'custom' is for PostgreSQL only/],
    [
      { compression: 'brotli' },
      /^Input 'compression': "brotli" is not one of: auto, gzip, zstd, none\.$/,
    ],
    [
      { 'compression-level': '12' },
      /^Input 'compression-level': 12 is out of range; expected a whole number from 1 to 9\.$/,
    ],
    [
      { compression: 'none', 'compression-level': '3' },
      /^Input 'compression-level': is set but compression is none/,
    ],
    [{ jobs: '4' }, /^Input 'jobs': applies only to format: directory/],
    [{ 'extra-args': '--foo' }, /^Input 'extra-args': is not supported for SQLite backups\.$/],
    [{ verify: 'deep' }, /^Input 'verify': "deep" is not one of: list, checksum, restore\.$/],
    [{ 'min-size': 'lots' }, /^Input 'min-size': "lots" is not a size/],
    [{ name: '../escape' }, /^Input 'name': "..\/escape" may hold only letters/],
    [{ upload: 'artifact' }, /^Input 'upload': 'artifact' needs the GitHub Actions runtime/],
    [
      { 'verify-database-url': 'postgres://u:S3cret-Pw7@127.0.0.1/x', verify: 'restore' },
      /^Input 'verify-database-url': is a postgres URL but database-url is sqlite/,
    ],
  ])('bad input %j fails at once with one line naming the input', async (inputs, message) => {
    const out = join(root, `bad-${Object.keys(inputs).join('-')}`);
    const run = await backup(
      { 'database-url': `sqlite://${source}`, 'output-dir': out, ...inputs },
      ['S3cret-Pw7'],
    );
    expectFailure(run, message);
    expect(existsSync(out)).toBe(false);
  });

  test('output-dir that is a file', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const run = await backup({ 'database-url': `sqlite://${source}`, 'output-dir': file }, []);
    expectFailure(run, /^Input 'output-dir': .*a-file is a file, not a directory\.$/);
    const nested = await backup(
      { 'database-url': `sqlite://${source}`, 'output-dir': join(file, 'sub') },
      [],
    );
    expectFailure(
      nested,
      /^Input 'output-dir': .* cannot be created: .*a-file is a file, not a directory\.$/,
    );
    expect(readFileSync(file, 'utf8')).toBe('x');
  });
});
