import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promote } from '../../src/image/promote.js';
import { RegistryClient } from '../../src/image/registry-client.js';
import { pushTinyImage } from '../build-push-image/support/images.js';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';
import { describeRun, runAction, type ActionRun } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';

/**
 * Releases of several images (backend + frontend) recorded as GitHub deployments whose
 * payloads carry `images`; rollback from-deployment moves every image back at once, against
 * a real registry and the real Octokit talking to the REST stand-in.
 */

const TOKEN = 'ghs_imagesRollbackToken0123456789abcdefXYZ';
const sha = (c: string): string => c.repeat(40);

let gh: GitHubServer;
let registry: RegistryServer;
let client: RegistryClient;
beforeAll(async () => {
  gh = await startGitHubServer({ token: TOKEN });
  registry = await startRegistry();
  client = new RegistryClient({ registry: registry.host, insecure: true, push: true });
});
afterAll(async () => {
  await gh?.stop();
  await registry?.stop();
});
beforeEach(() => {
  gh.state.deployments = [];
});

async function run(inputs: Record<string, string>): Promise<ActionRun> {
  const r = await runAction('rollback', inputs, { env: gh.env, timeoutMs: 120_000 });
  expectNoSecret(r, [TOKEN]);
  return r;
}

const latest = async (repo: string): Promise<string | undefined> =>
  (await client.resolve(repo, 'latest'))?.digest;

/** Three builds of `repo`, each promoted in turn (latest ends on the third). */
async function releases(repo: string, count = 3): Promise<string[]> {
  const digests: string[] = [];
  for (let n = 1; n <= count; n++) {
    const pushed = await pushTinyImage(client, repo, `build-${n}`);
    await promote(client, {
      repository: repo,
      digest: pushed.digest,
      tag: 'latest',
      previousTag: 'previous',
    });
    digests.push(pushed.digest);
  }
  return digests;
}

const entry = (name: string, image: string, digest: string, previous?: string) => ({
  name,
  image,
  digest,
  ...(previous ? { 'previous-digest': previous } : {}),
});

/** The payload the deploy workflow writes: images, plus the single keys of the first image. */
function payload(images: Array<ReturnType<typeof entry>>, extra: Record<string, string> = {}) {
  return {
    images,
    image: images[0].image,
    digest: images[0].digest,
    ...(images[0]['previous-digest'] ? { 'previous-digest': images[0]['previous-digest'] } : {}),
    ...extra,
  };
}

function envFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\0')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

const rollbackInputs = {
  targets: 'image',
  'from-deployment': 'last-success',
  environment: 'production',
  'github-token': TOKEN,
  'insecure-registry': 'true',
  'deploy-command': 'env -0 > deploy-env',
};

