import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { promote } from '../../src/image/promote.js';
import { RegistryClient, sha256Digest } from '../../src/image/registry-client.js';
import { pushTinyImage } from '../build-push-image/support/images.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { describeRun, runAction } from '../support/run-action.js';
import { startTokenServer, type TokenServer } from '../build-push-image/support/token-server.js';
import { freePort } from '../support/services/common.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';

/**
 * The real registry behind a proxy that injects 503s (with and without Retry-After) and cuts
 * blob uploads halfway. What the registry holds afterwards is read directly, not through the
 * proxy: a failed promotion must leave every tag where it was.
 */
let registry: RegistryServer;
let proxy: FaultProxy;
/** talks to the registry directly: the truth */
let direct: RegistryClient;
let log: string[];
let slept: number[];
let proxied: RegistryClient;

const MANIFESTS = /\/manifests\//;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy({ port: registry.port });
  direct = new RegistryClient({ registry: registry.host, insecure: true });
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});

beforeEach(() => {
  proxy.setRules([]);
  proxy.calls.length = 0;
  log = [];
  slept = [];
  proxied = new RegistryClient({
    registry: proxy.host,
    insecure: true,
    retry: { attempts: 5, maxElapsedMs: 60_000, baseDelayMs: 20, maxDelayMs: 100 },
    retryEnv: {
      log: (line) => log.push(line),
      // the delays asked for are recorded; the test waits only a few ms
      sleep: async (ms) => {
        slept.push(ms);
        await new Promise((r) => setTimeout(r, Math.min(ms, 5)));
      },
    },
  });
});

