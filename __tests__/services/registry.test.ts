import { afterAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { groupAlive, pidAlive } from '../support/services/common.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';

const started: RegistryServer[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';

async function pushBlob(
  base: string,
  repo: string,
  body: Buffer,
  headers: Record<string, string> = {},
) {
  const digest = sha256(body);
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  expect(start.status).toBe(202);
  const location = new URL(start.headers.get('location') ?? '', base);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body,
  });
  expect(put.status).toBe(201);
  return { digest, size: body.length };
}

/** Pushes a one-layer OCI image and returns its manifest digest and layer. */
async function pushImage(
  base: string,
  repo: string,
  tag: string,
  headers: Record<string, string> = {},
) {
  const layerBytes = Buffer.from(`layer of ${repo}:${tag} ${Date.now()}`);
  const layer = await pushBlob(base, repo, layerBytes, headers);
  const config = await pushBlob(
    base,
    repo,
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    ),
    headers,
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    }),
  );
  const put = await fetch(`${base}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': MANIFEST_TYPE },
    body: manifest,
  });
  expect(put.status).toBe(201);
  return { manifestDigest: sha256(manifest), manifest, layerBytes, layer };
}

describe('startRegistry', () => {
  test('push a manifest and blob over the HTTP API, read them back, delete; stop cleans up', async () => {
    const registry = await startRegistry();
    started.push(registry);
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(registry.url).toBe(`http://${registry.host}`);
    const ping = await fetch(`${registry.url}/v2/`);
    expect(ping.status).toBe(200);

    const pushed = await pushImage(registry.url, 'team/app', 'v1');
    const got = await fetch(`${registry.url}/v2/team/app/manifests/v1`, {
      headers: { accept: MANIFEST_TYPE },
    });
    expect(got.status).toBe(200);
    expect(got.headers.get('docker-content-digest')).toBe(pushed.manifestDigest);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(pushed.manifest);
    const blob = await fetch(`${registry.url}/v2/team/app/blobs/${pushed.layer.digest}`);
    expect(Buffer.from(await blob.arrayBuffer())).toEqual(pushed.layerBytes);
    const tags = (await (await fetch(`${registry.url}/v2/team/app/tags/list`)).json()) as {
      tags: string[];
    };
    expect(tags.tags).toEqual(['v1']);

    // deletes are enabled
    const del = await fetch(`${registry.url}/v2/team/app/manifests/${pushed.manifestDigest}`, {
      method: 'DELETE',
    });
    expect(del.status).toBe(202);
    const gone = await fetch(`${registry.url}/v2/team/app/manifests/v1`, {
      headers: { accept: MANIFEST_TYPE },
    });
    expect(gone.status).toBe(404);

    const { pid, dir } = registry;
    await registry.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(groupAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  test('htpasswd: 401 without or with wrong credentials, 200 and pushes with them', async () => {
    const password = 'pa:ss word@1';
    const registry = await startRegistry({ htpasswd: { ci: password, other: 'x' } });
    started.push(registry);
    // bcrypt hashes, not the passwords, in the file
    const htpasswd = readFileSync(`${registry.dir}/htpasswd`, 'utf8');
    expect(htpasswd).toMatch(/^ci:\$2y\$/m);
    expect(htpasswd).not.toContain(password);

    const anonymous = await fetch(`${registry.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const basic = (u: string, p: string) => ({
      authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
    });
    expect((await fetch(`${registry.url}/v2/`, { headers: basic('ci', 'wrong') })).status).toBe(
      401,
    );
    expect((await fetch(`${registry.url}/v2/`, { headers: basic('ci', password) })).status).toBe(
      200,
    );

    const pushed = await pushImage(registry.url, 'app', 'latest', basic('ci', password));
    const head = await fetch(`${registry.url}/v2/app/manifests/latest`, {
      method: 'HEAD',
      headers: { ...basic('other', 'x'), accept: MANIFEST_TYPE },
    });
    expect(head.headers.get('docker-content-digest')).toBe(pushed.manifestDigest);
    await registry.stop();
    expect(pidAlive(registry.pid)).toBe(false);
  });

  test('config is merged into the generated config', async () => {
    const registry = await startRegistry({
      config: { http: { headers: { 'X-Test-Header': ['merged'] } } },
    });
    started.push(registry);
    const res = await fetch(`${registry.url}/v2/`);
    expect(res.headers.get('x-test-header')).toBe('merged');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(registry.config).toMatchObject({ storage: { delete: { enabled: true } } });
    await registry.stop();
  });
});
