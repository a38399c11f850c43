import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ageEncrypt, ageKeygen, type AgeKey } from '../support/age.js';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { parseManifest } from '../../src/db/manifest.js';
import { expectFailure, expectOk, rollback, rolledBack, runChecked } from './helpers.js';

/**
 * rollback's decrypt-identity: backups encrypted by backup-db's encrypt-to or by Debian's
 * age CLI are restored; a wrong or missing identity, a truncated or damaged ciphertext are
 * each one clear error, and the database is left exactly as it was (no safety backup either).
 */

let server: PostgresServer;
const root = tempDir('rollback-age');
let alice: AgeKey;
let bob: AgeKey;

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
INSERT INTO customers (name) VALUES ('new one');
`;

async function fingerprint(db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ['public.customers', 'sales.orders']) {
    const [r] = await server.query<{ n: string; sum: string }>(
      `SELECT count(*) AS n, md5(string_agg(x::text, '|' ORDER BY x::text)) AS sum FROM ${t} x`,
      [],
      db,
    );
    out[t] = `${r.n}:${r.sum}`;
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

const secrets = (): string[] => [server.password, alice.secret, bob.secret, alice.fileText];

async function backup(
  url: string,
  inputs: Record<string, string>,
): Promise<Record<string, string>> {
  const run = await runChecked(
    'backup-db',
    { 'database-url': url, upload: 'none', ...inputs },
    secrets(),
  );
  expectOk(run);
  return run.outputs;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Encrypts a backup-db backup with the age CLI (`age -r`) and rewrites its manifest the way
 * a user would for such a file: file, sha256 and size of the .age file, encrypted: true.
 */
function encryptWithAgeCli(manifestPath: string, keys: AgeKey[]): string {
  const m = parseManifest(readFileSync(manifestPath, 'utf8'));
  const dir = dirname(manifestPath);
  const plain = join(dir, m.file);
  const file = `${m.file}.age`;
  ageEncrypt(plain, join(dir, file), keys);
  rmSync(plain);
  const encrypted = {
    ...m,
    file,
    sha256: sha256(join(dir, file)),
    size_bytes: readFileSync(join(dir, file)).length,
    encrypted: true,
    recipients: keys.map((k) => k.fingerprint),
  };
  writeFileSync(manifestPath, JSON.stringify(encrypted, null, 2));
  return manifestPath;
}

/** Rewrites a manifest's sha256 and size for its file as it is now (after a test damaged it). */
function reseal(manifestPath: string): void {
  const m = parseManifest(readFileSync(manifestPath, 'utf8'));
  const path = join(dirname(manifestPath), m.file);
  writeFileSync(
    manifestPath,
    JSON.stringify({ ...m, sha256: sha256(path), size_bytes: readFileSync(path).length }),
  );
}

beforeAll(async () => {
  alice = ageKeygen(root, 'alice');
  bob = ageKeygen(root, 'bob');
  server = await startPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await removeDir(root);
});

describe('rollback of an encrypted PostgreSQL backup', () => {
  test('made by backup-db encrypt-to (custom): restored with the key file as decrypt-identity', async () => {
    const db = await freshDatabase();
    const before = await fingerprint(db);
    const b = await backup(server.url(db), {
      'encrypt-to': alice.recipient,
      'output-dir': join(root, db),
    });
    expect(b.path).toMatch(/\.dump\.age$/);
    await change(db);

    const run = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': b['manifest-path'],
        'decrypt-identity': alice.fileText,
        'safety-backup-dir': join(root, `${db}-safety`),
      },
      secrets(),
    );
    expectOk(run);
    expect(rolledBack(run)).toEqual(['database']);
    expect(await fingerprint(db)).toEqual(before);
    expect(run.summary).toContain(b.sha256);
    expect(run.masks).toEqual(expect.arrayContaining([alice.secret]));
  });

  test.each([
    ['custom', 'none'],
    ['plain', 'gzip'],
  ])(
    'made by the age CLI (%s, compression %s): restored through decrypt-identity',
    async (format, compression) => {
      const db = await freshDatabase();
      const before = await fingerprint(db);
      const b = await backup(server.url(db), { format, compression, 'output-dir': join(root, db) });
      const manifest = encryptWithAgeCli(b['manifest-path'], [bob, alice]);
      await change(db);
      const run = await rollback(
        {
          targets: 'database',
          'database-url': server.url(db),
          'backup-manifest': manifest,
          'decrypt-identity': bob.secret,
          'safety-backup': 'false',
        },
        secrets(),
      );
      expectOk(run);
      expect(await fingerprint(db)).toEqual(before);
    },
  );

  describe('refused before anything is changed', () => {
    let db: string;
    let manifest: string;
    let changed: Record<string, string>;
    let file: string;
    beforeAll(async () => {
      db = await freshDatabase();
      const b = await backup(server.url(db), {
        'encrypt-to': alice.recipient,
        'output-dir': join(root, db),
      });
      manifest = b['manifest-path'];
      file = b.path.replace(/^.*\//, '');
      await change(db);
      changed = await fingerprint(db);
    });

    async function refused(
      inputs: Record<string, string>,
      ...fragments: Array<string | RegExp>
    ): Promise<void> {
      const safetyDir = join(root, `${db}-safety-${Math.random().toString(16).slice(2)}`);
      const run = await rollback(
        {
          targets: 'database',
          'database-url': server.url(db),
          'backup-manifest': manifest,
          'safety-backup-dir': safetyDir,
          ...inputs,
        },
        secrets(),
      );
      expectFailure(run, ...fragments);
      expect(rolledBack(run)).toEqual([]);
      expect(await fingerprint(db)).toEqual(changed);
      expect(existsSync(safetyDir) ? readdirSync(safetyDir) : []).toEqual([]);
    }

    test('a wrong identity', async () => {
      await refused(
        { 'decrypt-identity': bob.secret },
        `decrypt-identity does not match any recipient of ${file} (recipients: ${alice.fingerprint})`,
        /Nothing was restored\.$/,
      );
    });

    test('no identity', async () => {
      await refused(
        {},
        `the backup ${file} is encrypted (age, recipients: ${alice.fingerprint}) and decrypt-identity is not set`,
      );
    });

    test('an identity that is not an age secret key', async () => {
      await refused(
        { 'decrypt-identity': 'AGE-SECRET-KEY-1' + 'Q'.repeat(20) },
        /^Input 'decrypt-identity': is not an age secret key/,
      );
    });

    test('a dry run checks the identity too', async () => {
      await refused(
        { 'decrypt-identity': bob.secret, 'dry-run': 'true' },
        'decrypt-identity does not match any recipient',
      );
    });

    test('a truncated ciphertext: caught by the manifest`s sha256, and by age when the manifest was made for the cut file', async () => {
      const path = join(dirname(manifest), file);
      const whole = readFileSync(path);
      try {
        truncateSync(path, whole.length - 100);
        await refused(
          { 'decrypt-identity': alice.secret },
          `the backup ${file} does not match its manifest`,
        );
        const original = readFileSync(manifest);
        try {
          reseal(manifest);
          await refused(
            { 'decrypt-identity': alice.secret },
            `${file} is truncated or damaged: its age ciphertext does not authenticate`,
          );
        } finally {
          writeFileSync(manifest, original);
        }
      } finally {
        writeFileSync(path, whole);
      }
    });
  });
});

describe('rollback of an encrypted SQLite backup', () => {
  test('a snapshot encrypted by the age CLI replaces the changed file', async () => {
    const dbPath = join(root, 'app.db');
    const db = new DatabaseSync(dbPath);
    db.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
      INSERT INTO notes SELECT i, 'note ' || i FROM n;`);
    db.close();
    const b = await backup(`sqlite://${dbPath}`, { 'output-dir': join(root, 'sqlite') });
    const manifest = encryptWithAgeCli(b['manifest-path'], [alice]);
    const live = new DatabaseSync(dbPath);
    live.exec(`DELETE FROM notes WHERE id > 100`);
    live.close();

    const run = await rollback(
      {
        targets: 'database',
        'database-url': `sqlite://${dbPath}`,
        'backup-manifest': manifest,
        'decrypt-identity': alice.secret,
        'safety-backup': 'false',
      },
      secrets(),
    );
    expectOk(run);
    const after = new DatabaseSync(dbPath, { readOnly: true });
    const n = after.prepare('SELECT count(*) AS n FROM notes').get() as { n: number };
    after.close();
    expect(n.n).toBe(500);
  });
});
