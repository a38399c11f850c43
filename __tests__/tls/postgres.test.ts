import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chownSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { removeDir, systemUser, tempDir } from '../support/services/common.js';
import { makeTestCertificates, type TestCertificates } from '../support/services/tls-certs.js';
import { backup, expectBackup } from '../backup-db/helpers.js';
import { copyFixture, expectFailure, expectOk, json, migrate, PYTHON } from '../migrate/helpers.js';
import { rollback, rolledBack } from '../rollback/helpers.js';

/**
 * PostgreSQL with ssl=on and a pg_hba.conf that admits TCP clients only over TLS: every
 * database path of backup-db, migrate (sql, alembic, django) and rollback (migrations)
 * with each sslmode, and the failures a person must be able to act on.
 */

let server: PostgresServer;
let certs: TestCertificates;
let n = 0;
const dirs: string[] = [];

beforeAll(async () => {
  certs = makeTestCertificates();
  server = await startPostgres({ tls: { certFile: certs.serverCert, keyFile: certs.serverKey } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  for (const d of [...dirs, certs?.dir]) if (d) await removeDir(d);
});

async function newDatabase(seed = true): Promise<string> {
  const db = `tls_${++n}`;
  await server.createDatabase(db);
  if (seed) {
    await server.query(
      'CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT i, md5(i::text) FROM generate_series(1, 50) i',
      [],
      db,
    );
  }
  return db;
}

function scratch(prefix: string): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}

const url = (db: string, query: string): string => `${server.url(db)}?${query}`;
const verifyFull = (db: string, ca = certs.caCert): string =>
  url(db, `sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`);

/** The lines of a PEM text, each of which must stay out of every log and output. */
const pemLines = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length >= 8 && !l.startsWith('-----'));

describe('backup-db over TLS', () => {
  test('sslmode=require: encrypted, no verification; the dump tools get the same mode', async () => {
    const db = await newDatabase();
    const out = scratch('tls-backup');
    const run = await backup({ 'database-url': url(db, 'sslmode=require'), 'output-dir': out }, [
      server.password,
    ]);
    const manifest = await expectBackup(run);
    expect(manifest.tables).toEqual({ 'public.items': 50 });
  });

  test('verify-full with the CA as PEM text from a secret, restore check included; the PEM never printed', async () => {
    const db = await newDatabase();
    const out = scratch('tls-backup');
    const pem = readFileSync(certs.caCert, 'utf8');
    const run = await backup(
      {
        'database-url': url(db, 'sslmode=verify-full'),
        'ssl-root-cert': pem,
        verify: 'restore',
        'output-dir': out,
      },
      [server.password, ...pemLines(certs.caCert)],
    );
    const manifest = await expectBackup(run);
    expect(manifest.tables).toEqual({ 'public.items': 50 });
    expect(run.summary).toMatch(/restore/i);
    // the connections the server saw were all encrypted
    const plain = await server.query(
      `SELECT count(*)::int AS n FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE NOT s.ssl AND a.client_addr IS NOT NULL`,
    );
    expect(plain[0].n).toBe(0);
  });

  test('sslmode=disable against a TLS-only server: one clear line saying what to change', async () => {
    const db = await newDatabase();
    const run = await backup(
      { 'database-url': url(db, 'sslmode=disable'), 'output-dir': scratch('tls-backup') },
      [server.password],
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `Input 'database-url': cannot connect to PostgreSQL at 127.0.0.1:${server.port}: the server accepts only TLS connections (sslmode=disable); set sslmode=require or verify-full.`,
    ]);
  });

  test('verify-full against the wrong CA: the certificate problem named, with the settings', async () => {
    const db = await newDatabase();
    const run = await backup(
      { 'database-url': verifyFull(db, certs.otherCaCert), 'output-dir': scratch('tls-backup') },
      [server.password],
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toBe(
      `Input 'database-url': cannot connect to PostgreSQL at 127.0.0.1:${server.port}: server certificate verify failed: unable to verify the first certificate: it is not signed by the CA in sslrootcert (sslmode=verify-full, sslrootcert=${certs.otherCaCert})`,
    );
  });
});

