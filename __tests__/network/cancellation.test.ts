import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { RegistryClient } from '../../src/image/registry-client.js';
import { pushTinyImage } from '../build-push-image/support/images.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { runAction, scratchDir, type ActionRun } from '../support/run-action.js';
import { ensureService, runTool, waitFor } from '../support/services/common.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';

/**
 * A cancelled run as the runner does it: SIGINT to the action's process, then SIGTERM.
 * What each action leaves behind is checked on the real server afterwards.
 */
async function cancelWhen(
  start: (onStart: (pid: number) => void) => Promise<ActionRun>,
  ready: () => boolean,
  what: string,
): Promise<ActionRun> {
  let pid: number | undefined;
  const running = start((p) => (pid = p));
  await waitFor(async () => ready(), 60_000, what);
  process.kill(pid!, 'SIGINT');
  await new Promise((r) => setTimeout(r, 300));
  try {
    process.kill(pid!, 'SIGTERM');
  } catch {
    // already gone: it finished within the runner's grace period
  }
  return running;
}

let app: Server;
let appUrl = '';
const hits: string[] = [];

beforeAll(async () => {
  app = createServer((req, res) => {
    hits.push(req.url ?? '');
    // /hang never answers: a check or probe in flight when the run is cancelled
    if (req.url === '/hang') return;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
  appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
});

afterAll(async () => {
  app.closeAllConnections();
  await new Promise((r) => app.close(r));
});

describe('health-gate', () => {
  test('SIGINT then SIGTERM mid-gate: verdict cancelled, the samples so far, summary, exit 1', async () => {
    hits.length = 0;
    const probes = `- name: api\n  http:\n    url: ${appUrl}/health\n    timeout: 2s\n`;
    const run = await cancelWhen(
      (onStart) =>
        runAction(
          'health-gate',
          { duration: '5m', interval: '200ms', probes },
          { onStart, timeoutMs: 60_000 },
        ),
      () => hits.filter((h) => h === '/health').length >= 3,
      'three samples',
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs.verdict).toBe('cancelled');
    const samples = Number(run.outputs.samples);
    expect(samples).toBeGreaterThanOrEqual(3);
    expect(samples).toBeLessThanOrEqual(hits.filter((h) => h === '/health').length);
    expect(run.outputs['success-rate']).toBe('100');
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^cancelled by SIGINT: health gate stopped after .* of 5m 00s with \d+ samples; verdict cancelled$/,
      ),
    ]);
    expect(run.summary).toContain('cancelled');
    expect(run.summary).toContain('stopped early: cancelled');
  });
});

describe('smoke-test', () => {
  test('SIGINT then SIGTERM with a check in flight: the finished checks are reported', async () => {
    hits.length = 0;
    const checks = [
      "- name: health\n  request: { url: '/health' }",
      "- name: hanging\n  request: { url: '/hang' }",
      "- name: after\n  request: { url: '/health?again' }",
    ].join('\n');
    const report = join(scratchDir('rb-smoke-cancel-'), 'junit.xml');
    const run = await cancelWhen(
      (onStart) =>
        runAction(
          'smoke-test',
          { 'base-url': appUrl, checks, concurrency: '1', timeout: '1m', report },
          { onStart, timeoutMs: 60_000 },
        ),
      () => hits.includes('/hang'),
      'the hanging check to start',
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ passed: '1', failed: '0', total: '3' });
    expect(JSON.parse(run.outputs.results)).toEqual([
      expect.objectContaining({ name: 'health', ok: true }),
    ]);
    expect(run.errors).toEqual([
      'cancelled by SIGINT: 1 of 3 checks finished (1 passed, 0 failed); 2 not run',
    ]);
    expect(run.summary).toContain('Smoke test: 1/3 passed');
    expect(run.outputs['report-path']).toBe(report);
    expect(hits).not.toContain('/health?again');
  });
});

