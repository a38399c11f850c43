import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../../src/image/registry-client.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';
import { pushTinyImage } from '../build-push-image/support/images.js';
import { expectFailure, expectOk, rollback, rolledBack, runChecked } from './helpers.js';

const USER = 'deployer';
const PASSWORD = 'r0ll:b@ck/p#ss';

let registry: RegistryServer;
let client: RegistryClient;
beforeAll(async () => {
  registry = await startRegistry({ htpasswd: { [USER]: PASSWORD } });
  client = new RegistryClient({
    registry: registry.host,
    insecure: true,
    push: true,
    credentials: { username: USER, password: PASSWORD, source: 'test' },
  });
});
afterAll(async () => {
  await registry?.stop();
});

const login = {
  'registry-username': USER,
  'registry-password': PASSWORD,
  'insecure-registry': 'true',
};

/** Two builds promoted one after the other with the build-push-image bundle. */
async function promotedTwice(repo: string): Promise<[string, string]> {
  const digests: string[] = [];
  for (const n of [1, 2]) {
    const pushed = await pushTinyImage(client, repo, `build-${n}`);
    const run = await runChecked(
      'build-push-image',
      {
        image: `${registry.host}/${repo}`,
        digest: pushed.digest,
        'promote-tag': 'latest',
        ...login,
      },
      [PASSWORD],
    );
    expectOk(run);
    digests.push(pushed.digest);
  }
  expect((await client.resolve(repo, 'latest'))?.digest).toBe(digests[1]);
  expect((await client.resolve(repo, 'previous'))?.digest).toBe(digests[0]);
  return [digests[0], digests[1]];
}

describe('image rollback', () => {
  test('latest goes back to the previous digest, then deploy-command runs with RUNBOOK_IMAGE_REF', async () => {
    const [first, second] = await promotedTwice('acme/shop');
    const image = `${registry.host}/acme/shop`;
    const run = await rollback(
      {
        targets: 'image',
        image,
        ...login,
        'deploy-command':
          'echo "deploying $RUNBOOK_IMAGE_REF"; printf %s "$RUNBOOK_IMAGE_REF" > deployed.txt; (env | grep "^INPUT_" || true) > inputs.txt',
      },
      [PASSWORD],
    );
    expectOk(run);
    expect((await client.resolve('acme/shop', 'latest'))?.digest).toBe(first);
    // previous is left alone: it still names the image now running
    expect((await client.resolve('acme/shop', 'previous'))?.digest).toBe(first);
    expect(readFileSync(join(run.workspace, 'deployed.txt'), 'utf8')).toBe(`${image}@${first}`);
    expect(run.stdout).toContain(`deploying ${image}@${first}`);
    // the step's inputs (the registry password among them) are not in the command's environment
    expect(readFileSync(join(run.workspace, 'inputs.txt'), 'utf8')).toBe('');
    expect(rolledBack(run)).toEqual(['image']);
    expect(run.outputs['image-digest']).toBe(first);
    expect(Number(run.outputs['duration-ms'])).toBeGreaterThanOrEqual(0);
    expect(run.summary).toContain(first);
    expect(run.summary).toContain(second);
  });

  test('to-digest picks the digest; dry-run moves nothing; a failing deploy-command fails the step after the tag moved', async () => {
    const [first, second] = await promotedTwice('acme/api');
    const third = await pushTinyImage(client, 'acme/api', 'build-3');
    const image = `${registry.host}/acme/api`;

    const dry = await rollback(
      {
        targets: 'image',
        image,
        'to-digest': third.digest,
        'dry-run': 'true',
        'deploy-command': 'touch ran',
        ...login,
      },
      [PASSWORD],
    );
    expectOk(dry);
    expect((await client.resolve('acme/api', 'latest'))?.digest).toBe(second);
    expect(rolledBack(dry)).toEqual([]);
    expect(dry.outputs['image-digest']).toBe(third.digest);
    expect(dry.stdout).toContain('dry-run: nothing was changed');

    const run = await rollback(
      {
        targets: 'image',
        image,
        'to-digest': third.digest,
        'deploy-command': 'echo boom >&2; exit 3',
        ...login,
      },
      [PASSWORD],
    );
    expectFailure(run, /deploy-command/, /exit(ed)? .*3|code 3/);
    expect((await client.resolve('acme/api', 'latest'))?.digest).toBe(third.digest);
    expect(run.outputs['image-digest']).toBe(third.digest);
    expect(rolledBack(run)).toEqual([]);
    expect(first).not.toBe(third.digest);
  });

  test('no previous tag: a clear error, nothing moved; a wrong password: no secret anywhere', async () => {
    const pushed = await pushTinyImage(client, 'acme/solo', 'latest');
    const image = `${registry.host}/acme/solo`;
    const run = await rollback({ targets: 'image', image, ...login }, [PASSWORD]);
    expectFailure(run, /acme\/solo:previous does not exist/);
    expect((await client.resolve('acme/solo', 'latest'))?.digest).toBe(pushed.digest);

    const wrong = `${PASSWORD}-wrong`;
    const denied = await rollback(
      { targets: 'image', image, ...login, 'registry-password': wrong },
      [PASSWORD, wrong],
    );
    expectFailure(denied, /401|unauthori[sz]ed|denied|credentials|authentication/i);
  });
});
