import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../../src/image/registry-client.js';
import type { ImageManifestBody } from '../../src/image/media-types.js';
import { describeRun, runAction, type ActionRun } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';
import { ensureService, removeDir, runTool, tempDir } from '../support/services/common.js';
import { startDockerd, type DockerdServer } from '../support/services/dockerd.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';
import { writeBuildxStandin } from './support/buildx-standin.js';
import { pushTinyImage } from './support/images.js';

/** exit code 0, or a failure that shows what the action printed */
function expectOk(run: ActionRun): void {
  if (run.exitCode !== 0) throw new Error(`the action failed:\n${describeRun(run)}`);
}

const ACTION = 'build-push-image';
const SHA = 'f3c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2';

let registry: RegistryServer;
let dockerd: DockerdServer;
let client: RegistryClient;
let baseRef = '';
let baseLayer = '';
const dirs: string[] = [];
/** registries the tests pushed to: buildah's local images of them are removed at the end */
const hosts: string[] = [];

async function removeBuildahImages(): Promise<void> {
  const out = await runTool('buildah', ['images', '--format', '{{.ID}} {{.Name}}']);
  const ids = out
    .split('\n')
    .filter((line) => hosts.some((h) => line.includes(` ${h}/`)))
    .map((line) => line.split(' ')[0]);
  if (ids.length > 0) await runTool('buildah', ['rmi', '-f', ...new Set(ids)]);
}

/** A workspace with app/Dockerfile (+ a file to copy) and the given Dockerfile text. */
function workspace(dockerfile: string, content = `hello ${Math.random()}\n`): string {
  const dir = tempDir('rb-bpi-ws');
  dirs.push(dir);
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', 'Dockerfile'), dockerfile);
  writeFileSync(join(dir, 'app', 'hello.txt'), content);
  return dir;
}

const SCRATCH = [
  'FROM scratch AS runtime',
  'ARG MSG=unset',
  'COPY hello.txt /hello.txt',
  'LABEL stage=runtime msg=$MSG',
  'FROM runtime AS extra',
  'LABEL stage=extra',
  '',
].join('\n');

async function layersOf(repo: string, digest: string): Promise<string[]> {
  const m = await client.getManifest(repo, digest);
  return (JSON.parse(m!.bytes.toString('utf8')) as ImageManifestBody).layers.map((l) => l.digest);
}

async function expectPushed(run: ActionRun, repo: string, tags: string[]): Promise<string> {
  expectOk(run);
  const digest = run.outputs.digest;
  expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
  for (const tag of tags) expect((await client.resolve(repo, tag))?.digest).toBe(digest);
  expect(JSON.parse(run.outputs.tags)).toEqual(tags.map((t) => `${registry.host}/${repo}:${t}`));
  expect(run.outputs['image-ref']).toBe(`${registry.host}/${repo}@${digest}`);
  return digest;
}

beforeAll(async () => {
  ensureService('buildah');
  [registry, dockerd] = await Promise.all([startRegistry(), startDockerd()]);
  hosts.push(registry.host);
  client = new RegistryClient({ registry: registry.host, insecure: true });
  // the base image the FROM tests build on: public images cannot be pulled here
  const base = await pushTinyImage(client, 'base/tiny', '1', { format: 'docker' });
  baseRef = `${registry.host}/base/tiny:1`;
  baseLayer = (await layersOf('base/tiny', base.digest))[0];
});

afterAll(async () => {
  await removeBuildahImages();
  await Promise.all([registry?.stop(), dockerd?.stop()]);
  for (const d of dirs) await removeDir(d);
});

