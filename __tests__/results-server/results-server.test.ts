// The results test server against the REAL @actions/cache 6 and @actions/artifact 6 clients
// (no module mocks): the clients speak Twirp + Azure Blob to it exactly as on GitHub.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startResultsServer, type ResultsServer } from '../support/results-server.js';
import { describeRun, runAction } from '../support/run-action.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let server: ResultsServer;
let root: string;
let restoreEnv: () => void;
let wsA: string;
let wsB: string;

type CacheModule = typeof import('@actions/cache');
type ArtifactModule = typeof import('@actions/artifact');
let cache: CacheModule;
let artifact: ArtifactModule;

beforeAll(async () => {
  server = await startResultsServer();
  root = mkdtempSync(join(tmpdir(), 'results-server-test-'));
  wsA = join(root, 'ws-a');
  wsB = join(root, 'ws-b');
  for (const d of [wsA, wsB, join(root, 'runner-temp')]) mkdirSync(d, { recursive: true });
  // the clients read process.env at call time; set it before calling them, restore after
  restoreEnv = server.applyEnv({ RUNNER_TEMP: join(root, 'runner-temp'), GITHUB_WORKSPACE: wsA });
  cache = await import('@actions/cache');
  artifact = await import('@actions/artifact');
});

afterAll(async () => {
  restoreEnv?.();
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('cache service v2 through the real @actions/cache', () => {
  const payload = randomBytes(300 * 1024);
  // paths are globbed from the cwd and archived relative to GITHUB_WORKSPACE; the same path
  // list (hence the same cache version) restores into whatever GITHUB_WORKSPACE is then
  let data: string[];
  beforeAll(() => {
    data = [join(wsA, 'data')];
  });

  test('saveCache stores an archive, restoreCache brings the same bytes into another workspace', async () => {
    mkdirSync(join(wsA, 'data'), { recursive: true });
    writeFileSync(join(wsA, 'data', 'backup.bin'), payload);
    writeFileSync(join(wsA, 'data', 'note.txt'), 'hello cache\n');
    process.env.GITHUB_WORKSPACE = wsA;
    const before = server.requests().length;
    const id = await cache.saveCache(data, 'db-backup-1');
    expect(
      server
        .requests()
        .slice(before)
        .map((r) => `${r.operation} ${r.status}`),
    ).toEqual([
      'CacheService/CreateCacheEntry 200',
      'PutBlob 201',
      'CacheService/FinalizeCacheEntryUpload 200',
    ]);
    expect(id).toBeGreaterThan(0);
    const entries = server.caches();
    expect(entries.map((c) => c.key)).toEqual(['db-backup-1']);
    expect(entries[0].size).toBe(server.cacheBytes('db-backup-1').length);
    expect(entries[0].version).toMatch(/^[0-9a-f]{64}$/);

    process.env.GITHUB_WORKSPACE = wsB;
    try {
      const hit = await cache.restoreCache(data, 'db-backup-1');
      expect(hit).toBe('db-backup-1');
    } finally {
      process.env.GITHUB_WORKSPACE = wsA;
    }
    expect(sha256(readFileSync(join(wsB, 'data', 'backup.bin')))).toBe(sha256(payload));
    expect(readFileSync(join(wsB, 'data', 'note.txt'), 'utf8')).toBe('hello cache\n');
  });

  test('restore keys match by prefix, newest first', async () => {
    const hit = await cache.restoreCache(data, 'db-backup-2', ['db-backup-']);
    expect(hit).toBe('db-backup-1');
  });

  test('a miss returns undefined: unknown key, and a known key with other paths (other version)', async () => {
    expect(await cache.restoreCache(data, 'no-such-key')).toBeUndefined();
    expect(await cache.restoreCache(['elsewhere'], 'db-backup-1')).toBeUndefined();
    expect(await cache.restoreCache(data, 'db-backup-1', [], { lookupOnly: true })).toBe(
      'db-backup-1',
    );
  });

  test('saving an existing key is refused (409) and reported as -1, not thrown', async () => {
    expect(await cache.saveCache(data, 'db-backup-1')).toBe(-1);
    const refused = server
      .requests()
      .filter((r) => r.operation === 'CacheService/CreateCacheEntry' && r.status === 409);
    expect(refused).toHaveLength(1);
  });

  test('a failing blob upload (fault hook) is a warning and -1, and leaves no entry', async () => {
    server.setFault((r) => (r.operation === 'PutBlob' ? 403 : undefined));
    try {
      expect(await cache.saveCache(data, 'upload-fails')).toBe(-1);
    } finally {
      server.setFault(undefined);
    }
    expect(server.caches().map((c) => c.key)).not.toContain('upload-fails');
  });

  test('an evicted entry misses', async () => {
    writeFileSync(join(wsA, 'data', 'note.txt'), 'second\n');
    expect(await cache.saveCache(data, 'short-lived')).toBeGreaterThan(0);
    expect(server.evictCache('short-lived')).toBe(true);
    expect(await cache.restoreCache(data, 'short-lived')).toBeUndefined();
  });
});

describe('artifact service through the real @actions/artifact', () => {
  test('zip upload, list, get, download (extracted) with digest check', async () => {
    const dir = join(wsA, 'report');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const a = randomBytes(64 * 1024);
    writeFileSync(join(dir, 'a.bin'), a);
    writeFileSync(join(dir, 'sub', 'b.txt'), 'bee\n');
    const client = new artifact.DefaultArtifactClient();
    const up = await client.uploadArtifact(
      'report',
      [join(dir, 'a.bin'), join(dir, 'sub', 'b.txt')],
      dir,
      {
        retentionDays: 3,
      },
    );
    expect(up.id).toBeGreaterThan(0);
    const stored = server.artifacts().find((x) => x.name === 'report');
    expect(stored).toMatchObject({
      id: up.id,
      zipped: true,
      fileName: 'report.zip',
      mimeType: 'application/zip',
    });
    expect(stored?.sha256).toBe(up.digest);
    expect(stored?.size).toBe(up.size);
    expect(sha256(server.artifactBytes('report'))).toBe(up.digest);
    expect(server.artifactBytes('report').subarray(0, 2).toString('latin1')).toBe('PK');
    expect(stored?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 2 * 24 * 3600 * 1000);

    const { artifacts } = await client.listArtifacts();
    expect(artifacts.map((x) => [x.name, x.id, x.size, x.digest])).toContainEqual([
      'report',
      up.id,
      up.size,
      `sha256:${up.digest}`,
    ]);
    const got = await client.getArtifact('report');
    expect(got.artifact.id).toBe(up.id);

    const out = join(root, 'dl-zip');
    const dl = await client.downloadArtifact(Number(up.id), {
      path: out,
      expectedHash: `sha256:${up.digest}`,
    });
    expect(dl.digestMismatch).toBe(false);
    expect(sha256(readFileSync(join(out, 'a.bin')))).toBe(sha256(a));
    expect(readFileSync(join(out, 'sub', 'b.txt'), 'utf8')).toBe('bee\n');
  });

  test('skipArchive: a single file uploaded without zipping (several blocks) and downloaded as-is', async () => {
    // > 8 MiB: the client's uploadStream stages it as two Put Blocks, then Put Block List
    const file = join(wsA, 'shop-20261122T010000Z.dump');
    const bytes = randomBytes(9 * 1024 * 1024 + 123);
    writeFileSync(file, bytes);
    const client = new artifact.DefaultArtifactClient();
    const before = server.requests().length;
    const up = await client.uploadArtifact('name-is-ignored', [file], wsA, { skipArchive: true });
    const blocks = server
      .requests()
      .slice(before)
      .filter((r) => r.operation === 'PutBlock');
    expect(blocks.length).toBe(2);
    expect(up.digest).toBe(sha256(bytes));

    const stored = server.artifacts().find((x) => x.id === up.id);
    expect(stored).toMatchObject({
      name: 'shop-20261122T010000Z.dump',
      fileName: 'shop-20261122T010000Z.dump',
      zipped: false,
      mimeType: 'application/octet-stream',
      size: bytes.length,
      sha256: sha256(bytes),
    });

    const out = join(root, 'dl-raw');
    const dl = await client.downloadArtifact(Number(up.id), {
      path: out,
      expectedHash: `sha256:${sha256(bytes)}`,
    });
    expect(dl.digestMismatch).toBe(false);
    expect(sha256(readFileSync(join(out, 'shop-20261122T010000Z.dump')))).toBe(sha256(bytes));
  });

  test('a second artifact of the same name is refused; delete removes it', async () => {
    const file = join(wsA, 'dup.txt');
    writeFileSync(file, 'one\n');
    const client = new artifact.DefaultArtifactClient();
    await client.uploadArtifact('dup', [file], wsA);
    await expect(client.uploadArtifact('dup', [file], wsA)).rejects.toThrow(/409|already exists/);
    const del = await client.deleteArtifact('dup');
    expect(del.id).toBeGreaterThan(0);
    expect(server.artifacts().map((a) => a.name)).not.toContain('dup');
    await expect(client.getArtifact('dup')).rejects.toThrow(/not found/i);
  });
});

describe('Azure blob endpoint', () => {
  async function signedUrl(name: string): Promise<string> {
    const res = await fetch(
      `${server.url}/twirp/github.actions.results.api.v1.ArtifactService/GetSignedArtifactURL`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
        body: JSON.stringify({
          workflow_run_backend_id: server.workflowRunBackendId,
          workflow_job_run_backend_id: server.workflowJobRunBackendId,
          name,
        }),
      },
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as { signed_url: string }).signed_url;
  }

  test('the Azure SDK reads properties and ranges (the path @actions/cache takes on real Azure)', async () => {
    const { BlockBlobClient } = await import('@azure/storage-blob');
    const name = 'shop-20261122T010000Z.dump';
    const whole = server.artifactBytes(name);
    const client = new BlockBlobClient(await signedUrl(name));
    const props = await client.getProperties();
    expect(props.contentLength).toBe(whole.length);
    const part = await client.downloadToBuffer(1000, 5 * 1024 * 1024, {
      concurrency: 2,
      blockSize: 1024 * 1024,
    });
    expect(sha256(part)).toBe(sha256(whole.subarray(1000, 1000 + 5 * 1024 * 1024)));
  });

  test('a tampered signature or a read URL used for writing is refused with 403', async () => {
    const url = await signedUrl('report');
    const bad = url.replace(/sig=[^&]+/, 'sig=AAAA');
    expect((await fetch(bad)).status).toBe(403);
    const write = await fetch(url, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: 'x',
    });
    expect(write.status).toBe(403);
    expect((await fetch(url)).status).toBe(200);
  });

  test('a Twirp call without the runtime token is refused with 401', async () => {
    const res = await fetch(
      `${server.url}/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"key":"k","version":"v"}',
      },
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'unauthenticated' });
  });

  test('unknown calls are answered with a non-retryable error and recorded', async () => {
    const res = await fetch(
      `${server.url}/twirp/github.actions.results.api.v1.CacheService/DeleteCacheEntry`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
        body: '{}',
      },
    );
    expect(res.status).toBe(404);
    expect(server.unknownRequests().map((r) => r.operation)).toEqual([
      'CacheService/DeleteCacheEntry',
    ]);
  });
});

describe('env handed to a child process (the action harness)', () => {
  test('a step run by runAction saves, restores and uploads through the server', async () => {
    const dir = join(import.meta.dirname, 'fixture');
    const workspace = join(root, 'child-ws');
    mkdirSync(workspace, { recursive: true });
    const bytes = randomBytes(50 * 1024);
    writeFileSync(join(workspace, 'app.db'), bytes);
    const run = await runAction(
      'results-fixture',
      { file: 'app.db', key: 'child-key' },
      {
        entry: join(dir, 'client-step.mjs'),
        actionYml: join(dir, 'action.yml'),
        workspace,
        env: server.env,
        timeoutMs: 90_000,
      },
    );
    if (run.exitCode !== 0) throw new Error(describeRun(run));
    expect(run.outputs['cache-hit']).toBe('child-key');
    expect(run.outputs['restored-equal']).toBe('true');
    expect(run.outputs['artifact-digest']).toBe(sha256(bytes));
    expect(server.caches().map((c) => c.key)).toContain('child-key');
    const stored = server.artifacts().find((a) => a.id === Number(run.outputs['artifact-id']));
    expect(stored).toMatchObject({ name: 'app.db', zipped: false, sha256: sha256(bytes) });
  });

  test('no request was left unrecognised', () => {
    // the deliberate DeleteCacheEntry probe above is the only one
    expect(server.unknownRequests()).toHaveLength(1);
  });
});
