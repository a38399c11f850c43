import { describe, expect, test } from '@jest/globals';
import { RegistryClient, sha256Digest } from '../../src/image/registry-client.js';
import { OCI_MANIFEST } from '../../src/image/media-types.js';

/**
 * What a real registry here does not do: a HEAD without Docker-Content-Digest, a manifest
 * whose bytes do not match the digest asked for, a 403, an expired token. A scripted fetch
 * plays the registry; every call is recorded.
 */
type Handler = (url: string, init: RequestInit) => Response;

function scripted(handler: Handler): {
  fetchImpl: typeof fetch;
  calls: Array<{ method: string; url: string; auth?: string }>;
} {
  const calls: Array<{ method: string; url: string; auth?: string }> = [];
  const fetchImpl = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = String(input);
    const headers = (init.headers ?? {}) as Record<string, string>;
    calls.push({ method: init.method ?? 'GET', url, auth: headers.authorization });
    return handler(url, init);
  }) as typeof fetch;
  return { fetchImpl, calls };
}

const manifest = Buffer.from(
  JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] }),
);
const digest = sha256Digest(manifest);

describe('registry client edge cases', () => {
  test('HEAD without a digest header falls back to GET and hashes the bytes', async () => {
    const { fetchImpl, calls } = scripted((_url, init) =>
      init.method === 'HEAD'
        ? new Response(null, { status: 200, headers: { 'content-type': OCI_MANIFEST } })
        : new Response(manifest, { status: 200, headers: { 'content-type': OCI_MANIFEST } }),
    );
    const client = new RegistryClient({ registry: 'reg.test', fetchImpl });
    expect(await client.resolve('a/b', 'v1')).toEqual({
      digest,
      mediaType: OCI_MANIFEST,
      size: manifest.length,
    });
    expect(calls.map((c) => c.method)).toEqual(['HEAD', 'GET']);
    expect(calls[0].url).toBe('https://reg.test/v2/a/b/manifests/v1');
  });

  test('a manifest whose bytes do not match the digest asked for is refused', async () => {
    const { fetchImpl } = scripted(
      () => new Response(manifest, { status: 200, headers: { 'content-type': OCI_MANIFEST } }),
    );
    const client = new RegistryClient({ registry: 'reg.test', fetchImpl });
    const other = `sha256:${'e'.repeat(64)}`;
    await expect(client.getManifest('a/b', other)).rejects.toThrow(/whose digest is sha256:/);
  });

  test('media type from the body when the registry answers application/json', async () => {
    const { fetchImpl } = scripted(
      () =>
        new Response(manifest, { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    const client = new RegistryClient({ registry: 'reg.test', fetchImpl });
    expect((await client.getManifest('a/b', 'v1'))?.mediaType).toBe(OCI_MANIFEST);
  });

  test('a stored digest other than the bytes sent is an error', async () => {
    const { fetchImpl } = scripted(
      () =>
        new Response(null, {
          status: 201,
          headers: { 'docker-content-digest': `sha256:${'f'.repeat(64)}` },
        }),
    );
    const client = new RegistryClient({ registry: 'reg.test', fetchImpl });
    await expect(
      client.putManifest('a/b', 'v1', { bytes: manifest, mediaType: OCI_MANIFEST }),
    ).rejects.toThrow(/stored a\/b:v1 as sha256:f+, expected/);
  });

  test('403 names the registry and quotes its error code', async () => {
    const { fetchImpl } = scripted(
      () =>
        new Response(
          JSON.stringify({
            errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }],
          }),
          {
            status: 403,
          },
        ),
    );
    const client = new RegistryClient({ registry: 'reg.test', fetchImpl });
    await expect(
      client.putManifest('a/b', 'v1', { bytes: manifest, mediaType: OCI_MANIFEST }),
    ).rejects.toThrow(
      'writing a/b:v1 failed: access denied by registry reg.test (HTTP 403: DENIED requested access to the resource is denied).',
    );
  });

  test('a refused token is replaced once; Docker Hub goes to registry-1.docker.io', async () => {
    let tokenNo = 0;
    const { fetchImpl, calls } = scripted((url, init) => {
      if (url.startsWith('https://auth.test/token')) {
        tokenNo++;
        return Response.json({ token: `tok-${tokenNo}` });
      }
      const auth = (init.headers as Record<string, string>).authorization;
      if (auth === 'Bearer tok-2')
        return new Response(manifest, { status: 200, headers: { 'content-type': OCI_MANIFEST } });
      return new Response(null, {
        status: 401,
        headers: {
          'www-authenticate':
            'Bearer realm="https://auth.test/token",service="hub",scope="repository:library/nginx:pull"',
        },
      });
    });
    const client = new RegistryClient({
      registry: 'docker.io',
      fetchImpl,
      credentials: { username: 'u', password: 'p', source: 't' },
    });
    // first answer: challenge -> tok-1 -> refused (401) -> the request fails once, the token is dropped
    await expect(client.getManifest('library/nginx', 'latest')).rejects.toThrow(
      /rejected the credentials/,
    );
    expect(await client.getManifest('library/nginx', 'latest')).toMatchObject({ digest });
    expect(calls[0].url).toBe('https://registry-1.docker.io/v2/library/nginx/manifests/latest');
    const tokenCalls = calls.filter((c) => c.url.startsWith('https://auth.test/token'));
    expect(tokenCalls).toHaveLength(2);
    expect(tokenCalls[0].url).toBe(
      'https://auth.test/token?service=hub&scope=repository%3Alibrary%2Fnginx%3Apull',
    );
    expect(tokenCalls[0].auth).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });
});
