import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { ageDecrypt, ageKeygen, type AgeKey } from '../support/age.js';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { tempDir } from '../support/services/common.js';
import {
  backup,
  expectBackup,
  expectFailure,
  expectNothingLeft,
  listDir,
  sqliteFingerprint,
} from './helpers.js';
import { DatabaseSync } from 'node:sqlite';

/**
 * backup-db with encrypt-to: files that Debian's age CLI decrypts and the engine's own
 * tools restore, unreadable without the key, and no key in any log, summary or output.
 */

let server: PostgresServer;
const root = tempDir('backup-enc');
let alice: AgeKey;
let bob: AgeKey;

const SCHEMA = `
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, avatar bytea);
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(12,2), memo text);
INSERT INTO customers (name, avatar)
  SELECT 'Zoë ' || i, decode(lpad(to_hex(i), 8, '0'), 'hex') FROM generate_series(1, 300) AS i;
INSERT INTO sales.orders (customer_id, total, memo)
  SELECT 1 + i % 300, i * 1.25, repeat('x', i % 40) FROM generate_series(1, 4000) AS i;
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

const secretsOf = (): string[] => [server.password, alice.secret, bob.secret, alice.fileText];

beforeAll(async () => {
  alice = ageKeygen(root, 'alice');
  bob = ageKeygen(root, 'bob');
  server = await startPostgres();
  await server.createDatabase('shop');
  await server.query(SCHEMA, [], 'shop');
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('backup-db encrypt-to on PostgreSQL', () => {
  test('custom format, no identity on the runner: an age file that only the key opens, and pg_restore restores its plaintext', async () => {
    const out = join(root, 'pg-custom');
    const run = await backup(
      { 'database-url': server.url('shop'), 'encrypt-to': alice.recipient, 'output-dir': out },
      secretsOf(),
    );
    const m = await expectBackup(run);
    expect(m).toMatchObject({
      format: 'custom',
      encrypted: true,
      recipients: [alice.fingerprint],
      compressed_by: 'tool',
    });
    expect(m.file).toBe(`${run.outputs.name}.dump.age`);
    expect(listDir(out)).toEqual([m.file, `${run.outputs.name}.manifest.json`].sort());
    // without the key: pg_restore cannot read it, another key cannot decrypt it
    const file = run.outputs.path;
    expect(readFileSync(file).subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
    const list = spawnSync(join(server.binDir, 'pg_restore'), ['--list', file], {
      encoding: 'utf8',
    });
    expect(list.status).not.toBe(0);
    expect(() => ageDecrypt(file, bob)).toThrow(/no identity matched/);
    // verify list checked what needs no key, and said so
    expect(run.summary).toMatch(
      /age header: 1 X25519 recipient\(s\), payload size whole; plaintext not checked/,
    );
    expect(run.summary).toContain(`age v1 to 1 recipient(s): ${alice.fingerprint}`);

    const plain = join(root, 'pg-custom.dump');
    writeFileSync(plain, ageDecrypt(file, alice));
    await server.createDatabase('restored_custom');
    execFileSync(
      join(server.binDir, 'pg_restore'),
      ['--exit-on-error', '-d', 'restored_custom', plain],
      {
        env: { ...process.env, ...server.env },
      },
    );
    expect(await fingerprint('restored_custom')).toEqual(await fingerprint('shop'));
  });

  test('plain + gzip, two recipients, verify restore with the second one`s key file: age -d | gunzip | psql restores it', async () => {
    const out = join(root, 'pg-plain');
    const run = await backup(
      {
        'database-url': server.url('shop'),
        format: 'plain',
        compression: 'gzip',
        'encrypt-to': `${alice.recipient}\n${bob.recipient}`,
        'decrypt-identity': bob.fileText,
        verify: 'restore',
        'output-dir': out,
      },
      secretsOf(),
    );
    const m = await expectBackup(run);
    expect(m.file).toBe(`${run.outputs.name}.sql.gz.age`);
    expect(m.recipients).toEqual([alice.fingerprint, bob.fingerprint]);
    expect(run.summary).toMatch(/decrypted, gzip stream read whole, completion marker present/);
    expect(run.summary).toMatch(
      /restored into database shop_verify_[0-9a-f]{8}: 2 tables, row counts match/,
    );
    // the key is masked for the runner, not only absent
    expect(run.masks).toEqual(expect.arrayContaining([bob.secret]));

    for (const key of [alice, bob]) {
      const db = `restored_plain_${key === alice ? 'a' : 'b'}`;
      await server.createDatabase(db);
      execFileSync(
        join(server.binDir, 'psql'),
        ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-o', '/dev/null'],
        {
          env: { ...process.env, ...server.env },
          input: gunzipSync(ageDecrypt(run.outputs.path, key)),
        },
      );
      expect(await fingerprint(db)).toEqual(await fingerprint('shop'));
    }
  });

  test('verify list with the identity decrypts the custom archive through pg_restore --list', async () => {
    const out = join(root, 'pg-list');
    const run = await backup(
      {
        'database-url': server.url('shop'),
        compression: 'zstd',
        format: 'plain',
        'encrypt-to': alice.recipient,
        'decrypt-identity': alice.secret,
        'output-dir': out,
      },
      secretsOf(),
    );
    await expectBackup(run);
    expect(run.summary).toMatch(/decrypted, zstd stream read whole, completion marker present/);
    const sql = zstdDecompressSync(ageDecrypt(run.outputs.path, alice)).toString();
    expect(sql).toContain('PostgreSQL database dump complete');

    const custom = await backup(
      {
        'database-url': server.url('shop'),
        'encrypt-to': alice.recipient,
        'decrypt-identity': alice.secret,
        'output-dir': join(root, 'pg-list-custom'),
      },
      secretsOf(),
    );
    await expectBackup(custom);
    expect(custom.summary).toMatch(
      /decrypted, pg_restore --list: \d+ entries, table data for 2 of 2 tables/,
    );
  });

  const bad: Array<[string, () => Record<string, string>, RegExp]> = [
    [
      'a recipient that is not one',
      () => ({ 'encrypt-to': 'age1notakey' }),
      /^Input 'encrypt-to': "age1notakey" is not an age X25519 recipient/,
    ],
    [
      'a recipient with a broken checksum',
      () => ({
        'encrypt-to': `${alice.recipient.slice(0, -1)}${alice.recipient.endsWith('q') ? 'p' : 'q'}`,
      }),
      /^Input 'encrypt-to': .* is not a valid age recipient \(its checksum does not match\)/,
    ],
    [
      'a secret key given as recipient',
      () => ({ 'encrypt-to': `${bob.recipient}, ${alice.secret}` }),
      /^Input 'encrypt-to': item 2: is an age secret key \(identity\), not a recipient/,
    ],
    [
      'a decrypt-identity that is not an age secret key',
      () => ({ 'encrypt-to': alice.recipient, 'decrypt-identity': 'AGE-SECRET-KEY-1NOTAKEY' }),
      /^Input 'decrypt-identity': is not an age secret key; expected AGE-SECRET-KEY-1/,
    ],
    [
      'a public key given as decrypt-identity',
      () => ({ 'encrypt-to': alice.recipient, 'decrypt-identity': alice.recipient }),
      /^Input 'decrypt-identity': is an age recipient \(public key\)/,
    ],
    [
      'format directory',
      () => ({ 'encrypt-to': alice.recipient, format: 'directory' }),
      /^Input 'encrypt-to': cannot encrypt format: directory/,
    ],
    [
      'verify restore without an identity',
      () => ({ 'encrypt-to': alice.recipient, verify: 'restore' }),
      /^Input 'decrypt-identity': is required for verify: restore of an encrypted backup/,
    ],
    [
      'an identity of none of the recipients',
      () => ({ 'encrypt-to': alice.recipient, 'decrypt-identity': bob.secret }),
      /^Input 'decrypt-identity': does not match any recipient of encrypt-to \(recipients: [0-9a-f]{16}; the identity's: [0-9a-f]{16}\)/,
    ],
  ];
  test.each(bad)('%s: one clear error, nothing written', async (_what, inputs, message) => {
    const out = mkdtempSync(join(root, 'bad-'));
    const run = await backup(
      { 'database-url': server.url('shop'), 'output-dir': out, ...inputs() },
      secretsOf(),
    );
    expectFailure(run, message);
    expectNothingLeft(out);
  });
});

