import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { makeTestCertificates, type TestCertificates } from '../support/services/tls-certs.js';
import { expectOk, rollback, rolledBack, runChecked } from '../rollback/helpers.js';

/**
 * rollback's database part on a TLS-only PostgreSQL: the safety backup (backup-db's code),
 * the restore (pg_restore through libpq's environment) and the row counts after it, all
 * with verify-full; and a refused plain connection changes nothing.
 */

let server: PostgresServer;
let certs: TestCertificates;
const dirs: string[] = [];

beforeAll(async () => {
  certs = makeTestCertificates();
  server = await startPostgres({ tls: { certFile: certs.serverCert, keyFile: certs.serverKey } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  for (const d of [...dirs, certs?.dir]) if (d) await removeDir(d);
});

const count = async (db: string): Promise<number> =>
  (await server.query<{ n: number }>('SELECT count(*)::int AS n FROM items', [], db))[0].n;

describe('rollback of the database over TLS', () => {
  test('verify-full (CA from a PEM input): safety backup, swap restore and checks all encrypted; in-place too', async () => {
    const db = 'tls_restore';
    await server.createDatabase(db);
    await server.query(
      'CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT i, md5(i::text) FROM generate_series(1, 30) i',
      [],
      db,
    );
    const out = tempDir('tls-rollback');
    dirs.push(out);
    const tlsUrl = `${server.url(db)}?sslmode=verify-full`;
    const pem = readFileSync(certs.caCert, 'utf8');
    const pemLines = pem.split('\n').filter((l) => l.length >= 8 && !l.startsWith('-----'));
    const b = await runChecked(
      'backup-db',
      { 'database-url': tlsUrl, 'ssl-root-cert': pem, 'output-dir': out, upload: 'none' },
      [server.password, ...pemLines],
    );
    expectOk(b);
    await server.query('DELETE FROM items WHERE id > 10', [], db);
    expect(await count(db)).toBe(10);

    const refused = await rollback(
      {
        targets: 'database',
        'database-url': `${server.url(db)}?sslmode=disable`,
        'backup-manifest': b.outputs['manifest-path'],
        'safety-backup-dir': out,
      },
      [server.password],
    );
    expect(refused.exitCode).toBe(1);
    expect(refused.errors[0]).toMatch(
      /^Input 'database-url': cannot connect to PostgreSQL at 127\.0\.0\.1:\d+: the server accepts only TLS connections \(sslmode=disable\)/,
    );
    expect(await count(db)).toBe(10);

    const run = await rollback(
      {
        targets: 'database',
        'database-url': tlsUrl,
        'ssl-root-cert': pem,
        'backup-manifest': b.outputs['manifest-path'],
        'safety-backup-dir': out,
      },
      [server.password, ...pemLines],
    );
    expectOk(run);
    expect(rolledBack(run)).toEqual(['database']);
    expect(await count(db)).toBe(30);
    expect(run.outputs['safety-backup-path']).toBeTruthy();

    // the in-place restore (no new database) over the same TLS connection settings
    await server.query('DELETE FROM items WHERE id > 5', [], db);
    const inPlace = await rollback(
      {
        targets: 'database',
        'database-url': tlsUrl,
        'ssl-root-cert': certs.caCert,
        'backup-manifest': b.outputs['manifest-path'],
        'restore-mode': 'in-place',
        'safety-backup': 'false',
      },
      [server.password],
    );
    expectOk(inPlace);
    expect(await count(db)).toBe(30);
  });
});
