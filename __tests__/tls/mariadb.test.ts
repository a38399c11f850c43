import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMariaDb, type MariaDbServer } from '../support/services/mariadb.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { makeTestCertificates, type TestCertificates } from '../support/services/tls-certs.js';
import { backup, expectBackup } from '../backup-db/helpers.js';
import { expectFailure, expectOk, json, migrate } from '../migrate/helpers.js';

/**
 * MariaDB with TLS and require_secure_transport=ON: backup-db (mariadb-dump, the restore
 * check with the mariadb client) and migrate's sql tool with MySQL's ssl-mode names.
 */

let server: MariaDbServer;
let certs: TestCertificates;
let n = 0;
const dirs: string[] = [];

beforeAll(async () => {
  certs = makeTestCertificates();
  server = await startMariaDb({
    tls: { certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.caCert },
  });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  for (const d of [...dirs, certs?.dir]) if (d) await removeDir(d);
});

async function newDatabase(seed = true): Promise<string> {
  const db = `tls_${++n}`;
  await server.createDatabase(db);
  if (seed) {
    await server.query('CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40))', [], db);
    await server.query(
      "INSERT INTO items SELECT seq, CONCAT('item ', seq) FROM seq_1_to_40",
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
const pemLines = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length >= 8 && !l.startsWith('-----'));

describe('backup-db over TLS (MariaDB)', () => {
  test('ssl-mode=REQUIRED: dump and restore check encrypted', async () => {
    const db = await newDatabase();
    const run = await backup(
      {
        'database-url': url(db, 'ssl-mode=REQUIRED'),
        verify: 'restore',
        'output-dir': scratch('tls-maria'),
      },
      [server.password],
    );
    const manifest = await expectBackup(run);
    expect(manifest.tables).toEqual({ items: 40 });
  });

  test('VERIFY_IDENTITY with the CA as PEM text from a secret', async () => {
    const db = await newDatabase();
    const run = await backup(
      {
        'database-url': url(db, 'ssl-mode=VERIFY_IDENTITY'),
        'ssl-root-cert': readFileSync(certs.caCert, 'utf8'),
        'output-dir': scratch('tls-maria'),
      },
      [server.password, ...pemLines(certs.caCert)],
    );
    await expectBackup(run);
  });

  test('ssl-mode=DISABLED against require_secure_transport: one clear line', async () => {
    const db = await newDatabase();
    const run = await backup(
      { 'database-url': url(db, 'ssl-mode=DISABLED'), 'output-dir': scratch('tls-maria') },
      [server.password],
    );
    expect(run.exitCode).toBe(1);
    // MariaDB answers a plain login under require_secure_transport with "Access denied"
    expect(run.errors).toEqual([
      `Input 'database-url': authentication failed for user 'root' at 127.0.0.1:${server.port}: Access denied for user 'root'@'127.0.0.1' (using password: YES); the connection was not encrypted (ssl-mode=DISABLED): if the server requires TLS (require_secure_transport), set ssl-mode=REQUIRED or VERIFY_IDENTITY`,
    ]);
  });

  test('VERIFY_CA against the wrong CA: the certificate problem named', async () => {
    const db = await newDatabase();
    const run = await backup(
      {
        'database-url': url(
          db,
          `ssl-mode=VERIFY_CA&ssl-ca=${encodeURIComponent(certs.otherCaCert)}`,
        ),
        'output-dir': scratch('tls-maria'),
      },
      [server.password],
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `Input 'database-url': cannot connect to MySQL/MariaDB at 127.0.0.1:${server.port}: server certificate verify failed: self-signed certificate in the chain: its CA is not the one in sslrootcert (sslmode=verify-ca, sslrootcert=${certs.otherCaCert})`,
    ]);
  });
});

describe('migrate over TLS (MariaDB, sql tool)', () => {
  const project = (): string => {
    const ws = scratch('tls-maria-migrate');
    mkdirSync(join(ws, 'migrations'));
    writeFileSync(
      join(ws, 'migrations', '0001_users.sql'),
      'CREATE TABLE users (id INT PRIMARY KEY);\n',
    );
    return ws;
  };
  const tables = async (db: string): Promise<string[]> =>
    (
      await server.query<{ t: string }>(
        'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1',
        [db],
      )
    ).map((r) => r.t);

  test('REQUIRED and VERIFY_IDENTITY apply under the lock', async () => {
    const db = await newDatabase(false);
    const ws = project();
    const run = await migrate(
      { tool: 'sql', 'database-url': url(db, 'ssl-mode=REQUIRED'), 'require-backup': 'false' },
      ws,
      [server.password],
    );
    expectOk(run);
    expect(json(run, 'applied')).toEqual(['0001_users.sql']);
    expect(await tables(db)).toEqual(['schema_migrations', 'users']);
    const status = await migrate(
      {
        tool: 'sql',
        'database-url': url(db, 'ssl-mode=VERIFY_IDENTITY'),
        'ssl-root-cert': certs.caCert,
        mode: 'status',
      },
      ws,
      [server.password],
    );
    expectOk(status);
    expect(json(status, 'current-state')).toEqual({ version: '0001' });
  });

  test('DISABLED fails before anything runs', async () => {
    const db = await newDatabase(false);
    const run = await migrate(
      { tool: 'sql', 'database-url': url(db, 'ssl-mode=DISABLED'), 'require-backup': 'false' },
      project(),
      [server.password],
    );
    expectFailure(
      run,
      /^Input 'database-url': authentication failed .*the connection was not encrypted \(ssl-mode=DISABLED\): if the server requires TLS/,
    );
    expect(await tables(db)).toEqual([]);
  });
});
