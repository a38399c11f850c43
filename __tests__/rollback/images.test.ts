import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../../src/image/registry-client.js';
import { promote } from '../../src/image/promote.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';
import { pushTinyImage } from '../build-push-image/support/images.js';
import { scratchDir } from '../support/run-action.js';
import { expectFailure, expectOk, rollback, rolledBack } from './helpers.js';

/**
 * A release of two images (backend + frontend) rolled back in one step with the `images`
 * input, against a real registry (with a login, so no secret may leak).
 */

const USER = 'deployer';
const PASSWORD = 'im@ges/r0ll#back';

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

const latest = async (repo: string): Promise<string | undefined> =>
  (await client.resolve(repo, 'latest'))?.digest;

/** Two builds of `repo` promoted one after the other (latest -> 2nd, previous -> 1st). */
async function promotedTwice(repo: string): Promise<[string, string]> {
  const digests: string[] = [];
  for (const n of [1, 2]) {
    const pushed = await pushTinyImage(client, repo, `build-${n}`);
    await promote(client, {
      repository: repo,
      digest: pushed.digest,
      tag: 'latest',
      previousTag: 'previous',
    });
    digests.push(pushed.digest);
  }
  expect(await latest(repo)).toBe(digests[1]);
  return [digests[0], digests[1]];
}

/** A release of backend + frontend under `prefix`, each promoted twice. */
async function release(prefix: string) {
  const [backendOld, backendNew] = await promotedTwice(`${prefix}/backend`);
  const [frontendOld, frontendNew] = await promotedTwice(`${prefix}/frontend`);
  const backend = `${registry.host}/${prefix}/backend`;
  const frontend = `${registry.host}/${prefix}/frontend`;
  return { backend, frontend, backendOld, backendNew, frontendOld, frontendNew };
}

function envFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\0')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