describe('build-push-image', () => {
  let registry: RegistryServer;
  let proxy: FaultProxy;
  let direct: RegistryClient;

  beforeAll(async () => {
    ensureService('buildah');
    registry = await startRegistry();
    proxy = await startFaultProxy({ port: registry.port });
    direct = new RegistryClient({ registry: registry.host, insecure: true });
  });

  afterAll(async () => {
    // buildah keeps the images it built under the proxy's name
    const out = await runTool('buildah', ['images', '--format', '{{.ID}} {{.Name}}']).catch(
      () => '',
    );
    const ids = out
      .split('\n')
      .filter((l) => proxy && l.includes(` ${proxy.host}/`))
      .map((l) => l.split(' ')[0]);
    if (ids.length > 0) await runTool('buildah', ['rmi', '-f', ...new Set(ids)]).catch(() => '');
    await proxy?.stop();
    await registry?.stop();
  });

  test('SIGINT then SIGTERM mid-push (a slow blob upload): buildah stopped, no tag written or moved', async () => {
    const old = await pushTinyImage(direct, 'acme/cancel', 'old');
    await direct.putManifest(
      'acme/cancel',
      'latest',
      (await direct.getManifest('acme/cancel', 'old'))!,
    );
    const ws = scratchDir('rb-bpi-cancel-');
    mkdirSync(join(ws, 'app'));
    writeFileSync(join(ws, 'app', 'Dockerfile'), 'FROM scratch\nCOPY blob.bin /blob.bin\n');
    // random bytes do not compress: the layer stays ~3 MiB and its upload takes a while
    writeFileSync(join(ws, 'app', 'blob.bin'), randomBytes(3 * 1024 * 1024));
    proxy.setRules([
      {
        method: 'PATCH',
        path: /\/blobs\/uploads\//,
        times: Infinity,
        fault: { kind: 'slow', bytesPerSecond: 32 * 1024 },
      },
    ]);
    const run = await cancelWhen(
      (onStart) =>
        runAction(
          'build-push-image',
          {
            image: `${proxy.host}/acme/cancel`,
            context: 'app',
            tags: 'v1, v1-extra',
            builder: 'buildah',
            'promote-tag': 'latest',
            'insecure-registry': 'true',
          },
          { onStart, workspace: ws, timeoutMs: 180_000 },
        ),
      () => proxy.calls.some((c) => c.fault === 'slow'),
      'a blob upload under way',
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^cancelled by SIGINT: stopped before the next tag move; the push was not confirmed; tags now: v1 -> absent, v1-extra -> absent, latest -> sha256:[a-f0-9]{64}; the promotion did not start$/,
      ),
    ]);
    expect(run.errors[0]).toContain(`latest -> ${old.digest}`);
    expect(run.stdout).toContain('buildah push was stopped: the run was cancelled');
    expect(run.summary).toContain('Cancelled');
    // the registry itself: nothing tagged, latest untouched
    expect(await direct.resolve('acme/cancel', 'v1')).toBeUndefined();
    expect(await direct.resolve('acme/cancel', 'v1-extra')).toBeUndefined();
    expect((await direct.resolve('acme/cancel', 'latest'))?.digest).toBe(old.digest);
    expect(run.outputs.promoted ?? '').not.toBe('true');
  });

  test("SIGINT after the push, before the other tags: buildah's tag stays, nothing else moves", async () => {
    const old = await pushTinyImage(direct, 'acme/late', 'old');
    await direct.putManifest(
      'acme/late',
      'latest',
      (await direct.getManifest('acme/late', 'old'))!,
    );
    const ws = scratchDir('rb-bpi-cancel-');
    mkdirSync(join(ws, 'app'));
    writeFileSync(join(ws, 'app', 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    writeFileSync(join(ws, 'app', 'hello.txt'), `hello ${Math.random()}\n`);
    // the action's own client (not buildah) is told to come back in 30 s: it is waiting when the signal comes
    proxy.setRules([
      {
        method: 'GET',
        path: /\/manifests\//,
        userAgent: /^runbook-actions/,
        times: Infinity,
        fault: { kind: 'status', status: 503, retryAfter: '30' },
      },
    ]);
    const run = await cancelWhen(
      (onStart) =>
        runAction(
          'build-push-image',
          {
            image: `${proxy.host}/acme/late`,
            context: 'app',
            tags: 'v1, v1-extra',
            builder: 'buildah',
            'promote-tag': 'latest',
            'insecure-registry': 'true',
          },
          { onStart, workspace: ws, timeoutMs: 180_000 },
        ),
      () => proxy.calls.some((c) => c.fault === '503'),
      'the client waiting on a Retry-After',
    );
    expect(run.exitCode).toBe(1);
    const pushed = (await direct.resolve('acme/late', 'v1'))?.digest;
    expect(pushed).toMatch(/^sha256:/);
    expect(run.errors).toEqual([
      `cancelled by SIGINT: stopped before the next tag move; the push was not confirmed; tags now: v1 -> ${pushed}, v1-extra -> absent, latest -> ${old.digest}; the promotion did not start`,
    ]);
    expect(run.stdout).toMatch(/retry 1\/4 in 30\.0s/);
    expect(await direct.resolve('acme/late', 'v1-extra')).toBeUndefined();
    expect((await direct.resolve('acme/late', 'latest'))?.digest).toBe(old.digest);
  });
});
