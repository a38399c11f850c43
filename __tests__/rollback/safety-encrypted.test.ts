import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ageDecrypt, ageKeygen, type AgeKey } from '../support/age.js';
import type { ActionRun } from '../support/run-action.js';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { parseManifest, type BackupManifest } from '../../src/db/manifest.js';
import { safetyEncryption } from '../../src/rollback/safety-backup.js';
import { expectFailure, expectOk, rollback, rolledBack, runChecked } from './helpers.js';

/**
 * The safety backup rollback takes before a restore holds production's data on the runner,
 * so it is encrypted like the release backup: to safety-backup-encrypt-to, else to the
 * recipients of decrypt-identity. Proven with Debian's age CLI and a restore with
 * pg_restore into a scratch database; without either input it stays plain, with one warning.
 */

let server: PostgresServer;
const root = tempDir('rollback-safety-age');
let alice: AgeKey;
let bob: AgeKey;

const AGE_HEADER = 'age-encryption.org/v1\n';

const SCHEMA = `
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, note text);
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(12,2));
INSERT INTO customers (name, note) SELECT 'customer ' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END FROM generate_series(1, 300) AS i;
INSERT INTO sales.orders (customer_id, total) SELECT 1 + i % 300, i * 1.25 FROM generate_series(1, 2000) AS i;
`;
/** what the bad release did to the data: the safety backup must keep exactly this */
const CHANGE = `
DELETE FROM sales.orders WHERE id % 2 = 0;
UPDATE customers SET name = 'changed ' || id WHERE id <= 50;
INSERT INTO customers (name) VALUES ('new one');
`;

const secrets = (): string[] => [
  server.password,
  alice.secret,
  bob.secret,
  alice.fileText,
  bob.fileText,
];

/** Row count and md5 of every row of each table, in one string per table. */
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

async function statements(sql: string, db: string): Promise<void> {
  for (const stmt of sql.split(';\n').filter((s) => s.trim())) await server.query(stmt, [], db);
}

let dbCount = 0;
async function freshDatabase(): Promise<string> {
  const db = `shop_${++dbCount}`;
  await server.createDatabase(db);
  await statements(SCHEMA, db);
  return db;
}

async function backup(db: string, inputs: Record<string, string>): Promise<Record<string, string>> {
  const run = await runChecked(
    'backup-db',
    { 'database-url': server.url(db), upload: 'none', 'output-dir': join(root, db), ...inputs },
    secrets(),
  );
  expectOk(run);
  return run.outputs;
}

/**
 * A release backup (encrypted to alice unless `plainRelease`), then the bad release's change;
 * returns the database, its manifest and the state the safety backup must hold.
 */
async function releaseThenBadChange(plainRelease = false): Promise<{
  db: string;
  manifest: string;
  release: Record<string, string>;
  bad: Record<string, string>;
}> {
  const db = await freshDatabase();
  const release = await fingerprint(db);
  const b = await backup(db, plainRelease ? {} : { 'encrypt-to': alice.recipient });
  await statements(CHANGE, db);
  return { db, manifest: b['manifest-path'], release, bad: await fingerprint(db) };
}

const manifestOf = (path: string): BackupManifest =>
  parseManifest(readFileSync(path.replace(/\.dump(\.age)?$/, '.manifest.json'), 'utf8'));

const firstBytes = (path: string, n: number): string =>
  readFileSync(path).subarray(0, n).toString('latin1');

const warnings = (run: ActionRun): string[] =>
  run.stdout.split('\n').filter((l) => l.startsWith('::warning'));