describe('rollback images: a release of several images', () => {
  test('every tag goes back to its previous digest, then deploy-command runs once with every reference', async () => {
    const r = await release('two');
    const run = await rollback(
      {
        targets: 'image',
        images: JSON.stringify([
          { name: 'backend', image: r.backend },
          { name: 'frontend', image: r.frontend },
        ]),
        ...login,
        // the environment, NUL-separated (a value could hold a newline); a counter of runs
        'deploy-command': 'env -0 > deploy-env; echo run >> deploy-runs',
      },
      [PASSWORD],
    );
    expectOk(run);
    expect(await latest('two/backend')).toBe(r.backendOld);
    expect(await latest('two/frontend')).toBe(r.frontendOld);
    expect(readFileSync(join(run.workspace, 'deploy-runs'), 'utf8')).toBe('run\n');
    const env = envFile(join(run.workspace, 'deploy-env'));
    const backendRef = `${r.backend}@${r.backendOld}`;
    const frontendRef = `${r.frontend}@${r.frontendOld}`;
    expect(env.RUNBOOK_IMAGE_REF).toBe(backendRef);
    expect(JSON.parse(env.RUNBOOK_IMAGE_REFS)).toEqual({
      backend: backendRef,
      frontend: frontendRef,
    });
    expect(env.RUNBOOK_IMAGE_REF_BACKEND).toBe(backendRef);
    expect(env.RUNBOOK_IMAGE_REF_FRONTEND).toBe(frontendRef);
    // the step's inputs (the registry password among them) are not in the command's environment
    expect(Object.keys(env).filter((k) => k.startsWith('INPUT_'))).toEqual([]);

    expect(rolledBack(run)).toEqual(['image']);
    expect(run.outputs['image-digest']).toBe(r.backendOld);
    expect(JSON.parse(run.outputs['image-digests'])).toEqual({
      backend: r.backendOld,
      frontend: r.frontendOld,
    });
    // the tags moved in list order, then the command
    const backendLine = run.stdout.indexOf(`${r.backend}:latest -> ${r.backendOld}`);
    const frontendLine = run.stdout.indexOf(`${r.frontend}:latest -> ${r.frontendOld}`);
    expect(backendLine).toBeGreaterThan(-1);
    expect(frontendLine).toBeGreaterThan(backendLine);
    expect(run.stdout.indexOf('running deploy-command')).toBeGreaterThan(frontendLine);
    // one summary line per image: from the digest running before to the one restored
    expect(run.summary).toMatch(
      new RegExp(`backend.*${r.backend}:latest.*${r.backendNew}.*${r.backendOld}.*moved`),
    );
    expect(run.summary).toMatch(
      new RegExp(`frontend.*${r.frontend}:latest.*${r.frontendNew}.*${r.frontendOld}.*moved`),
    );
  });

  test('an entry with its own to-digest goes there; the other to its previous tag', async () => {
    const r = await release('pick');
    const third = await pushTinyImage(client, 'pick/frontend', 'build-3');
    const run = await rollback(
      {
        targets: 'image',
        images: JSON.stringify([
          { name: 'backend', image: r.backend },
          { name: 'frontend', image: r.frontend, 'to-digest': third.digest },
        ]),
        ...login,
      },
      [PASSWORD],
    );
    expectOk(run);
    expect(await latest('pick/backend')).toBe(r.backendOld);
    expect(await latest('pick/frontend')).toBe(third.digest);
    expect(JSON.parse(run.outputs['image-digests'])).toEqual({
      backend: r.backendOld,
      frontend: third.digest,
    });
    expect(run.stdout).toMatch(
      new RegExp(`frontend: ${r.frontend}:latest from .* \\(to-digest\\)`),
    );
  });

  test('one entry with nothing to go back to: one error naming it, no tag moved', async () => {
    const r = await release('half');
    const solo = await pushTinyImage(client, 'half/worker', 'latest');
    const run = await rollback(
      {
        targets: 'image',
        images: JSON.stringify([
          { name: 'backend', image: r.backend },
          { name: 'frontend', image: r.frontend },
          { name: 'worker', image: `${registry.host}/half/worker` },
        ]),
        ...login,
        'deploy-command': 'touch deployed',
      },
      [PASSWORD],
    );
    expectFailure(
      run,
      /images 'worker'/,
      /half\/worker:previous does not exist/,
      /give this entry of images a to-digest/,
    );
    // planned before anything moved: the entries listed first are unchanged too
    expect(await latest('half/backend')).toBe(r.backendNew);
    expect(await latest('half/frontend')).toBe(r.frontendNew);
    expect(await latest('half/worker')).toBe(solo.digest);
    expect(rolledBack(run)).toEqual([]);
    expect(run.outputs['image-digests'] ?? '').toBe('');
  });

  test('a to-digest that is not in the registry: the entry is named, nothing moved', async () => {
    const r = await release('gone');
    const missing = `sha256:${'e'.repeat(64)}`;
    const run = await rollback(
      {
        targets: 'image',
        images: JSON.stringify([
          { name: 'backend', image: r.backend },
          { name: 'frontend', image: r.frontend, 'to-digest': missing },
        ]),
        ...login,
      },
      [PASSWORD],
    );
    expectFailure(run, new RegExp(`images 'frontend': .*gone/frontend@${missing} does not exist`));
    expect(await latest('gone/backend')).toBe(r.backendNew);
    expect(await latest('gone/frontend')).toBe(r.frontendNew);
  });

  test('dry-run plans every image and moves nothing', async () => {
    const r = await release('dry');
    const run = await rollback(
      {
        targets: 'image',
        images: JSON.stringify([
          { name: 'backend', image: r.backend },
          { name: 'frontend', image: r.frontend },
        ]),
        'dry-run': 'true',
        'deploy-command': 'touch deployed',
        ...login,
      },
      [PASSWORD],
    );
    expectOk(run);
    expect(await latest('dry/backend')).toBe(r.backendNew);
    expect(await latest('dry/frontend')).toBe(r.frontendNew);
    expect(rolledBack(run)).toEqual([]);
    expect(run.outputs['image-digest']).toBe(r.backendOld);
    expect(JSON.parse(run.outputs['image-digests'])).toEqual({
      backend: r.backendOld,
      frontend: r.frontendOld,
    });
    const plan = run.stdout.split('\n').find((l) => l.startsWith('plan: image:')) ?? '';
    expect(plan).toContain(`backend: ${r.backend}:latest from ${r.backendNew} to ${r.backendOld}`);
    expect(plan).toContain(
      `frontend: ${r.frontend}:latest from ${r.frontendNew} to ${r.frontendOld}`,
    );
    expect(plan).toContain('then run deploy-command');
    expect(run.summary).toMatch(/backend.*planned \(dry run\)/);
    expect(run.summary).toMatch(/frontend.*planned \(dry run\)/);
    expect(run.stdout).toContain('dry-run: nothing was changed');
  });
});