describe('registry client through a flaky registry', () => {
  test('503s without Retry-After: backoff, one log line per retry, then the answer', async () => {
    const image = await pushTinyImage(direct, 'acme/shop', 'v1');
    proxy.setRules([
      { method: 'HEAD', path: MANIFESTS, times: 2, fault: { kind: 'status', status: 503 } },
    ]);
    expect((await proxied.resolve('acme/shop', 'v1'))?.digest).toBe(image.digest);
    expect(log).toEqual([
      expect.stringMatching(
        /^registry: 503 Service Unavailable on HEAD \/v2\/acme\/shop\/manifests\/v1; retry 1\/4 in \d+ms$/,
      ),
      expect.stringMatching(
        /^registry: 503 Service Unavailable on HEAD \/v2\/acme\/shop\/manifests\/v1; retry 2\/4 in \d+ms$/,
      ),
    ]);
    expect(proxy.calls.filter((c) => c.method === 'HEAD').map((c) => c.status)).toEqual([
      503, 503, 200,
    ]);
  });

  test('Retry-After in seconds and as an HTTP-date is what the client waits', async () => {
    await pushTinyImage(direct, 'acme/shop', 'v2');
    const soon = new Date(Date.now() + 4000).toUTCString();
    proxy.setRules([
      {
        method: 'GET',
        path: MANIFESTS,
        times: 1,
        fault: { kind: 'status', status: 429, retryAfter: '3' },
      },
      {
        method: 'GET',
        path: MANIFESTS,
        times: 1,
        fault: { kind: 'status', status: 503, retryAfter: soon },
      },
    ]);
    expect(await proxied.getManifest('acme/shop', 'v2')).toBeDefined();
    expect(slept[0]).toBe(3000);
    // an HTTP-date is counted from now: a little under 4 s once the request is answered
    expect(slept[1]).toBeGreaterThan(1000);
    expect(slept[1]).toBeLessThanOrEqual(4000);
    expect(log[0]).toMatch(/^registry: 429 Too Many Requests on GET .*; retry 1\/4 in 3\.0s$/);
  });

  test('a blob upload cut halfway restarts from a fresh upload session and lands whole', async () => {
    const blob = Buffer.alloc(256 * 1024, 7);
    blob.write(`unique ${Math.random()}`);
    proxy.setRules([
      { method: 'PUT', path: /\/blobs\/uploads\//, times: 1, fault: { kind: 'cut' } },
    ]);
    const digest = await proxied.uploadBlob('acme/blobs', blob);
    expect(digest).toBe(sha256Digest(blob));
    expect(await direct.getBlob('acme/blobs', digest)).toEqual(blob);
    const upload = proxy.calls.filter((c) => c.path.includes('/blobs/uploads/'));
    expect(upload.map((c) => `${c.method}${c.fault ? ` ${c.fault}` : ''}`)).toEqual([
      'POST',
      'PUT cut',
      'POST',
      'PUT',
    ]);
    expect(log).toEqual([
      expect.stringMatching(/^registry: .* on the upload of blob sha256:.* retry 1\/4 in/),
    ]);
  });

  test('promotion rides out 503s on reads and on the manifest PUTs', async () => {
    const old = await pushTinyImage(direct, 'acme/web', 'old');
    await direct.putManifest('acme/web', 'latest', (await direct.getManifest('acme/web', 'old'))!);
    const next = await pushTinyImage(direct, 'acme/web', 'next');
    proxy.setRules([
      { method: 'GET', path: MANIFESTS, times: 2, fault: { kind: 'status', status: 502 } },
      {
        method: 'PUT',
        path: MANIFESTS,
        times: 2,
        fault: { kind: 'status', status: 503, retryAfter: '0' },
      },
    ]);
    const result = await promote(proxied, {
      repository: 'acme/web',
      digest: next.digest,
      tag: 'latest',
      previousTag: 'previous',
    });
    expect(result).toMatchObject({ moved: true, previousDigest: old.digest, previousTagged: true });
    expect((await direct.resolve('acme/web', 'latest'))?.digest).toBe(next.digest);
    expect((await direct.resolve('acme/web', 'previous'))?.digest).toBe(old.digest);
    expect(log.filter((l) => l.includes(' on PUT '))).toHaveLength(2);
  });

  test('after the retry budget: one clear error naming the attempts, and no tag moved', async () => {
    const old = await pushTinyImage(direct, 'acme/api', 'old');
    await direct.putManifest('acme/api', 'latest', (await direct.getManifest('acme/api', 'old'))!);
    const next = await pushTinyImage(direct, 'acme/api', 'next');
    proxy.setRules([
      { method: 'PUT', path: MANIFESTS, times: Infinity, fault: { kind: 'status', status: 503 } },
    ]);
    await expect(
      promote(proxied, {
        repository: 'acme/api',
        digest: next.digest,
        tag: 'latest',
        previousTag: 'previous',
      }),
    ).rejects.toThrow(
      /answered HTTP 503: UNAVAILABLE injected by the fault proxy, after 5 attempts\.$/,
    );
    expect((await direct.resolve('acme/api', 'latest'))?.digest).toBe(old.digest);
    expect(await direct.resolve('acme/api', 'previous')).toBeUndefined();
    expect(log.at(-1)).toMatch(/giving up after 5 attempts$/);
  });

  test('a refused connection is retried, then reported with the attempts', async () => {
    // a port nobody listens on
    const port = await freePort();
    const gone = new RegistryClient({
      registry: `127.0.0.1:${port}`,
      insecure: true,
      retry: { attempts: 3, maxElapsedMs: 60_000, baseDelayMs: 1, maxDelayMs: 2 },
      retryEnv: { log: (line) => log.push(line) },
    });
    await expect(gone.resolve('acme/x', 'v1')).rejects.toThrow(
      new RegExp(
        `could not be reached at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED.* \\(after 3 attempts\\)\\.$`,
      ),
    );
    expect(log.slice(0, 2)).toEqual([
      expect.stringMatching(
        /^registry: ECONNREFUSED .* on HEAD \/v2\/acme\/x\/manifests\/v1; retry 1\/2 in/,
      ),
      expect.stringMatching(/retry 2\/2 in/),
    ]);
  });
});

describe('build-push-image (promotion) through a flaky registry', () => {
  const env = { RUNBOOK_RETRY_BASE_DELAY: '10ms' };

  test('succeeds with the retries in the step log', async () => {
    const next = await pushTinyImage(direct, 'acme/promo', 'next');
    proxy.setRules([
      { method: 'GET', path: MANIFESTS, times: 2, fault: { kind: 'status', status: 503 } },
      {
        method: 'PUT',
        path: MANIFESTS,
        times: 1,
        fault: { kind: 'status', status: 503, retryAfter: '1' },
      },
    ]);
    const run = await runAction(
      'build-push-image',
      {
        image: `${proxy.host}/acme/promo`,
        digest: next.digest,
        'promote-tag': 'latest',
        'insecure-registry': 'true',
      },
      { env },
    );
    if (run.exitCode !== 0) throw new Error(describeRun(run));
    expect(run.stdout).toMatch(
      /registry: 503 Service Unavailable on GET \/v2\/acme\/promo\/manifests\/\S+; retry 1\/4 in \d+ms/,
    );
    expect(run.stdout).toMatch(
      /registry: 503 Service Unavailable on PUT \/v2\/acme\/promo\/manifests\/latest; retry 1\/4 in 1\.0s/,
    );
    expect((await direct.resolve('acme/promo', 'latest'))?.digest).toBe(next.digest);
  });

  test('after the retry budget: exit 1, one error, the tags where they were', async () => {
    const old = await pushTinyImage(direct, 'acme/stuck', 'old');
    await direct.putManifest(
      'acme/stuck',
      'latest',
      (await direct.getManifest('acme/stuck', 'old'))!,
    );
    const next = await pushTinyImage(direct, 'acme/stuck', 'next');
    proxy.setRules([
      { method: 'PUT', path: MANIFESTS, times: Infinity, fault: { kind: 'status', status: 503 } },
    ]);
    const run = await runAction(
      'build-push-image',
      {
        image: `${proxy.host}/acme/stuck`,
        digest: next.digest,
        'promote-tag': 'latest',
        'insecure-registry': 'true',
      },
      { env: { ...env, RUNBOOK_RETRY_ATTEMPTS: '3' } },
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^writing acme\/stuck:previous failed: registry 127\.0\.0\.1:\d+ answered HTTP 503.*after 3 attempts\.$/,
      ),
    ]);
    expect(run.stdout).toMatch(
      /on PUT \/v2\/acme\/stuck\/manifests\/previous; giving up after 3 attempts/,
    );
    expect((await direct.resolve('acme/stuck', 'latest'))?.digest).toBe(old.digest);
    expect(await direct.resolve('acme/stuck', 'previous')).toBeUndefined();
    expect(run.outputs.promoted ?? '').not.toBe('true');
  });
});