describe('backup-db encrypt-to on SQLite', () => {
  test('snapshot and plain .dump: age -d gives a file sqlite3 opens with every row', async () => {
    const dbPath = join(root, 'app.db');
    const db = new DatabaseSync(dbPath);
    db.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, blob BLOB);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
      INSERT INTO notes SELECT i, 'note ' || i || ' ✓', randomblob(16) FROM n;`);
    db.close();
    const source = sqliteFingerprint(dbPath);

    const snap = await backup(
      {
        'database-url': `sqlite://${dbPath}`,
        'encrypt-to': `${bob.recipient},${alice.recipient}`,
        'decrypt-identity': alice.secret,
        verify: 'restore',
        'output-dir': join(root, 'sqlite-snap'),
      },
      secretsOf(),
    );
    const m = await expectBackup(snap);
    expect(m.file).toMatch(/\.sqlite3\.gz\.age$/);
    expect(snap.summary).toMatch(/decrypted, gzip stream read whole, PRAGMA integrity_check ok/);
    const restored = join(root, 'restored.sqlite3');
    writeFileSync(restored, gunzipSync(ageDecrypt(snap.outputs.path, bob)));
    expect(sqliteFingerprint(restored)).toEqual(source);

    const plain = await backup(
      {
        'database-url': `sqlite://${dbPath}`,
        format: 'plain',
        compression: 'none',
        'encrypt-to': alice.recipient,
        'output-dir': join(root, 'sqlite-plain'),
      },
      secretsOf(),
    );
    const pm = await expectBackup(plain);
    expect(pm.file).toMatch(/\.sql\.age$/);
    const loaded = join(root, 'loaded.sqlite3');
    execFileSync('sqlite3', [loaded], { input: ageDecrypt(plain.outputs.path, alice) });
    expect(sqliteFingerprint(loaded)).toEqual(source);
  });
});