describe('rollback from-deployment of a release of several images', () => {
  test('last-success moves every image back and records the rollback', async () => {
    const backend = `${registry.host}/multi/backend`;
    const frontend = `${registry.host}/multi/frontend`;
    const b = await releases('multi/backend');
    const f = await releases('multi/frontend');
    const s = gh.state;
    s.addDeployment(
      {
        environment: 'production',
        sha: sha('1'),
        payload: payload([entry('backend', backend, b[0]), entry('frontend', frontend, f[0])]),
      },
      ['success', 'inactive'],
    );
    const d2 = s.addDeployment(
      {
        environment: 'production',
        sha: sha('2'),
        payload: payload(
          [entry('backend', backend, b[1], b[0]), entry('frontend', frontend, f[1], f[0])],
          { 'run-id': '200' },
        ),
      },
      ['in_progress', 'success'],
    );
    const d3 = s.addDeployment(
      {
        environment: 'production',
        sha: sha('3'),
        payload: payload(
          [entry('backend', backend, b[2], b[1]), entry('frontend', frontend, f[2], f[1])],
          { 'run-id': '201' },
        ),
      },
      ['in_progress', 'failure'],
    );

    const r = await run(rollbackInputs);
    if (r.exitCode !== 0) throw new Error(describeRun(r));
    expect(await latest('multi/backend')).toBe(b[1]);
    expect(await latest('multi/frontend')).toBe(f[1]);
    expect(r.stdout).toMatch(/filled images(?!, image)/);
    expect(r.stdout).not.toMatch(/filled .*to-digest/);
    const env = envFile(join(r.workspace, 'deploy-env'));
    expect(JSON.parse(env.RUNBOOK_IMAGE_REFS)).toEqual({
      backend: `${backend}@${b[1]}`,
      frontend: `${frontend}@${f[1]}`,
    });
    expect(env.RUNBOOK_IMAGE_REF_FRONTEND).toBe(`${frontend}@${f[1]}`);
    expect(JSON.parse(r.outputs['image-digests'])).toEqual({ backend: b[1], frontend: f[1] });
    expect(r.stdout).not.toContain('::warning::');

    // the record: the bad deployment failed, the good one (with its images) restored
    expect(d3.statuses.at(-1)).toMatchObject({
      state: 'failure',
      description: expect.stringContaining(`(image) to deployment ${d2.id}`),
    });
    const restored = gh.state.deployments.at(-1);
    expect(restored?.sha).toBe(sha('2'));
    expect(restored?.payload).toEqual({
      ...(d2.payload as object),
      'rolled-back-from': String(d3.id),
      'run-id': '4242',
    });
    expect(Array.isArray((restored?.payload as { images: unknown }).images)).toBe(true);
    expect(restored?.statuses.map((x) => x.state)).toEqual(['success']);
  });

  test('a release that added an image: a warning names it, the others go back', async () => {
    const backend = `${registry.host}/added/backend`;
    const frontend = `${registry.host}/added/frontend`;
    const worker = `${registry.host}/added/worker`;
    const b = await releases('added/backend', 2);
    const f = await releases('added/frontend', 2);
    const [w] = await releases('added/worker', 1);
    const s = gh.state;
    const good = s.addDeployment(
      {
        environment: 'production',
        sha: sha('4'),
        payload: payload([entry('backend', backend, b[0]), entry('frontend', frontend, f[0])]),
      },
      ['success'],
    );
    const bad = s.addDeployment(
      {
        environment: 'production',
        sha: sha('5'),
        payload: payload([
          entry('backend', backend, b[1], b[0]),
          entry('worker', worker, w),
          entry('frontend', frontend, f[1], f[0]),
        ]),
      },
      ['failure'],
    );
    const r = await run(rollbackInputs);
    if (r.exitCode !== 0) throw new Error(describeRun(r));
    expect(r.stdout).toMatch(
      new RegExp(
        `::warning::images 'worker' of deployment ${bad.id}: deployment ${good.id} has no digest for it .*left as deployed`,
      ),
    );
    expect(await latest('added/backend')).toBe(b[0]);
    expect(await latest('added/frontend')).toBe(f[0]);
    expect(await latest('added/worker')).toBe(w);
    expect(JSON.parse(r.outputs['image-digests'])).toEqual({ backend: b[0], frontend: f[0] });
    expect(Object.keys(envFile(join(r.workspace, 'deploy-env')))).not.toContain(
      'RUNBOOK_IMAGE_REF_WORKER',
    );
  });

  test('the good release was recorded before images existed: its single image and the next previous-digest are used', async () => {
    const backend = `${registry.host}/legacy/backend`;
    const frontend = `${registry.host}/legacy/frontend`;
    const b = await releases('legacy/backend', 2);
    const f = await releases('legacy/frontend', 2);
    const s = gh.state;
    s.addDeployment(
      { environment: 'production', sha: sha('6'), payload: { image: backend, digest: b[0] } },
      ['success'],
    );
    s.addDeployment(
      {
        environment: 'production',
        sha: sha('7'),
        payload: payload([
          entry('backend', backend, b[1], b[0]),
          entry('frontend', frontend, f[1], f[0]),
        ]),
      },
      ['failure'],
    );
    const r = await run(rollbackInputs);
    if (r.exitCode !== 0) throw new Error(describeRun(r));
    expect(await latest('legacy/backend')).toBe(b[0]);
    expect(await latest('legacy/frontend')).toBe(f[0]);
  });

  test('an image given by hand wins: images is not filled, the single keys are used as before', async () => {
    const backend = `${registry.host}/hand/backend`;
    const frontend = `${registry.host}/hand/frontend`;
    const b = await releases('hand/backend', 2);
    const f = await releases('hand/frontend', 2);
    const s = gh.state;
    s.addDeployment(
      {
        environment: 'production',
        sha: sha('8'),
        payload: payload([entry('backend', backend, b[0]), entry('frontend', frontend, f[0])]),
      },
      ['success'],
    );
    s.addDeployment(
      {
        environment: 'production',
        sha: sha('9'),
        payload: payload([
          entry('backend', backend, b[1], b[0]),
          entry('frontend', frontend, f[1], f[0]),
        ]),
      },
      ['failure'],
    );
    const r = await run({ ...rollbackInputs, image: backend });
    if (r.exitCode !== 0) throw new Error(describeRun(r));
    expect(r.stdout).toMatch(/filled to-digest/);
    expect(await latest('hand/backend')).toBe(b[0]);
    expect(await latest('hand/frontend')).toBe(f[1]);
    expect(r.outputs['image-digests'] ?? '').toBe('');
  });
});