/** The README's commands, run by bash with pipefail: age's or the tool's failure fails it. */
function shell(script: string, env: Record<string, string> = {}): void {
  execFileSync('bash', ['-o', 'pipefail', '-c', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** `age -d -i key.txt file.dump.age | pg_restore -d <new database>`, then that database's state. */
async function restoreWithTools(path: string, key: AgeKey): Promise<Record<string, string>> {
  const scratch = `scratch_${++dbCount}`;
  await server.createDatabase(scratch);
  shell(`age -d -i "$KEY" "$FILE" | "$PG_RESTORE" --exit-on-error -d "$DB"`, {
    ...server.env,
    KEY: key.file,
    FILE: path,
    PG_RESTORE: `${server.binDir}/pg_restore`,
    DB: scratch,
  });
  return fingerprint(scratch);
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

describe('who the safety backup is encrypted to', () => {
  test('decrypt-identity: the public keys derived from its keys, each identity verifies it', async () => {
    const e = await safetyEncryption([], [alice.secret, bob.secret, alice.secret]);
    expect(e).toEqual({
      recipients: [alice.recipient, bob.recipient],
      from: 'decrypt-identity',
      verifyWith: [alice.secret, bob.secret, alice.secret],
    });
  });

  test('safety-backup-encrypt-to wins; only an identity of its recipients verifies the plaintext', async () => {
    expect(await safetyEncryption([bob.recipient], [alice.secret])).toEqual({
      recipients: [bob.recipient],
      from: 'safety-backup-encrypt-to',
      verifyWith: undefined,
    });
    expect(await safetyEncryption([bob.recipient], [alice.secret, bob.secret])).toMatchObject({
      recipients: [bob.recipient],
      verifyWith: [bob.secret],
    });
  });

  test('neither: not encrypted', async () => {
    expect((await safetyEncryption([], undefined)).recipients).toEqual([]);
  });
});

describe('the safety backup of a PostgreSQL rollback', () => {
  test('with decrypt-identity only: encrypted to its recipient; age -d + pg_restore give the pre-rollback data; rollback restores it too', async () => {
    const { db, manifest, release, bad } = await releaseThenBadChange();
    const run = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': manifest,
        'decrypt-identity': alice.fileText,
        'safety-backup-dir': join(root, `${db}-safety`),
      },
      secrets(),
    );
    expectOk(run);
    expect(rolledBack(run)).toEqual(['database']);
    expect(await fingerprint(db)).toEqual(release);

    // the output and the summary name the file as stored, not a readable dump
    const safety = run.outputs['safety-backup-path'];
    expect(safety).toMatch(/-pre-rollback-\d{8}T\d{6}Z\.dump\.age$/);
    expect(firstBytes(safety, AGE_HEADER.length)).toBe(AGE_HEADER);
    expect(readFileSync(safety).includes(Buffer.from('PGDMP'))).toBe(false);
    const m = manifestOf(safety);
    expect(m.encrypted).toBe(true);
    expect(m.recipients).toEqual([alice.fingerprint]);
    expect(m.file).toBe(safety.replace(/^.*\//, ''));
    expect(createHash('sha256').update(readFileSync(safety)).digest('hex')).toBe(m.sha256);
    const said = `age-encrypted to 1 recipient(s) from decrypt-identity: ${alice.fingerprint}`;
    expect(run.stdout).toContain(`safety backup ${safety} (${said}; sha256 ${m.sha256})`);
    expect(run.summary).toContain(`${safety} (${said})`);
    // fingerprints only: not even the public key is printed
    expect(run.stdout + run.summary).not.toContain(alice.recipient);
    expect(warnings(run).join('\n')).not.toMatch(/not encrypted/);

    // bob holds no key to it; alice's key file opens it with Debian's age, pg_restore reads it
    expect(() => ageDecrypt(safety, bob)).toThrow(/no identity matched/);
    expect(await restoreWithTools(safety, alice)).toEqual(bad);

    // the documented undo: rollback from the safety backup's manifest with the same identity
    const undo = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': safety.replace(/\.dump\.age$/, '.manifest.json'),
        'decrypt-identity': alice.secret,
        'safety-backup': 'false',
      },
      secrets(),
    );
    expectOk(undo);
    expect(await fingerprint(db)).toEqual(bad);
  });

  test('safety-backup-encrypt-to wins: encrypted to that key only; the release identity cannot open it', async () => {
    const { db, manifest, release, bad } = await releaseThenBadChange();
    const run = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': manifest,
        'decrypt-identity': alice.secret,
        'safety-backup-encrypt-to': bob.recipient,
        'safety-backup-dir': join(root, `${db}-safety`),
      },
      secrets(),
    );
    expectOk(run);
    expect(await fingerprint(db)).toEqual(release);
    const safety = run.outputs['safety-backup-path'];
    expect(safety).toMatch(/\.dump\.age$/);
    expect(firstBytes(safety, AGE_HEADER.length)).toBe(AGE_HEADER);
    const m = manifestOf(safety);
    expect(m.encrypted).toBe(true);
    expect(m.recipients).toEqual([bob.fingerprint]);
    // one X25519 stanza: bob's, no hidden second recipient
    const header = readFileSync(safety).toString('latin1').split('\n---')[0];
    expect(header.split('\n').filter((l) => l.startsWith('-> '))).toHaveLength(1);
    expect(run.stdout).toContain(
      `age-encrypted to 1 recipient(s) from safety-backup-encrypt-to: ${bob.fingerprint}`,
    );
    expect(() => ageDecrypt(safety, alice)).toThrow(/no identity matched/);
    expect(await restoreWithTools(safety, bob)).toEqual(bad);
  });

  test('neither input: an unencrypted dump as before, and one warning saying so and how to encrypt it', async () => {
    const { db, manifest, release, bad } = await releaseThenBadChange(true);
    const run = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': manifest,
        'safety-backup-dir': join(root, `${db}-safety`),
      },
      secrets(),
    );
    expectOk(run);
    expect(await fingerprint(db)).toEqual(release);
    const safety = run.outputs['safety-backup-path'];
    expect(safety).toMatch(/-pre-rollback-\d{8}T\d{6}Z\.dump$/);
    // pg_dump's custom format magic: readable by anyone who can read the file
    expect(firstBytes(safety, 5)).toBe('PGDMP');
    expect(manifestOf(safety).encrypted).toBeUndefined();
    const warned = warnings(run).filter((l) => /safety backup/.test(l));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain(`the safety backup ${safety} is not encrypted`);
    expect(warned[0]).toMatch(/safety-backup-encrypt-to .*decrypt-identity/);
    expect(run.summary).toContain(`${safety} (unencrypted)`);
    expect(run.summary).toContain('is not encrypted');
    // still an ordinary backup: pg_restore reads it as it is
    const scratch = `scratch_plain_${db}`;
    await server.createDatabase(scratch);
    execFileSync(`${server.binDir}/pg_restore`, ['--exit-on-error', '-d', scratch, safety], {
      env: { ...process.env, ...server.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    expect(await fingerprint(scratch)).toEqual(bad);
  });

  describe('a bad safety-backup-encrypt-to: one error naming it, nothing changed', () => {
    test.each([
      ['not a key', () => 'age1notakey', /is not an age X25519 recipient/],
      ['a secret key pasted by mistake', () => bob.secret, /is an age secret key \(identity\)/],
      [
        'a bad second item',
        () =>
          `${bob.recipient}, ${bob.recipient.slice(0, -1)}${bob.recipient.endsWith('q') ? 'p' : 'q'}`,
        /^Input 'safety-backup-encrypt-to': item 2: /,
      ],
    ])('%s', async (_what, value, reason) => {
      const { db, manifest, bad } = await releaseThenBadChange();
      const safetyDir = join(root, `${db}-safety`);
      const run = await rollback(
        {
          targets: 'database',
          'database-url': server.url(db),
          'backup-manifest': manifest,
          'decrypt-identity': alice.secret,
          'safety-backup-encrypt-to': value(),
          'safety-backup-dir': safetyDir,
        },
        secrets(),
      );
      expectFailure(run, /^Input 'safety-backup-encrypt-to': /, reason);
      expect(rolledBack(run)).toEqual([]);
      expect(await fingerprint(db)).toEqual(bad);
      expect(existsSync(safetyDir) ? readdirSync(safetyDir) : []).toEqual([]);
    });
  });
});

describe('the safety backup of a SQLite rollback', () => {
  test('gzip then age: age -d, gunzip and sqlite give the pre-rollback rows', async () => {
    const dbPath = join(root, 'app.db');
    const db = new DatabaseSync(dbPath);
    db.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
      INSERT INTO notes SELECT i, 'note ' || i FROM n;`);
    db.close();
    const b = await runChecked(
      'backup-db',
      {
        'database-url': `sqlite://${dbPath}`,
        upload: 'none',
        'output-dir': join(root, 'sqlite'),
        'encrypt-to': alice.recipient,
      },
      secrets(),
    );
    expectOk(b);
    const live = new DatabaseSync(dbPath);
    live.exec(`DELETE FROM notes WHERE id > 100`);
    live.close();

    const run = await rollback(
      {
        targets: 'database',
        'database-url': `sqlite://${dbPath}`,
        'backup-manifest': b.outputs['manifest-path'],
        'decrypt-identity': alice.secret,
        'safety-backup-dir': join(root, 'sqlite-safety'),
      },
      secrets(),
    );
    expectOk(run);
    const safety = run.outputs['safety-backup-path'];
    expect(safety).toMatch(/-pre-rollback-\d{8}T\d{6}Z\.sqlite3\.gz\.age$/);
    expect(firstBytes(safety, AGE_HEADER.length)).toBe(AGE_HEADER);
    const copy = join(root, 'safety-copy.db');
    shell(`age -d -i "$KEY" "$FILE" | gunzip > "$OUT"`, {
      KEY: alice.file,
      FILE: safety,
      OUT: copy,
    });
    const restored = new DatabaseSync(copy, { readOnly: true });
    const n = restored.prepare('SELECT count(*) AS n, max(id) AS top FROM notes').get();
    restored.close();
    expect(n).toEqual({ n: 100, top: 100 });
  });
});
