import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { RegistryClient, RegistryError } from '../../src/image/registry-client.js';
import { moveTag, promote } from '../../src/image/promote.js';
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from '../../src/image/media-types.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';
import { pushTinyImage } from './support/images.js';
import { startTokenServer, type TokenServer } from './support/token-server.js';

const creds = (username: string, password: string) => ({ username, password, source: 'test' });

describe('registry client against a registry without auth', () => {
  let registry: RegistryServer;
  let client: RegistryClient;
  beforeAll(async () => {
    registry = await startRegistry();
    client = new RegistryClient({ registry: registry.host, insecure: true });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  test('resolves a tag to the digest of the manifest bytes and reads labels from the config', async () => {
    const pushed = await pushTinyImage(client, 'acme/web', 'v1', { labels: { a: '1' } });
    const desc = await client.resolve('acme/web', 'v1');
    expect(desc?.digest).toBe(pushed.digest);
    expect(desc?.mediaType).toBe(OCI_MANIFEST);
    const manifest = await client.getManifest('acme/web', 'v1');
    expect(manifest?.digest).toBe(pushed.digest);
    const config = await client.getImageConfig('acme/web', pushed.digest);
    expect(config.labels).toEqual({ a: '1' });
  });

  test('an unknown tag or repository resolves to undefined', async () => {
    expect(await client.resolve('acme/web', 'nope')).toBeUndefined();
    expect(await client.getManifest('acme/none', 'v1')).toBeUndefined();
  });

  test('putManifest copies bytes and media type exactly (docker v2 manifest kept as docker v2)', async () => {
    const pushed = await pushTinyImage(client, 'acme/docker', 'src', { format: 'docker' });
    const src = await client.getManifest('acme/docker', 'src');
    expect(src?.mediaType).toBe(DOCKER_MANIFEST);
    await client.putManifest('acme/docker', 'copy', src!);
    const copy = await client.getManifest('acme/docker', 'copy');
    expect(copy?.digest).toBe(pushed.digest);
    expect(copy?.mediaType).toBe(DOCKER_MANIFEST);
    expect(Buffer.compare(copy!.bytes, src!.bytes)).toBe(0);
  });

  test('an OCI index is resolved and copied as an index; its config is the platform image', async () => {
    const img = await pushTinyImage(client, 'acme/multi', 'amd64', { labels: { arch: 'amd64' } });
    const imgManifest = await client.getManifest('acme/multi', img.digest);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          {
            mediaType: OCI_MANIFEST,
            digest: img.digest,
            size: imgManifest!.size,
            platform: { os: 'linux', architecture: 'amd64' },
          },
        ],
      }),
    );
    const indexDigest = await client.putManifest('acme/multi', 'idx', {
      bytes: index,
      mediaType: OCI_INDEX,
    });
    const desc = await client.resolve('acme/multi', 'idx');
    expect(desc).toMatchObject({ digest: indexDigest, mediaType: OCI_INDEX });
    await moveTag(client, 'acme/multi', 'latest', indexDigest);
    expect((await client.resolve('acme/multi', 'latest'))?.mediaType).toBe(OCI_INDEX);
    const config = await client.getImageConfig('acme/multi', 'latest');
    expect(config.manifestDigest).toBe(img.digest);
    expect(config.labels).toEqual({ arch: 'amd64' });
  });

  test('promote keeps the replaced digest on the previous tag; again for the same digest changes nothing', async () => {
    const a = await pushTinyImage(client, 'acme/app', 'a');
    const b = await pushTinyImage(client, 'acme/app', 'b');
    const first = await promote(client, {
      repository: 'acme/app',
      digest: a.digest,
      tag: 'latest',
      previousTag: 'previous',
    });
    expect(first).toMatchObject({ moved: true, previousDigest: undefined, previousTagged: false });
    expect(await client.resolve('acme/app', 'previous')).toBeUndefined();
    const second = await promote(client, {
      repository: 'acme/app',
      digest: b.digest,
      tag: 'latest',
      previousTag: 'previous',
    });
    expect(second).toMatchObject({ moved: true, previousDigest: a.digest, previousTagged: true });
    expect((await client.resolve('acme/app', 'latest'))?.digest).toBe(b.digest);
    expect((await client.resolve('acme/app', 'previous'))?.digest).toBe(a.digest);
    const again = await promote(client, {
      repository: 'acme/app',
      digest: b.digest,
      tag: 'latest',
      previousTag: 'previous',
    });
    expect(again).toMatchObject({ moved: false, previousDigest: a.digest });
    expect((await client.resolve('acme/app', 'previous'))?.digest).toBe(a.digest);
  });

  test('moveTag back to the previous digest (the rollback move)', async () => {
    const a = await pushTinyImage(client, 'acme/rb', 'a');
    const b = await pushTinyImage(client, 'acme/rb', 'b');
    await moveTag(client, 'acme/rb', 'latest', b.digest);
    const back = await moveTag(client, 'acme/rb', 'latest', a.digest);
    expect(back).toEqual({ tag: 'latest', from: b.digest, to: a.digest, moved: true });
    expect((await client.resolve('acme/rb', 'latest'))?.digest).toBe(a.digest);
  });

  test('promoting a digest that is not in the repository fails clearly', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    await expect(
      promote(client, { repository: 'acme/app', digest: missing, tag: 'latest' }),
    ).rejects.toThrow(/does not exist in registry .*push it first/);
  });

  test('https against a plain-http registry suggests insecure-registry', async () => {
    const tls = new RegistryClient({ registry: registry.host, timeoutMs: 5000 });
    await expect(tls.resolve('acme/web', 'v1')).rejects.toThrow(/insecure-registry: true/);
  });
});

