import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { compactTimestamp } from '../../src/db/backup.js';
import { sqliteKeptPath } from '../../src/db/kept-copies.js';
import { startMariaDb, type MariaDbServer } from '../support/services/mariadb.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { expectFailure, expectOk, rollback, rolledBack, runChecked } from './helpers.js';

const root = tempDir('rollback-db');
afterAll(async () => {
  await removeDir(root);
});

async function backup(
  url: string,
  dir: string,
  secret?: string,
  format = 'auto',
): Promise<Record<string, string>> {
  const run = await runChecked(
    'backup-db',
    { 'database-url': url, 'output-dir': dir, upload: 'none', format },
    [secret],
  );
  expectOk(run);
  return run.outputs;
}

describe('database rollback on MariaDB', () => {
  let server: MariaDbServer;
  beforeAll(async () => {
    server = await startMariaDb();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function fingerprint(db: string): Promise<Record<string, string>> {
    const tables = await server.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1`,
      [db],
    );
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const rows = await server.query(`SELECT * FROM \`${name}\` ORDER BY id`, [], db);
      out[name] = createHash('sha256').update(JSON.stringify(rows)).digest('hex');
    }
    return out;
  }

  test('restores the plain dump over changed data; a safety backup is taken first and restores the changed state', async () => {
    const db = 'shop';
    await server.createDatabase(db);
    await server.query(
      'CREATE TABLE customers (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100) NOT NULL, note TEXT)',
      [],
      db,
    );
    await server.query(
      'CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, customer_id INT, total DECIMAL(10,2))',
      [],
      db,
    );
    for (let i = 1; i <= 50; i++) {
      await server.query(
        'INSERT INTO customers (name, note) VALUES (?, ?)',
        [`Zoë ${i}`, i % 3 ? `note ${i}` : null],
        db,
      );
      await server.query('INSERT INTO orders (customer_id, total) VALUES (?, ?)', [i, i * 1.5], db);
    }
    const before = await fingerprint(db);
    const b = await backup(server.url(db), join(root, 'maria'), server.password);
    await server.query('DELETE FROM orders WHERE id > 10', [], db);
    await server.query("UPDATE customers SET name = 'changed'", [], db);
    await server.query('CREATE TABLE newer (id INT PRIMARY KEY)', [], db);
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
    // MariaDB restores in place: the table created after the backup stays, named in the output
    const { newer, ...restored } = await fingerprint(db);
    expect(newer).toBeDefined();
    expect(restored).toEqual(before);
    expect(JSON.parse(run.outputs['extra-tables'])).toEqual(['newer']);
    expect(run.summary).toContain('newer');
    expect(run.summary).toMatch(/mariadb|mysql/);

    const safety = run.outputs['safety-backup-path'];
    expect(safety).toMatch(/shop-pre-rollback-.*\.sql\.gz$/);
    const undo = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': safety.replace(/\.sql\.gz$/, '.manifest.json'),
        'safety-backup': 'false',
      },
      [server.password],
    );
    expectOk(undo);
    expect(await fingerprint(db)).toEqual(changed);
  });
});

