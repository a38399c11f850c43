import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../../src/image/registry-client.js';
import { describeRun, runAction, type ActionRun } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';
import { pushTinyImage } from './support/images.js';
import { startTokenServer, type TokenServer } from './support/token-server.js';

/** exit code 0, or a failure that shows what the action printed */
function expectOk(run: ActionRun): void {
  if (run.exitCode !== 0) throw new Error(`the action failed:\n${describeRun(run)}`);
}

const ACTION = 'build-push-image';

describe('promotion by digest (no build)', () => {
  let registry: RegistryServer;
  let client: RegistryClient;
  beforeAll(async () => {
    registry = await startRegistry();
    client = new RegistryClient({ registry: registry.host, insecure: true });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  test('three promotions in a row: latest is the newest, previous the one before', async () => {
    const image = `${registry.host}/acme/shop`;
    const digests: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const pushed = await pushTinyImage(client, 'acme/shop', `build-${i}`);
      digests.push(pushed.digest);
      const run = await runAction(ACTION, {
        image,
        digest: pushed.digest,
        'promote-tag': 'latest',
        'insecure-registry': 'true',
      });
      expectOk(run);
      expect(run.outputs.digest).toBe(pushed.digest);
      expect(run.outputs['image-ref']).toBe(`${image}@${pushed.digest}`);
      expect(run.outputs.promoted).toBe('true');
      expect(run.outputs['previous-digest'] ?? '').toBe(i === 1 ? '' : digests[i - 2]);
      expect((await client.resolve('acme/shop', 'latest'))?.digest).toBe(pushed.digest);
      const previous = await client.resolve('acme/shop', 'previous');
      expect(previous?.digest).toBe(i === 1 ? undefined : digests[i - 2]);
      expect(run.summary).toContain('build-push-image');
      expect(run.summary).toContain(pushed.digest);
      // the labels of the promoted image, read from its config
      expect(run.summary).toContain(`<td>test.tag</td><td>build-${i}</td>`);
    }
  });

  test('tags given with a digest are put on it; custom previous-tag; re-running moves nothing', async () => {
    const image = `${registry.host}/acme/api`;
    const old = await pushTinyImage(client, 'acme/api', 'old');
    await client.putManifest(
      'acme/api',
      'production',
      (await client.getManifest('acme/api', 'old'))!,
    );
    const next = await pushTinyImage(client, 'acme/api', 'next');
    const inputs = {
      image,
      digest: next.digest,
      tags: 'v2.0.0, stable',
      'promote-tag': 'production',
      'previous-tag': 'production-previous',
      'insecure-registry': 'true',
    };
    const run = await runAction(ACTION, inputs);
    expectOk(run);
    expect(JSON.parse(run.outputs.tags)).toEqual([`${image}:v2.0.0`, `${image}:stable`]);
    expect((await client.resolve('acme/api', 'v2.0.0'))?.digest).toBe(next.digest);
    expect((await client.resolve('acme/api', 'stable'))?.digest).toBe(next.digest);
    expect((await client.resolve('acme/api', 'production'))?.digest).toBe(next.digest);
    expect((await client.resolve('acme/api', 'production-previous'))?.digest).toBe(old.digest);
    expect(run.outputs['previous-digest']).toBe(old.digest);

    const again = await runAction(ACTION, inputs);
    expectOk(again);
    expect(again.outputs.promoted).toBe('true');
    expect(again.outputs['previous-digest']).toBe(old.digest);
    expect((await client.resolve('acme/api', 'production-previous'))?.digest).toBe(old.digest);
    expect(again.summary).toContain('already pointed');
  });

  test('a plain-http registry without insecure-registry: the error says to set it', async () => {
    const run = await runAction(ACTION, {
      image: `${registry.host}/acme/shop`,
      digest: `sha256:${'1'.repeat(64)}`,
      'promote-tag': 'latest',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /could not be reached at https:\/\/127\.0\.0\.1.*set insecure-registry: true/,
    );
  });

  test('a digest that is not in the repository: a clear error', async () => {
    const run = await runAction(ACTION, {
      image: `${registry.host}/acme/shop`,
      digest: `sha256:${'1'.repeat(64)}`,
      'promote-tag': 'latest',
      'insecure-registry': 'true',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(/does not exist in registry .*push it first/);
  });

  test('credentials from the docker config ($DOCKER_CONFIG) when no inputs are given', async () => {
    const secured = await startRegistry({ htpasswd: { robot: 'cfg-Pa55' } });
    const dir = tempDir('rb-dockercfg');
    try {
      const auth = Buffer.from('robot:cfg-Pa55').toString('base64');
      writeFileSync(
        join(dir, 'config.json'),
        JSON.stringify({ auths: { [`http://${secured.host}`]: { auth } } }),
      );
      const c = new RegistryClient({
        registry: secured.host,
        insecure: true,
        credentials: { username: 'robot', password: 'cfg-Pa55', source: 't' },
      });
      const img = await pushTinyImage(c, 'team/app', 'b1');
      const run = await runAction(
        ACTION,
        {
          image: `${secured.host}/team/app`,
          digest: img.digest,
          'promote-tag': 'live',
          'insecure-registry': 'true',
        },
        { env: { DOCKER_CONFIG: dir } },
      );
      expectOk(run);
      expect((await c.resolve('team/app', 'live'))?.digest).toBe(img.digest);
      expect(run.summary).toContain('docker config');
      expectNoSecret(run, ['cfg-Pa55', auth]);
    } finally {
      await secured.stop();
      await removeDir(dir);
    }
  });
});

describe('registry auth', () => {
  describe('htpasswd (Basic)', () => {
    let registry: RegistryServer;
    let client: RegistryClient;
    let digest = '';
    const password = 'r1ght-p@ss';
    beforeAll(async () => {
      registry = await startRegistry({ htpasswd: { deployer: password } });
      client = new RegistryClient({
        registry: registry.host,
        insecure: true,
        credentials: { username: 'deployer', password, source: 't' },
      });
      digest = (await pushTinyImage(client, 'shop/web', 'build')).digest;
    });
    afterAll(async () => {
      await registry?.stop();
    });

    test('right password promotes; the password shows nowhere', async () => {
      const run = await runAction(ACTION, {
        image: `${registry.host}/shop/web`,
        digest,
        'promote-tag': 'latest',
        'registry-username': 'deployer',
        'registry-password': password,
        'insecure-registry': 'true',
      });
      expectOk(run);
      expect((await client.resolve('shop/web', 'latest'))?.digest).toBe(digest);
      expectNoSecret(run, [password]);
    });

    test('wrong password: one clear error, nothing moved, the password shows nowhere', async () => {
      const wrong = 'wr0ng-p@ss-XYZ';
      const run = await runAction(ACTION, {
        image: `${registry.host}/shop/web`,
        digest,
        'promote-tag': 'canary',
        'registry-username': 'deployer',
        'registry-password': wrong,
        'insecure-registry': 'true',
      });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toMatch(
        /rejected the credentials \(inputs registry-username\/registry-password\)/,
      );
      expect(await client.resolve('shop/web', 'canary')).toBeUndefined();
      expectNoSecret(run, [wrong]);
    });

    test('no credentials: the error says to log in', async () => {
      const run = await runAction(ACTION, {
        image: `${registry.host}/shop/web`,
        digest,
        'promote-tag': 'canary',
        'insecure-registry': 'true',
      });
      expect(run.exitCode).toBe(1);
      expect(run.errors[0]).toMatch(/requires a login/);
    });
  });

  describe('token server (Bearer challenge)', () => {
    let tokens: TokenServer;
    let registry: RegistryServer;
    let client: RegistryClient;
    const password = 'tok3n-S3cret';
    beforeAll(async () => {
      tokens = await startTokenServer({ ci: password }, { 'idt-Refresh-42': 'ci' });
      registry = await startRegistry({ config: tokens.registryConfig });
      client = new RegistryClient({
        registry: registry.host,
        insecure: true,
        credentials: { username: 'ci', password, source: 't' },
      });
    });
    afterAll(async () => {
      await registry?.stop();
      await tokens?.stop();
    });

    test('the action follows the challenge to the token server and promotes', async () => {
      const a = await pushTinyImage(client, 'shop/api', 'a');
      const b = await pushTinyImage(client, 'shop/api', 'b');
      const base = {
        image: `${registry.host}/shop/api`,
        'promote-tag': 'latest',
        'registry-username': 'ci',
        'registry-password': password,
        'insecure-registry': 'true',
      };
      const first = await runAction(ACTION, { ...base, digest: a.digest });
      expectOk(first);
      const before = tokens.requests.length;
      const second = await runAction(ACTION, { ...base, digest: b.digest });
      const asked = tokens.requests.slice(before);
      expectOk(second);
      expect(second.outputs['previous-digest']).toBe(a.digest);
      expect((await client.resolve('shop/api', 'latest'))?.digest).toBe(b.digest);
      expect((await client.resolve('shop/api', 'previous'))?.digest).toBe(a.digest);
      expect(asked).toEqual([
        { user: 'ci', scopes: ['repository:shop/api:pull,push'], status: 200 },
      ]);
      expectNoSecret(second, [password]);
    });

    test('an identity token from the docker config is exchanged at the realm (OAuth2 refresh)', async () => {
      const img = await pushTinyImage(client, 'shop/api', 'idt');
      const dir = tempDir('rb-dockercfg-idt');
      try {
        writeFileSync(
          join(dir, 'config.json'),
          JSON.stringify({
            auths: { [registry.host]: { auth: '', identitytoken: 'idt-Refresh-42' } },
          }),
        );
        const before = tokens.requests.length;
        const run = await runAction(
          ACTION,
          {
            image: `${registry.host}/shop/api`,
            digest: img.digest,
            'promote-tag': 'idt-live',
            'insecure-registry': 'true',
          },
          { env: { DOCKER_CONFIG: dir } },
        );
        expectOk(run);
        expect((await client.resolve('shop/api', 'idt-live'))?.digest).toBe(img.digest);
        expect(tokens.requests.slice(before)[0]).toEqual({
          user: 'ci',
          scopes: ['repository:shop/api:pull,push'],
          status: 200,
        });
        expectNoSecret(run, ['idt-Refresh-42']);
      } finally {
        await removeDir(dir);
      }
    });

    test('wrong password: the token server refuses; a clear error without the password', async () => {
      const wrong = 'n0t-the-Tok3n';
      const run = await runAction(ACTION, {
        image: `${registry.host}/shop/api`,
        digest: `sha256:${'2'.repeat(64)}`,
        'promote-tag': 'latest',
        'registry-username': 'ci',
        'registry-password': wrong,
        'insecure-registry': 'true',
      });
      expect(run.exitCode).toBe(1);
      expect(run.errors[0]).toMatch(
        /token server .* rejected the credentials \(HTTP 401\); check registry-username and registry-password/,
      );
      expectNoSecret(run, [wrong]);
    });
  });
});