describe('rollback images: faults', () => {
  test('a registry that refuses the move of the second image: the error names it and what already went back', async () => {
    const r = await release('fault');
    // the frontend lives on a second registry, read-only once its images are promoted
    const storage = scratchDir('rb-readonly-');
    const storageConfig = { storage: { filesystem: { rootdirectory: storage } } };
    const writable = await startRegistry({ config: storageConfig });
    const other = new RegistryClient({ registry: writable.host, insecure: true, push: true });
    const front: string[] = [];
    for (const n of [1, 2]) {
      const pushed = await pushTinyImage(other, 'fault/frontend', `build-${n}`);
      await promote(other, {
        repository: 'fault/frontend',
        digest: pushed.digest,
        tag: 'latest',
        previousTag: 'previous',
      });
      front.push(pushed.digest);
    }
    await writable.stop();
    const readOnly = await startRegistry({
      config: {
        ...storageConfig,
        storage: { ...storageConfig.storage, maintenance: { readonly: { enabled: true } } },
      },
    });
    try {
      const run = await rollback(
        {
          targets: 'image',
          images: JSON.stringify([
            { name: 'backend', image: r.backend },
            { name: 'frontend', image: `${readOnly.host}/fault/frontend` },
          ]),
          ...login,
          'deploy-command': 'touch deployed',
        },
        [PASSWORD],
      );
      expectFailure(run, /^images 'frontend': /, /\(already moved back: backend\)/);
      // the first tag went back and is reported; the deploy command did not run
      expect(await latest('fault/backend')).toBe(r.backendOld);
      expect(JSON.parse(run.outputs['image-digests'])).toEqual({ backend: r.backendOld });
      expect(run.outputs['image-digest']).toBe(r.backendOld);
      expect(rolledBack(run)).toEqual([]);
      expect(existsSync(join(run.workspace, 'deployed'))).toBe(false);
      const readBack = new RegistryClient({ registry: readOnly.host, insecure: true });
      expect((await readBack.resolve('fault/frontend', 'latest'))?.digest).toBe(front[1]);
    } finally {
      await readOnly.stop();
    }
  });

  test('SIGTERM during the deploy command: the image part is finished, every tag back', async () => {
    const r = await release('cancel');
    let pid = 0;
    const workspace = scratchDir('rb-images-cancel-');
    const running = rollback(
      {
        targets: 'image',
        images: JSON.stringify([
          { name: 'backend', image: r.backend },
          { name: 'frontend', image: r.frontend },
        ]),
        ...login,
        // waits for the test to have sent the signal, then finishes
        'deploy-command':
          'touch started; while [ ! -e signalled ]; do sleep 0.05; done; touch finished',
      },
      [PASSWORD],
      { workspace, onStart: (p) => (pid = p) },
    );
    while (!existsSync(join(workspace, 'started'))) await new Promise((ok) => setTimeout(ok, 50));
    process.kill(pid, 'SIGTERM');
    // let the action handle the signal before the command is let go (not a timing assertion)
    await new Promise((ok) => setTimeout(ok, 300));
    writeFileSync(join(workspace, 'signalled'), '');
    const run = await running;
    expect(existsSync(join(workspace, 'finished'))).toBe(true);
    expect(await latest('cancel/backend')).toBe(r.backendOld);
    expect(await latest('cancel/frontend')).toBe(r.frontendOld);
    expect(run.outputs.cancelled).toBe('true');
    expect(rolledBack(run)).toEqual(['image']);
    expect(run.stdout).toMatch(/SIGTERM: cancelling — finishing the image part/);
  });
});

describe('rollback images: bad inputs, one line each, nothing moved', () => {
  const entry = (name: string, image: string, extra: Record<string, string> = {}) => ({
    name,
    image,
    ...extra,
  });
  test.each([
    [
      'images and image',
      (b: string, f: string) => ({
        images: JSON.stringify([entry('backend', b), entry('frontend', f)]),
        image: b,
      }),
      /^Input 'images': and image are both set/,
    ],
    [
      'images and to-digest',
      (b: string, f: string) => ({
        images: JSON.stringify([entry('backend', b), entry('frontend', f)]),
        'to-digest': `sha256:${'a'.repeat(64)}`,
      }),
      /^Input 'to-digest': must be empty with images/,
    ],
    ['not JSON', () => ({ images: '[{name: backend}]' }), /^Input 'images': is not JSON/],
    [
      'a name twice',
      (b: string) => ({
        images: JSON.stringify([entry('backend', b), entry('backend', `${b}-2`)]),
      }),
      /^Input 'images': 'backend' is listed twice/,
    ],
    [
      'a bad per-entry to-digest',
      (b: string, f: string) => ({
        images: JSON.stringify([entry('backend', b), entry('frontend', f, { 'to-digest': 'v2' })]),
      }),
      /^Input 'images': 'frontend': to-digest "v2" is not sha256:/,
    ],
    [
      'an unknown field',
      (b: string) => ({ images: JSON.stringify([entry('backend', b, { digets: 'x' })]) }),
      /^Input 'images': entry 1: field 'digets' is unknown/,
    ],
  ])('%s', async (_label, inputs, message) => {
    const r = await release(`bad${Math.floor(Math.random() * 1e9)}`);
    const run = await rollback(
      {
        targets: 'image',
        ...login,
        'deploy-command': 'touch deployed',
        ...inputs(r.backend, r.frontend),
      },
      [PASSWORD],
    );
    expectFailure(run, message);
    const prefix = r.backend.slice(registry.host.length + 1, -'/backend'.length);
    expect(await latest(`${prefix}/backend`)).toBe(r.backendNew);
    expect(await latest(`${prefix}/frontend`)).toBe(r.frontendNew);
    expect(rolledBack(run)).toEqual([]);
  });
});