describe.each(['docker', 'buildah'] as const)('builder %s', (builder) => {
  const env = (): Record<string, string> => ({ ...dockerd.env });
  const repo = `acme/${builder}-web`;

  test('FROM scratch: tags, build-args, target, labels in the image config, promotion', async () => {
    const ws = workspace(SCRATCH);
    const run = await runAction(
      ACTION,
      {
        image: `${registry.host}/${repo}`,
        context: 'app',
        tags: 'v1\nsha-f3c2a9d',
        'build-args': 'MSG=hello, world',
        labels: 'team=web\norg.example.owner=ops',
        target: 'runtime',
        builder,
        'promote-tag': 'latest',
        'insecure-registry': 'true',
      },
      { workspace: ws, env: env() },
    );
    expectOk(run);
    const digest = await expectPushed(run, repo, ['v1', 'sha-f3c2a9d']);
    expect((await client.resolve(repo, 'latest'))?.digest).toBe(digest);
    expect(run.outputs.promoted).toBe('true');
    const { labels } = await client.getImageConfig(repo, digest);
    expect(labels).toMatchObject({
      stage: 'runtime',
      msg: 'hello, world',
      team: 'web',
      'org.example.owner': 'ops',
      'org.opencontainers.image.source': 'https://github.com/acme/shop',
      'org.opencontainers.image.revision': SHA,
    });
    expect(labels['org.opencontainers.image.created']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(run.summary).toContain(builder === 'docker' ? 'classic' : 'buildah');
    expect(run.summary).toContain('org.opencontainers.image.revision');
  });

  test('FROM an image the test pushed to the local registry: the base layer is reused', async () => {
    const ws = workspace(`FROM ${baseRef}\nCOPY hello.txt /app.txt\n`);
    const run = await runAction(
      ACTION,
      {
        image: `${registry.host}/${repo}-on-base`,
        context: 'app',
        builder,
        'insecure-registry': 'true',
      },
      { workspace: ws, env: env() },
    );
    expectOk(run);
    // the default tag comes from GITHUB_SHA
    const digest = await expectPushed(run, `${repo}-on-base`, ['sha-f3c2a9d']);
    const layers = await layersOf(`${repo}-on-base`, digest);
    expect(layers).toHaveLength(2);
    expect(layers[0]).toBe(baseLayer);
    expect(run.outputs.promoted).toBe('false');
  });
});

describe('more builds', () => {
  test('three builds in a row with promotion: latest is the newest, previous the one before', async () => {
    const repo = 'acme/releases';
    const digests: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const ws = workspace('FROM scratch\nCOPY hello.txt /hello.txt\n', `release ${i}\n`);
      const run = await runAction(
        ACTION,
        {
          image: `${registry.host}/${repo}`,
          context: 'app',
          tags: `r${i}`,
          'promote-tag': 'latest',
          'insecure-registry': 'true',
        },
        { workspace: ws, env: dockerd.env },
      );
      expectOk(run);
      const digest = await expectPushed(run, repo, [`r${i}`]);
      digests.push(digest);
      expect((await client.resolve(repo, 'latest'))?.digest).toBe(digest);
      expect((await client.resolve(repo, 'previous'))?.digest).toBe(
        i > 1 ? digests[i - 2] : undefined,
      );
      expect(run.outputs['previous-digest'] ?? '').toBe(i > 1 ? digests[i - 2] : '');
    }
    expect(new Set(digests).size).toBe(3);
  });

  test('push: false builds without pushing and promotes nothing', async () => {
    const ws = workspace('FROM scratch\nCOPY hello.txt /hello.txt\n');
    const run = await runAction(
      ACTION,
      {
        image: `${registry.host}/acme/local`,
        context: 'app',
        tags: 'dev',
        push: 'false',
        'insecure-registry': 'true',
      },
      { workspace: ws, env: dockerd.env },
    );
    expectOk(run);
    expect(run.outputs.digest ?? '').toBe('');
    expect(run.outputs.promoted).toBe('false');
    expect(await client.resolve('acme/local', 'dev')).toBeUndefined();
    const local = await dockerd.docker([
      'image',
      'inspect',
      '--format',
      '{{.Id}}',
      `${registry.host}/acme/local:dev`,
    ]);
    expect(local.trim()).toMatch(/^sha256:/);
  });

  test.each(['docker', 'buildah'] as const)(
    '%s pushes to a registry with the login from the inputs; the password is in no argv and no output',
    async (builder) => {
      const password = `b4sic-${builder}-Pw`;
      const secured = await startRegistry({ htpasswd: { builder: password } });
      hosts.push(secured.host);
      const emptyConfig = tempDir('rb-empty-dcfg');
      dirs.push(emptyConfig);
      // wrappers that log every command line, then run the real tool
      const wrappers = tempDir('rb-argv-log');
      dirs.push(wrappers);
      const argvLog = join(wrappers, 'argv.log');
      for (const [name, real] of [
        ['docker', dockerd.dockerBin],
        ['buildah', '/usr/bin/buildah'],
      ]) {
        writeFileSync(
          join(wrappers, name),
          `#!/bin/sh\necho "${name} $*" >> "${argvLog}"\nexec "${real}" "$@"\n`,
          {
            mode: 0o755,
          },
        );
      }
      try {
        const ws = workspace('FROM scratch\nCOPY hello.txt /hello.txt\n');
        const run = await runAction(
          ACTION,
          {
            image: `${secured.host}/team/app`,
            context: 'app',
            tags: 'v1,v2',
            builder,
            'registry-username': 'builder',
            'registry-password': password,
            'insecure-registry': 'true',
          },
          // an empty docker config: the login can only come from the inputs
          {
            workspace: ws,
            env: {
              ...dockerd.env,
              DOCKER_CONFIG: emptyConfig,
              REGISTRY_AUTH_FILE: undefined,
              PATH: `${wrappers}:${process.env.PATH}`,
            },
          },
        );
        expectOk(run);
        const c = new RegistryClient({
          registry: secured.host,
          insecure: true,
          credentials: { username: 'builder', password, source: 't' },
        });
        expect((await c.resolve('team/app', 'v1'))?.digest).toBe(run.outputs.digest);
        expect((await c.resolve('team/app', 'v2'))?.digest).toBe(run.outputs.digest);
        expectNoSecret(run, [password]);
        const argv = readFileSync(argvLog, 'utf8');
        expect(argv).toContain(builder === 'docker' ? 'docker push' : 'buildah push');
        expect(argv).not.toContain(password);
        expect(argv).not.toContain(Buffer.from(`builder:${password}`).toString('base64'));
      } finally {
        await secured.stop();
      }
    },
  );

  test('buildah pushes with the login of the docker config when no inputs are given', async () => {
    const password = 'cfg-buildah-Pw';
    const secured = await startRegistry({ htpasswd: { robot: password } });
    hosts.push(secured.host);
    const config = tempDir('rb-dcfg-buildah');
    dirs.push(config);
    const auth = Buffer.from(`robot:${password}`).toString('base64');
    writeFileSync(
      join(config, 'config.json'),
      JSON.stringify({ auths: { [secured.host]: { auth } } }),
    );
    try {
      const ws = workspace('FROM scratch\nCOPY hello.txt /hello.txt\n');
      const run = await runAction(
        ACTION,
        {
          image: `${secured.host}/team/cfg`,
          context: 'app',
          tags: 'v1',
          builder: 'buildah',
          'insecure-registry': 'true',
        },
        { workspace: ws, env: { DOCKER_CONFIG: config, REGISTRY_AUTH_FILE: undefined } },
      );
      expectOk(run);
      const c = new RegistryClient({
        registry: secured.host,
        insecure: true,
        credentials: { username: 'robot', password, source: 't' },
      });
      expect((await c.resolve('team/cfg', 'v1'))?.digest).toBe(run.outputs.digest);
      expect(run.summary).toContain('docker config');
      expectNoSecret(run, [password, auth]);
    } finally {
      await secured.stop();
    }
  });

  test('docker with buildx (a stand-in plugin): every tag and both platforms go to buildx, which pushes', async () => {
    const standin = tempDir('rb-buildx-standin');
    dirs.push(standin);
    const log = join(standin, 'buildx.log');
    const standinEnv = writeBuildxStandin(standin, dockerd.dockerBin, log);
    const ws = workspace('FROM scratch\nCOPY hello.txt /hello.txt\n');
    const run = await runAction(
      ACTION,
      {
        image: `${registry.host}/acme/bx`,
        context: 'app',
        tags: 'v1,v2',
        platforms: 'linux/amd64,linux/arm64',
        labels: 'team=bx',
        'insecure-registry': 'true',
      },
      {
        workspace: ws,
        env: { ...dockerd.env, ...standinEnv, PATH: `${standin}:${process.env.PATH}` },
      },
    );
    expectOk(run);
    const calls = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);
    expect(calls).toHaveLength(1);
    const argv = calls[0];
    expect(argv.slice(0, 2)).toEqual(['buildx', 'build']);
    expect(argv).toEqual(expect.arrayContaining(['--platform', 'linux/amd64,linux/arm64']));
    expect(argv).toEqual(
      expect.arrayContaining(['--output', 'type=image,push=true,registry.insecure=true']),
    );
    expect(argv.filter((a) => a.startsWith(`${registry.host}/acme/bx:`))).toEqual([
      `${registry.host}/acme/bx:v1`,
      `${registry.host}/acme/bx:v2`,
    ]);
    const digest = await expectPushed(run, 'acme/bx', ['v1', 'v2']);
    expect((await client.getImageConfig('acme/bx', digest)).labels).toMatchObject({ team: 'bx' });
    expect(run.summary).toContain('<td>Builder</td><td>buildx</td>');
  });
});
