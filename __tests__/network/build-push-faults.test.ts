import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../../src/image/registry-client.js';
import { pushTinyImage } from '../build-push-image/support/images.js';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../support/fault-proxy.js';
import { describeRun, runAction, scratchDir, type ActionRun } from '../support/run-action.js';
import { ensureService, runTool } from '../support/services/common.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';

/**
 * A real buildah build and push behind the fault proxy. buildah pushes the first tag itself;
 * the action's own client (User-Agent runbook-actions) reads the result back and writes the
 * other tags and the promotion: that is where the faults go.
 */
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
  const out = await runTool('buildah', ['images', '--format', '{{.ID}} {{.Name}}']).catch(() => '');
  const ids = out
    .split('\n')
    .filter((l) => proxy && l.includes(` ${proxy.host}/`))
    .map((l) => l.split(' ')[0]);
  if (ids.length > 0) await runTool('buildah', ['rmi', '-f', ...new Set(ids)]).catch(() => '');
  await proxy?.stop();
  await registry?.stop();
});

const OURS = /^runbook-actions/;
const MANIFESTS = /\/manifests\//;

async function buildPush(
  repo: string,
  rules: FaultRule[],
  env: Record<string, string>,
): Promise<ActionRun> {
  const ws = scratchDir('rb-bpi-faults-');
  mkdirSync(join(ws, 'app'));
  writeFileSync(join(ws, 'app', 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  writeFileSync(join(ws, 'app', 'hello.txt'), `hello ${Math.random()}\n`);
  proxy.setRules(rules);
  return runAction(
    'build-push-image',
    {
      image: `${proxy.host}/${repo}`,
      context: 'app',
      tags: 'v1, v2',
      builder: 'buildah',
      'promote-tag': 'latest',
      'insecure-registry': 'true',
    },
    { workspace: ws, env: { RUNBOOK_RETRY_BASE_DELAY: '10ms', ...env }, timeoutMs: 180_000 },
  );
}

describe('build-push-image (buildah) through a flaky registry', () => {
  test('503s on the reads and the tag writes: pushed, tagged and promoted, retries in the log', async () => {
    const old = await pushTinyImage(direct, 'acme/flaky', 'old');
    await direct.putManifest(
      'acme/flaky',
      'latest',
      (await direct.getManifest('acme/flaky', 'old'))!,
    );
    const run = await buildPush(
      'acme/flaky',
      [
        {
          method: 'GET',
          path: MANIFESTS,
          userAgent: OURS,
          times: 2,
          fault: { kind: 'status', status: 503 },
        },
        {
          method: 'PUT',
          path: MANIFESTS,
          userAgent: OURS,
          times: 1,
          fault: { kind: 'status', status: 504 },
        },
      ],
      {},
    );
    if (run.exitCode !== 0) throw new Error(describeRun(run));
    const digest = run.outputs.digest;
    for (const tag of ['v1', 'v2', 'latest'])
      expect((await direct.resolve('acme/flaky', tag))?.digest).toBe(digest);
    expect((await direct.resolve('acme/flaky', 'previous'))?.digest).toBe(old.digest);
    expect(run.stdout).toMatch(
      /registry: 503 Service Unavailable on GET \/v2\/acme\/flaky\/manifests\/v1; retry 1\/4 in \d+ms/,
    );
    expect(run.stdout).toMatch(
      /registry: 503 Service Unavailable on GET \/v2\/acme\/flaky\/manifests\/v1; retry 2\/4 in \d+ms/,
    );
    expect(run.stdout).toMatch(
      /registry: 504 Gateway Timeout on PUT \/v2\/acme\/flaky\/manifests\/v2; retry 1\/4 in \d+ms/,
    );
  });

  test('after the retry budget: one clear error, only the tag buildah pushed exists, latest unmoved', async () => {
    const old = await pushTinyImage(direct, 'acme/down', 'old');
    await direct.putManifest(
      'acme/down',
      'latest',
      (await direct.getManifest('acme/down', 'old'))!,
    );
    const run = await buildPush(
      'acme/down',
      [
        {
          method: 'PUT',
          path: MANIFESTS,
          userAgent: OURS,
          times: Infinity,
          fault: { kind: 'status', status: 503 },
        },
      ],
      { RUNBOOK_RETRY_ATTEMPTS: '3' },
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^writing acme\/down:v2 failed: registry 127\.0\.0\.1:\d+ answered HTTP 503.*, after 3 attempts\.$/,
      ),
    ]);
    // v1 is buildah's own push: its manifest is complete in the registry
    const v1 = await direct.resolve('acme/down', 'v1');
    expect(v1?.digest).toMatch(/^sha256:/);
    expect(await direct.getImageConfig('acme/down', v1!.digest)).toBeDefined();
    expect(await direct.resolve('acme/down', 'v2')).toBeUndefined();
    expect((await direct.resolve('acme/down', 'latest'))?.digest).toBe(old.digest);
    expect(await direct.resolve('acme/down', 'previous')).toBeUndefined();
  });
});
