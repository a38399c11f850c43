import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { RegistryClient } from '../../src/image/registry-client.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { pushTinyImage } from '../build-push-image/support/images.js';
import { expectFailure, expectOk, rollback, rolledBack, runChecked } from './helpers.js';

let registry: RegistryServer;
let client: RegistryClient;
const dirs: string[] = [];
beforeAll(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ registry: registry.host, insecure: true });
});
afterAll(async () => {
  await registry?.stop();
  for (const d of dirs) await removeDir(d);
});

function sql(path: string, text: string): void {
  const db = new DatabaseSync(path);
  try {
    db.exec(text);
  } finally {
    db.close();
  }
}

function fingerprint(path: string): string {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = db
      .prepare(`SELECT name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all() as Array<{ name: string; sql: string }>;
    return JSON.stringify(
      tables.map((t) => [t.sql, db.prepare(`SELECT * FROM "${t.name}" ORDER BY rowid`).all()]),
    );
  } finally {
    db.close();
  }
}

interface Deployed {
  ws: string;
  dbPath: string;
  url: string;
  image: string;
  repo: string;
  oldDigest: string;
  newDigest: string;
  before: string;
  manifest: string;
  backupPath: string;
  previousState: string;
}

/** A release as the runbook does it: backup, migrate, promote; the state before it is kept. */
async function deployRelease(repo: string): Promise<Deployed> {
  const ws = tempDir('rollback-all');
  dirs.push(ws);
  mkdirSync(join(ws, 'migrations'));
  const dbPath = join(ws, 'app.db');
  const url = `sqlite:app.db`;
  const image = `${registry.host}/${repo}`;
  const mig = (name: string, text: string): void =>
    writeFileSync(join(ws, 'migrations', name), text);

  // what runs today: 0001 and image build-1
  mig('0001_users.sql', 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n');
  mig('0001_users.down.sql', 'DROP TABLE users;\n');
  expectOk(
    await runChecked(
      'migrate',
      { tool: 'sql', 'database-url': url, 'require-backup': 'false' },
      [],
      { workspace: ws },
    ),
  );
  sql(dbPath, `INSERT INTO users (name) VALUES ('ada'), ('grace'), ('linus');`);
  const old = await pushTinyImage(client, repo, 'build-1');
  expectOk(
    await runChecked(
      'build-push-image',
      { image, digest: old.digest, 'promote-tag': 'latest', 'insecure-registry': 'true' },
      [],
    ),
  );
  const before = fingerprint(dbPath);

  // the release: backup, migrate 0002, data written by the new code, promote build-2
  const b = await runChecked(
    'backup-db',
    { 'database-url': url, 'output-dir': 'backups', upload: 'none' },
    [],
    { workspace: ws },
  );
  expectOk(b);
  mig(
    '0002_audit.sql',
    'CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);\nALTER TABLE users ADD COLUMN email TEXT;\n',
  );
  mig('0002_audit.down.sql', 'DROP TABLE audit;\nALTER TABLE users DROP COLUMN email;\n');
  const m = await runChecked(
    'migrate',
    { tool: 'sql', 'database-url': url, 'backup-manifest': b.outputs['manifest-path'] },
    [],
    { workspace: ws },
  );
  expectOk(m);
  sql(
    dbPath,
    `INSERT INTO audit (what) VALUES ('x'); UPDATE users SET name = 'broken', email = 'e';`,
  );
  const next = await pushTinyImage(client, repo, 'build-2');
  expectOk(
    await runChecked(
      'build-push-image',
      { image, digest: next.digest, 'promote-tag': 'latest', 'insecure-registry': 'true' },
      [],
    ),
  );
  expect(fingerprint(dbPath)).not.toEqual(before);
  return {
    ws,
    dbPath,
    url,
    image,
    repo,
    oldDigest: old.digest,
    newDigest: next.digest,
    before,
    manifest: b.outputs['manifest-path'],
    backupPath: b.outputs.path,
    previousState: m.outputs['previous-state'],
  };
}

describe('image, migrations and database together', () => {
  test('listed in any order, they run image -> migrations -> database; everything is as before the release', async () => {
    const d = await deployRelease('acme/full');
    const run = await rollback(
      {
        targets: 'database, migrations,image',
        image: d.image,
        'insecure-registry': 'true',
        // proves the order: when the image is redeployed, the migrations are not reverted yet
        'deploy-command':
          'sqlite3 app.db ".tables" > tables-at-deploy.txt; echo "$RUNBOOK_IMAGE_REF" > ref.txt',
        tool: 'sql',
        'previous-state': d.previousState,
        'database-url': d.url,
        'backup-manifest': d.manifest,
      },
      [],
      { workspace: d.ws },
    );
    expectOk(run);
    expect(rolledBack(run)).toEqual(['image', 'migrations', 'database']);
    expect((await client.resolve(d.repo, 'latest'))?.digest).toBe(d.oldDigest);
    expect(readFileSync(join(d.ws, 'ref.txt'), 'utf8').trim()).toBe(`${d.image}@${d.oldDigest}`);
    expect(readFileSync(join(d.ws, 'tables-at-deploy.txt'), 'utf8')).toMatch(/audit/);
    expect(fingerprint(d.dbPath)).toEqual(d.before);
    const at = (s: string): number => run.stdout.indexOf(s);
    expect(at('plan: image')).toBeGreaterThan(-1);
    expect(at('plan: image')).toBeLessThan(at('plan: migrations'));
    expect(at('plan: migrations')).toBeLessThan(at('plan: database'));
    expect(at('running deploy-command')).toBeLessThan(at('migrations: reverted'));
    expect(at('migrations: reverted')).toBeLessThan(at('Backing up sqlite'));
    expect(run.outputs['image-digest']).toBe(d.oldDigest);
    expect(run.outputs['restored-from']).toBe(d.backupPath);
    expect(run.outputs['safety-backup-path']).toMatch(/app-pre-rollback-/);
    expect(run.summary).toMatch(/image[\s\S]*migrations[\s\S]*database/);
  });

  test('a tampered backup stops the whole rollback before the image moves', async () => {
    const d = await deployRelease('acme/tampered');
    const bytes = readFileSync(d.backupPath);
    bytes[bytes.length - 1] ^= 0x01;
    writeFileSync(d.backupPath, bytes);
    const changed = fingerprint(d.dbPath);
    const run = await rollback(
      {
        targets: 'image,migrations,database',
        image: d.image,
        'insecure-registry': 'true',
        'deploy-command': 'touch deployed',
        tool: 'sql',
        'previous-state': d.previousState,
        'database-url': d.url,
        'backup-manifest': d.manifest,
      },
      [],
      { workspace: d.ws },
    );
    expectFailure(run, /does not match its manifest/);
    expect(rolledBack(run)).toEqual([]);
    expect((await client.resolve(d.repo, 'latest'))?.digest).toBe(d.newDigest);
    expect(fingerprint(d.dbPath)).toEqual(changed);
    expect(run.outputs['image-digest'] ?? '').toBe('');
  });
});