describe('registry client with htpasswd (Basic) auth', () => {
  let registry: RegistryServer;
  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: { ci: 'right-pass' } });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  test('right password: push and resolve', async () => {
    const client = new RegistryClient({
      registry: registry.host,
      insecure: true,
      credentials: creds('ci', 'right-pass'),
    });
    const pushed = await pushTinyImage(client, 'team/app', 'v1');
    expect((await client.resolve('team/app', 'v1'))?.digest).toBe(pushed.digest);
  });

  test('wrong password and no password: 401 errors that say what to do', async () => {
    const wrong = new RegistryClient({
      registry: registry.host,
      insecure: true,
      credentials: creds('ci', 'wrong-pass'),
    });
    const err = await wrong.resolve('team/app', 'v1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(String(err)).toMatch(/rejected the credentials/);
    expect(String(err)).not.toContain('wrong-pass');
    const anonymous = new RegistryClient({ registry: registry.host, insecure: true });
    await expect(anonymous.resolve('team/app', 'v1')).rejects.toThrow(/requires a login/);
  });
});

describe('registry client with token (Bearer) auth', () => {
  let tokens: TokenServer;
  let registry: RegistryServer;
  beforeAll(async () => {
    tokens = await startTokenServer({ deployer: 't0ken-pass' });
    registry = await startRegistry({ config: tokens.registryConfig });
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  test('follows the challenge to the realm, with the repository scope, and promotes', async () => {
    const client = new RegistryClient({
      registry: registry.host,
      insecure: true,
      credentials: creds('deployer', 't0ken-pass'),
      push: true,
    });
    const a = await pushTinyImage(client, 'shop/web', 'a');
    const b = await pushTinyImage(client, 'shop/web', 'b');
    await promote(client, {
      repository: 'shop/web',
      digest: a.digest,
      tag: 'latest',
      previousTag: 'previous',
    });
    const r = await promote(client, {
      repository: 'shop/web',
      digest: b.digest,
      tag: 'latest',
      previousTag: 'previous',
    });
    expect(r.previousDigest).toBe(a.digest);
    expect(
      tokens.requests.some(
        (q) => q.user === 'deployer' && q.scopes.includes('repository:shop/web:pull,push'),
      ),
    ).toBe(true);
    // one token per scope: the client does not ask again for every request
    expect(tokens.requests.filter((q) => q.user === 'deployer').length).toBe(1);
  });

  test('wrong password: the token server refuses, the error names the inputs', async () => {
    const client = new RegistryClient({
      registry: registry.host,
      insecure: true,
      credentials: creds('deployer', 'nope'),
    });
    await expect(client.resolve('shop/web', 'latest')).rejects.toThrow(
      /token server .* rejected the credentials/,
    );
  });

  test('anonymous: a token without access, then a clear login-required error', async () => {
    const client = new RegistryClient({ registry: registry.host, insecure: true });
    await expect(client.resolve('shop/web', 'latest')).rejects.toThrow(/requires a login/);
  });
});
