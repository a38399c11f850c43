import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../../src/image/registry-client.js';
import type { ReleaseRecord } from '../../src/runbook/record.js';
import { pushTinyImage } from '../build-push-image/support/images.js';
import { scratchDir } from '../support/run-action.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';
import { runCli } from './shop.js';

/** An image release through the CLI against a real registry: promote, then roll back by digest. */

let registry: RegistryServer;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

test('a failed image release moves the tag back and re-runs deploy with the previous image', async () => {
  const client = new RegistryClient({ registry: registry.host, insecure: true });
  const repo = 'shop';
  const one = await pushTinyImage(client, repo, 'build-1');
  const two = await pushTinyImage(client, repo, 'build-2');
  const ws = scratchDir('runbook-image-');
  writeFileSync(
    join(ws, 'runbook.yml'),
    `image: { name: ${registry.host}/${repo}, promote-tag: live, previous-tag: previous, insecure: true }
deploy: echo "$RUNBOOK_REF $RUNBOOK_IMAGE_REF \${RUNBOOK_ROLLBACK:-no}" >> deploys.log
hooks:
  after-deploy: test "$RUNBOOK_REF" != build-2
`,
  );
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('GITHUB_')) env[k] = v;
  delete env.NODE_OPTIONS;

  const first = await runCli(['release', '--ref', 'build-1', '--json'], env, ws);
  expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
  expect((await client.resolve(repo, 'live'))?.digest).toBe(one.digest);

  const second = await runCli(['release', '--ref', 'build-2', '--json'], env, ws);
  expect(second.code).toBe(1);
  const record = second.result?.record as ReleaseRecord;
  expect(record).toMatchObject({
    status: 'rolled-back',
    failedStage: 'deploy',
    previousRef: 'build-1',
    imageRef: `${registry.host}/${repo}@${two.digest}`,
    previousImageDigest: one.digest,
  });
  expect((await client.resolve(repo, 'live'))?.digest).toBe(one.digest);
  expect((await client.resolve(repo, 'previous'))?.digest).toBe(one.digest);
  expect(readFileSync(join(ws, 'deploys.log'), 'utf8').trim().split('\n')).toEqual([
    `build-1 ${registry.host}/${repo}@${one.digest} no`,
    `build-2 ${registry.host}/${repo}@${two.digest} no`,
    `build-1 ${registry.host}/${repo}@${one.digest} true`,
  ]);
});
