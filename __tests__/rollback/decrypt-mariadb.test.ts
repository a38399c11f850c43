import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ageDecrypt, ageKeygen, type AgeKey } from '../support/age.js';
import { startMariaDb, type MariaDbServer } from '../support/services/mariadb.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { expectFailure, expectOk, rollback, rolledBack, runChecked } from './helpers.js';

/**
 * MariaDB end to end with encryption: backup-db encrypt-to (verify restore through
 * decrypt-identity), the file restored by `age -d | gunzip | mariadb`, and rollback from it.
 */

let server: MariaDbServer;
const root = tempDir('rollback-age-maria');
let key: AgeKey;
let other: AgeKey;

async function fingerprint(db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ['customers', 'orders']) {
    const rows = await server.query(`SELECT * FROM \`${t}\` ORDER BY id`, [], db);
    out[t] = `${rows.length}:${createHash('sha256').update(JSON.stringify(rows)).digest('hex')}`;
  }
  return out;
}

beforeAll(async () => {
  key = ageKeygen(root, 'ops');
  other = ageKeygen(root, 'other');
  server = await startMariaDb();
  await server.createDatabase('shop');
  await server.query(
    'CREATE TABLE customers (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100) NOT NULL)',
    [],
    'shop',
  );
  await server.query(
    'CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, customer_id INT, total DECIMAL(10,2))',
    [],
    'shop',
  );
  for (let i = 1; i <= 200; i++) {
    await server.query('INSERT INTO customers (name) VALUES (?)', [`Zoë ${i}`], 'shop');
    await server.query(
      'INSERT INTO orders (customer_id, total) VALUES (?, ?)',
      [i, i * 1.5],
      'shop',
    );
  }
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await removeDir(root);
});

describe('encrypted backups on MariaDB', () => {
  test('backup-db encrypt-to, age -d restores with the mariadb client, rollback restores through decrypt-identity', async () => {
    const secrets = [server.password, key.secret, other.secret];
    const before = await fingerprint('shop');
    const b = await runChecked(
      'backup-db',
      {
        'database-url': server.url('shop'),
        'encrypt-to': `${key.recipient}, ${other.recipient}`,
        'decrypt-identity': key.secret,
        verify: 'restore',
        upload: 'none',
        'output-dir': join(root, 'out'),
      },
      secrets,
    );
    expectOk(b);
    expect(b.outputs.path).toMatch(/\.sql\.gz\.age$/);
    expect(b.summary).toMatch(/decrypted, gzip stream read whole, completion marker present/);
    expect(b.summary).toMatch(/row counts match/);

    await server.createDatabase('by_hand');
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
        'by_hand',
      ],
      {
        input: gunzipSync(ageDecrypt(b.outputs.path, other)),
        env: { ...process.env, MYSQL_PWD: server.password },
      },
    );
    expect(await fingerprint('by_hand')).toEqual(before);

    await server.query('DELETE FROM orders WHERE id > 50', [], 'shop');
    await server.query(`UPDATE customers SET name = 'changed'`, [], 'shop');
    const changed = await fingerprint('shop');

    const wrong = await rollback(
      {
        targets: 'database',
        'database-url': server.url('shop'),
        'backup-manifest': b.outputs['manifest-path'],
        'decrypt-identity': ageKeygen(root, 'stranger').secret,
      },
      secrets,
    );
    expectFailure(
      wrong,
      /decrypt-identity does not match any recipient of .*\.sql\.gz\.age \(recipients: [0-9a-f]{16}, [0-9a-f]{16}\)/,
    );
    expect(rolledBack(wrong)).toEqual([]);
    expect(await fingerprint('shop')).toEqual(changed);

    const run = await rollback(
      {
        targets: 'database',
        'database-url': server.url('shop'),
        'backup-manifest': b.outputs['manifest-path'],
        'decrypt-identity': other.fileText,
        'safety-backup': 'false',
      },
      secrets,
    );
    expectOk(run);
    expect(await fingerprint('shop')).toEqual(before);
  });
});