describe('database rollback on SQLite', () => {
  function fingerprint(path: string): string {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const tables = db
        .prepare(
          `SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
        )
        .all() as Array<{ name: string; sql: string }>;
      return JSON.stringify(
        tables.map((t) => [t.sql, db.prepare(`SELECT * FROM "${t.name}" ORDER BY rowid`).all()]),
      );
    } finally {
      db.close();
    }
  }

  function makeDb(path: string): void {
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA user_version = 7; PRAGMA application_id = 424242;
      CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL);`);
    const ins = db.prepare('INSERT INTO items (name, price) VALUES (?, ?)');
    for (let i = 1; i <= 200; i++) ins.run(`item ${i} ü`, i / 4);
    db.close();
  }

  /** changes made through a connection kept open in WAL mode, so they sit in the -wal file */
  function change(path: string): DatabaseSync {
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA wal_autocheckpoint = 0;
      DELETE FROM items WHERE id > 20; UPDATE items SET name = 'changed';
      CREATE TABLE later (id INTEGER PRIMARY KEY);`);
    return db;
  }

  for (const format of ['auto', 'plain']) {
    test(`${format === 'auto' ? 'snapshot' : '.dump'} backup: the file is replaced with the restored copy; the changed state went to the safety backup`, async () => {
      const dir = tempDir('rollback-sqlite');
      const path = join(dir, 'app.db');
      makeDb(path);
      const before = fingerprint(path);
      const b = await backup(`sqlite://${path}`, join(dir, 'backups'), undefined, format);
      const open = change(path);
      const changed = fingerprint(path);
      expect(changed).not.toEqual(before);
      // the changes are still in the -wal file of a connection that stays open
      expect(existsSync(`${path}-wal`)).toBe(true);

      const run = await rollback(
        {
          targets: 'database',
          'database-url': `sqlite://${path}`,
          'backup-manifest': b['manifest-path'],
        },
        [],
      );
      expectOk(run);
      expect(rolledBack(run)).toEqual(['database']);
      // the old WAL was checkpointed and removed: it cannot be replayed onto the restored file
      expect(existsSync(`${path}-wal`)).toBe(false);
      expect(fingerprint(path)).toEqual(before);
      // the old connection closing later must not touch the restored file
      open.close();
      expect(fingerprint(path)).toEqual(before);
      // header settings survive both formats: WAL stays WAL, the app's schema version stays
      const restored = new DatabaseSync(path);
      try {
        expect(restored.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
        expect(restored.prepare('PRAGMA user_version').get()).toEqual({ user_version: 7 });
        expect(restored.prepare('PRAGMA application_id').get()).toEqual({
          application_id: 424242,
        });
      } finally {
        restored.close();
      }
      // the table created after the backup is named, and kept in the replaced file
      expect(JSON.parse(run.outputs['extra-tables'])).toEqual(['later']);
      const kept = run.outputs['replaced-database'];
      expect(kept).toMatch(/app\.db\.before-rollback-\d{8}T\d{6}Z$/);
      expect(fingerprint(kept)).toEqual(changed);
      const safety = run.outputs['safety-backup-path'];
      expect(safety).toMatch(/app-pre-rollback-.*\.sqlite3\.gz$/);

      const undo = await rollback(
        {
          targets: 'database',
          'database-url': `sqlite://${path}`,
          'backup-manifest': safety.replace(/\.sqlite3\.gz$/, '.manifest.json'),
          'safety-backup': 'false',
        },
        [],
      );
      expectOk(undo);
      expect(fingerprint(path)).toEqual(changed);
      await removeDir(dir);
    });
  }

  test('keep-replaced: 7d keeps the replaced file and removes only the copies kept over a week ago', async () => {
    const dir = tempDir('rollback-sqlite-keep');
    const path = join(dir, 'app.db');
    makeDb(path);
    const b = await backup(`sqlite://${path}`, join(dir, 'backups'), undefined, 'auto');
    change(path).close();
    const old = `${path}.before-rollback-20200101T000000Z`;
    const recent = sqliteKeptPath(path, compactTimestamp(new Date(Date.now() - 3_600_000)));
    const unrelated = join(dir, 'other.db.before-rollback-20200101T000000Z');
    for (const f of [old, recent, unrelated]) writeFileSync(f, 'kept earlier');
    const run = await rollback(
      {
        targets: 'database',
        'database-url': `sqlite://${path}`,
        'backup-manifest': b['manifest-path'],
        'keep-replaced': '7d',
      },
      [],
    );
    expectOk(run);
    expect(existsSync(run.outputs['replaced-database'])).toBe(true);
    expect([existsSync(old), existsSync(recent), existsSync(unrelated)]).toEqual([
      false,
      true,
      true,
    ]);
    await removeDir(dir);
  });

  test('tampered backup: refused, the file untouched; dry-run changes nothing', async () => {
    const dir = tempDir('rollback-sqlite');
    const path = join(dir, 'app.db');
    makeDb(path);
    const b = await backup(`sqlite://${path}`, join(dir, 'backups'));
    change(path).close();
    const changed = readFileSync(path);

    const dry = await rollback(
      {
        targets: 'database',
        'database-url': `sqlite://${path}`,
        'backup-manifest': b['manifest-path'],
        'dry-run': 'true',
      },
      [],
    );
    expectOk(dry);
    expect(readFileSync(path).equals(changed)).toBe(true);

    const bytes = readFileSync(b.path);
    bytes[20] ^= 0xff;
    writeFileSync(b.path, bytes);
    const run = await rollback(
      {
        targets: 'database',
        'database-url': `sqlite://${path}`,
        'backup-manifest': b['manifest-path'],
      },
      [],
    );
    expectFailure(run, /does not match its manifest/);
    expect(readFileSync(path).equals(changed)).toBe(true);
    expect(run.outputs['safety-backup-path'] ?? '').toBe('');
    await removeDir(dir);
  });
});
