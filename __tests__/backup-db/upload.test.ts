import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startResultsServer, type ResultsServer } from '../support/results-server.js';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { downloadBackupArtifact } from '../../src/storage/artifact.js';
import { restoreBackupCache } from '../../src/storage/cache.js';
import { sha256Backup } from '../../src/db/manifest-hash.js';
import { backup, expectBackup, expectFailure, sha } from './helpers.js';

let results: ResultsServer;
let pgServer: PostgresServer;
const root = mkdtempSync(join(tmpdir(), 'backup-upload-'));
const source = join(root, 'app.db');

beforeAll(async () => {
  results = await startResultsServer();
  pgServer = await startPostgres();
  await pgServer.createDatabase('shop');
  await pgServer.query(
    `CREATE TABLE items AS SELECT i AS id, md5(i::text) AS v FROM generate_series(1, 2000) i`,
    [],
    'shop',
  );
  const db = new DatabaseSync(source);
  db.exec(
    `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a'), ('b'), ('ü')`,
  );
  db.close();
}, 120_000);

afterAll(async () => {
  await results?.stop();
  await pgServer?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Runs `fn` in process with the results service's environment and a scratch workspace as cwd. */
async function inActions<T>(fn: () => Promise<T>): Promise<T> {
  const ws = mkdtempSync(join(root, 'ws-'));
  const before = process.cwd();
  const restore = results.applyEnv({ GITHUB_WORKSPACE: ws, RUNNER_TEMP: ws });
  process.chdir(ws);
  try {
    return await fn();
  } finally {
    process.chdir(before);
    restore();
  }
}

describe('backup-db uploads', () => {
  test('upload auto inside Actions: the backup as a raw artifact, downloaded back with the same sha256', async () => {
    const run = await backup(
      { 'database-url': `sqlite://${source}`, 'retention-days': 3 },
      [results.token],
      { env: results.env },
    );
    const manifest = await expectBackup(run);
    const stored = results.artifacts();
    const file = stored.find((a) => a.name === manifest.file);
    expect(file).toMatchObject({
      zipped: false,
      sha256: manifest.sha256,
      size: manifest.size_bytes,
    });
    expect(String(file?.id)).toBe(run.outputs['artifact-id']);
    expect(stored.find((a) => a.name === `${run.outputs.name}.manifest.json`)?.zipped).toBe(false);
    expect(run.summary).toContain(`artifact ${manifest.file} (id ${run.outputs['artifact-id']})`);

    const dest = mkdtempSync(join(root, 'dl-'));
    const got = await inActions(() => downloadBackupArtifact(run.outputs.name, dest));
    expect(got.manifest).toEqual(manifest);
    expect((await sha256Backup(got.backupPath)).sha256).toBe(manifest.sha256);
    expect(got.backupPath).toBe(join(dest, manifest.file));
  });

  test('a PostgreSQL directory backup goes up as one zip artifact and comes back intact', async () => {
    const run = await backup(
      { 'database-url': pgServer.url('shop'), format: 'directory', jobs: 2, upload: 'artifact' },
      [results.token, pgServer.password],
      { env: results.env },
    );
    const manifest = await expectBackup(run);
    const art = results.artifacts().find((a) => a.name === run.outputs.name);
    expect(art?.zipped).toBe(true);
    const dest = mkdtempSync(join(root, 'dl-dir-'));
    const got = await inActions(() => downloadBackupArtifact(run.outputs.name, dest));
    expect(got.manifest.sha256).toBe(manifest.sha256);
    expect((await sha256Backup(got.backupPath)).sha256).toBe(manifest.sha256);
  });

  test('upload cache: saved under the key output, restored by key with the same sha256', async () => {
    const run = await backup(
      { 'database-url': pgServer.url('shop'), upload: 'cache' },
      [results.token, pgServer.password],
      { env: results.env },
    );
    const manifest = await expectBackup(run);
    expect(run.outputs['cache-key']).toBe(`runbook-db-backup-${run.outputs.name}`);
    expect(results.caches().map((c) => c.key)).toContain(run.outputs['cache-key']);
    const dest = mkdtempSync(join(root, 'cache-'));
    const got = await inActions(() => restoreBackupCache(run.outputs['cache-key'], dest));
    expect(got.manifest).toEqual(manifest);
    expect((await sha256Backup(got.backupPath)).sha256).toBe(manifest.sha256);
  });

  test('a custom cache key; saving the same key twice fails the second step', async () => {
    const key = `db-${sha(String(Date.now())).slice(0, 8)}`;
    const first = await backup(
      { 'database-url': `sqlite://${source}`, upload: 'cache', 'cache-key': key },
      [results.token],
      { env: results.env },
    );
    await expectBackup(first);
    expect(first.outputs['cache-key']).toBe(key);
    const second = await backup(
      { 'database-url': `sqlite://${source}`, upload: 'cache', 'cache-key': key },
      [results.token],
      { env: results.env },
    );
    expectFailure(
      second,
      /saving the backup to the cache under key '.*' failed|saving the backup to the cache failed/,
    );
    // the backup itself is still there and reported
    expect(second.outputs.path).toBeDefined();
  });

  test('an artifact service failure fails the step; the backup stays on disk', async () => {
    results.setFault((req) =>
      req.operation === 'ArtifactService/CreateArtifact' ? 403 : undefined,
    );
    try {
      const run = await backup(
        { 'database-url': `sqlite://${source}`, upload: 'artifact' },
        [results.token],
        { env: results.env },
      );
      expectFailure(run, /^uploading the backup as an artifact failed/);
      expect(run.outputs.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect((await sha256Backup(run.outputs.path)).sha256).toBe(run.outputs.sha256);
    } finally {
      results.setFault(undefined);
    }
  });

  test('cache-key with a comma is refused before anything runs', async () => {
    const run = await backup(
      { 'database-url': `sqlite://${source}`, upload: 'cache', 'cache-key': 'a,b' },
      [results.token],
      { env: results.env },
    );
    expectFailure(run, /^Input 'cache-key': contains a comma$/);
    expect(results.caches().some((c) => c.key === 'a,b')).toBe(false);
  });
});