describe('migrate over TLS', () => {
  const sqlProject = (): string => {
    const ws = scratch('tls-migrate');
    mkdirSync(join(ws, 'migrations'));
    writeFileSync(
      join(ws, 'migrations', '0001_users.sql'),
      'CREATE TABLE users (id int PRIMARY KEY);\n',
    );
    writeFileSync(join(ws, 'migrations', '0001_users.down.sql'), 'DROP TABLE users;\n');
    writeFileSync(join(ws, 'migrations', '0002_orders.sql'), 'CREATE TABLE orders (id int);\n');
    writeFileSync(join(ws, 'migrations', '0002_orders.down.sql'), 'DROP TABLE orders;\n');
    return ws;
  };
  const tables = async (db: string): Promise<string[]> =>
    (
      await server.query<{ t: string }>(
        `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
        [],
        db,
      )
    ).map((r) => r.t);

  test('sql tool: require and verify-full apply under the lock; rollback of the migrations over TLS too', async () => {
    const db = await newDatabase(false);
    const ws = sqlProject();
    const first = await migrate(
      {
        tool: 'sql',
        'database-url': url(db, 'sslmode=require'),
        'require-backup': 'false',
        target: '0001',
      },
      ws,
      [server.password],
    );
    expectOk(first);
    expect(json(first, 'applied')).toEqual(['0001_users.sql']);
    const second = await migrate(
      { tool: 'sql', 'database-url': verifyFull(db), 'require-backup': 'false' },
      ws,
      [server.password],
    );
    expectOk(second);
    expect(json(second, 'applied')).toEqual(['0002_orders.sql']);
    expect(await tables(db)).toEqual(['orders', 'schema_migrations', 'users']);

    const back = await rollback(
      {
        targets: 'migrations',
        tool: 'sql',
        'database-url': url(db, 'sslmode=verify-ca'),
        'ssl-root-cert': certs.caCert,
        'previous-state': second.outputs['previous-state'],
      },
      [server.password],
      { workspace: ws },
    );
    expect(back.errors).toEqual([]);
    expect(rolledBack(back)).toEqual(['migrations']);
    expect(await tables(db)).toEqual(['schema_migrations', 'users']);
  });

  test('sql tool: sslmode=disable fails before any migration runs, naming the fix', async () => {
    const db = await newDatabase(false);
    const run = await migrate(
      { tool: 'sql', 'database-url': url(db, 'sslmode=disable'), 'require-backup': 'false' },
      sqlProject(),
      [server.password],
    );
    expectFailure(
      run,
      /^Input 'database-url': cannot connect to PostgreSQL at 127\.0\.0\.1:\d+: the server accepts only TLS connections \(sslmode=disable\); set sslmode=require or verify-full\.$/,
    );
    expect(await tables(db)).toEqual([]);
  });

  test('sql tool: verify-full against the wrong CA names the certificate problem', async () => {
    const db = await newDatabase(false);
    const run = await migrate(
      {
        tool: 'sql',
        'database-url': url(db, 'sslmode=verify-full'),
        'ssl-root-cert': certs.otherCaCert,
        'require-backup': 'false',
      },
      sqlProject(),
      [server.password],
    );
    expectFailure(
      run,
      /server certificate verify failed: unable to verify the first certificate: it is not signed by the CA in sslrootcert/,
      /sslmode=verify-full, sslrootcert=.*other-ca\.crt/,
    );
    expect(await tables(db)).toEqual([]);
  });

  test('alembic: verify-full from the URL and require with the CA as a PEM input (psycopg2 gets libpq variables)', async () => {
    const db = await newDatabase(false);
    const ws = copyFixture('alembic');
    const first = await migrate(
      {
        'database-url': verifyFull(db),
        python: PYTHON,
        'require-backup': 'false',
        target: '1a2b3c4d5e01',
      },
      ws,
      [server.password],
    );
    expectOk(first);
    expect(json(first, 'applied')).toEqual(['1a2b3c4d5e01']);
    const rest = await migrate(
      {
        'database-url': url(db, 'sslmode=require'),
        'ssl-root-cert': readFileSync(certs.caCert, 'utf8'),
        python: PYTHON,
        'require-backup': 'false',
      },
      ws,
      [server.password, ...pemLines(certs.caCert)],
    );
    expectOk(rest);
    expect(json(rest, 'current-state')).toEqual({ revisions: ['3c4d5e6f7a03'] });
    const wrong = await migrate(
      {
        'database-url': url(db, 'sslmode=verify-full'),
        'ssl-root-cert': certs.otherCaCert,
        python: PYTHON,
        'require-backup': 'false',
        mode: 'status',
      },
      ws,
      [server.password],
    );
    expect(wrong.exitCode).toBe(1);
    expect(wrong.errors[0]).toMatch(/certificate verify failed/);
  });

  test('django: verify-full (HOST 127.0.0.1, the certificate names it)', async () => {
    const db = await newDatabase(false);
    const ws = copyFixture('django');
    const run = await migrate(
      {
        'database-url': verifyFull(db),
        python: PYTHON,
        'require-backup': 'false',
      },
      ws,
      [server.password],
    );
    expectOk(run);
    expect(json(run, 'applied-count')).toBeGreaterThan(0);
    expect(await tables(db)).toEqual(expect.arrayContaining(['django_migrations']));
  });
});

describe('host name checks', () => {
  test('a certificate for another host: verify-full refuses it, verify-ca accepts it (chain only)', async () => {
    const db = await newDatabase();
    // the server now presents a certificate for db.elsewhere.example, signed by the same CA
    const owner = systemUser('postgres');
    for (const [from, to] of [
      [certs.wrongHostCert, 'server.crt'],
      [certs.wrongHostKey, 'server.key'],
    ] as const) {
      copyFileSync(from, join(server.dir, to));
      chownSync(join(server.dir, to), owner.uid, owner.gid);
    }
    await server.query('SELECT pg_reload_conf()');
    try {
      const full = await backup(
        { 'database-url': verifyFull(db), 'output-dir': scratch('tls-backup') },
        [server.password],
      );
      expect(full.exitCode).toBe(1);
      expect(full.errors[0]).toMatch(
        /^Input 'database-url': cannot connect to PostgreSQL at 127\.0\.0\.1:\d+: server certificate verify failed: host name mismatch: .*127\.0\.0\.1.* \(sslmode=verify-full, sslrootcert=/,
      );
      const ca = await backup(
        {
          'database-url': url(db, 'sslmode=verify-ca'),
          'ssl-root-cert': certs.caCert,
          'output-dir': scratch('tls-backup'),
        },
        [server.password],
      );
      await expectBackup(ca);
    } finally {
      copyFileSync(certs.serverCert, join(server.dir, 'server.crt'));
      copyFileSync(certs.serverKey, join(server.dir, 'server.key'));
      await server.query('SELECT pg_reload_conf()');
    }
  });
});