describe('rollback (image part) through a flaky registry', () => {
  test('the tag goes back despite 503s, retries in the log; deploy-command runs once', async () => {
    const first = await pushTinyImage(direct, 'acme/back', 'one');
    const second = await pushTinyImage(direct, 'acme/back', 'two');
    await direct.putManifest(
      'acme/back',
      'previous',
      (await direct.getManifest('acme/back', 'one'))!,
    );
    await direct.putManifest(
      'acme/back',
      'latest',
      (await direct.getManifest('acme/back', 'two'))!,
    );
    proxy.setRules([
      { method: 'HEAD', path: MANIFESTS, times: 1, fault: { kind: 'status', status: 502 } },
      {
        method: 'PUT',
        path: MANIFESTS,
        times: 2,
        fault: { kind: 'status', status: 503, retryAfter: '0' },
      },
    ]);
    const run = await runAction(
      'rollback',
      {
        targets: 'image',
        image: `${proxy.host}/acme/back`,
        'insecure-registry': 'true',
        'deploy-command': 'echo deployed >> deploys.txt',
      },
      { env: { RUNBOOK_RETRY_BASE_DELAY: '10ms' }, timeoutMs: 120_000 },
    );
    if (run.exitCode !== 0) throw new Error(describeRun(run));
    expect(second.digest).not.toBe(first.digest);
    expect((await direct.resolve('acme/back', 'latest'))?.digest).toBe(first.digest);
    expect(run.stdout).toMatch(
      /registry: 503 Service Unavailable on PUT \/v2\/acme\/back\/manifests\/latest; retry 2\/4 in 0ms/,
    );
    expect(run.stdout).toMatch(/registry: 502 Bad Gateway on HEAD /);
    expect(readFileSync(join(run.workspace, 'deploys.txt'), 'utf8')).toBe('deployed\n');
  });
});

describe('the token server of a Bearer registry, flaky', () => {
  let tokens: TokenServer;
  let tokenProxy: FaultProxy;
  let secured: RegistryServer;
  beforeAll(async () => {
    tokens = await startTokenServer({ deployer: 't0ken-pass' });
    tokenProxy = await startFaultProxy({ port: Number(new URL(tokens.url).port) });
    // the registry sends clients to the token server through the fault proxy
    const realm = `http://${tokenProxy.host}/token`;
    const auth = tokens.registryConfig.auth as { token: Record<string, unknown> };
    secured = await startRegistry({ config: { auth: { token: { ...auth.token, realm } } } });
  });
  afterAll(async () => {
    await secured?.stop();
    await tokenProxy?.stop();
    await tokens?.stop();
  });

  test('the token GET is retried like any read; the answer that follows is used', async () => {
    tokenProxy.setRules([
      { method: 'GET', path: /^\/token/, times: 2, fault: { kind: 'status', status: 503 } },
    ]);
    const client = new RegistryClient({
      registry: secured.host,
      insecure: true,
      credentials: { username: 'deployer', password: 't0ken-pass', source: 'test' },
      retry: { attempts: 5, maxElapsedMs: 60_000, baseDelayMs: 5, maxDelayMs: 10 },
      retryEnv: { log: (line) => log.push(line) },
    });
    expect(await client.resolve('acme/private', 'v1')).toBeUndefined();
    expect(tokenProxy.calls.map((c) => c.status)).toEqual([503, 503, 200]);
    expect(log).toEqual([
      expect.stringMatching(
        /^registry: 503 Service Unavailable on GET http:\/\/127\.0\.0\.1:\d+\/token \(token\); retry 1\/4 in \d+ms$/,
      ),
      expect.stringMatching(/retry 2\/4/),
    ]);
    expect(tokens.requests.filter((r) => r.user === 'deployer' && r.status === 200)).toHaveLength(
      1,
    );
  });
});
