import { describe, expect, test } from '@jest/globals';
import {
  formatReference,
  isLoopbackRegistry,
  isSha256Digest,
  isValidTag,
  parseReference,
  registryApiHost,
  withDigest,
  withTag,
} from '../../src/image/reference.js';

const D = `sha256:${'ab'.repeat(32)}`;

describe('parseReference', () => {
  test.each([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx' }],
    ['nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['acme/web', { registry: 'docker.io', repository: 'acme/web' }],
    ['docker.io/nginx', { registry: 'docker.io', repository: 'library/nginx' }],
    ['index.docker.io/acme/web:v1', { registry: 'docker.io', repository: 'acme/web', tag: 'v1' }],
    ['ghcr.io/acme/shop', { registry: 'ghcr.io', repository: 'acme/shop' }],
    [
      'ghcr.io/acme/shop/web/api:sha-1a2b3c4',
      { registry: 'ghcr.io', repository: 'acme/shop/web/api', tag: 'sha-1a2b3c4' },
    ],
    ['127.0.0.1:5000/app', { registry: '127.0.0.1:5000', repository: 'app' }],
    ['127.0.0.1:5000/app:latest', { registry: '127.0.0.1:5000', repository: 'app', tag: 'latest' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['localhost:5000/team/app', { registry: 'localhost:5000', repository: 'team/app' }],
    ['[::1]:5000/app', { registry: '[::1]:5000', repository: 'app' }],
    [
      'registry.example.com:8443/a/b_c/d-e.f:1.0-rc.1',
      { registry: 'registry.example.com:8443', repository: 'a/b_c/d-e.f', tag: '1.0-rc.1' },
    ],
    ['my.registry/app__x', { registry: 'my.registry', repository: 'app__x' }],
    [`nginx@${D}`, { registry: 'docker.io', repository: 'library/nginx', digest: D }],
    [`ghcr.io/a/b:v1@${D}`, { registry: 'ghcr.io', repository: 'a/b', tag: 'v1', digest: D }],
    [`127.0.0.1:5000/app@${D}`, { registry: '127.0.0.1:5000', repository: 'app', digest: D }],
  ])('%s', (text, expected) => {
    expect(parseReference(text)).toEqual(expected);
  });

  test.each([
    ['', /empty/],
    ['Acme/Web', /lower-case/],
    ['ghcr.io/Acme/web', /lower-case/],
    ['ghcr.io/acme/web:', /tag '' is not valid/],
    ['ghcr.io/acme/web:-bad', /tag '-bad'/],
    [`ghcr.io/acme/web:${'x'.repeat(129)}`, /tag/],
    ['ghcr.io/acme/web@sha256:123', /digest/],
    ['https://ghcr.io/acme/web', /scheme/],
    ['ghcr.io/acme web', /whitespace/],
    ['ghcr.io/acme//web', /path component/],
    ['ghcr.io/acme/-web', /path component/],
    ['ghcr.io/', /repository name is missing/],
    ['bad_host.io:x/app', /registry host|tag/],
    [`ghcr.io/${'a'.repeat(260)}`, /longer than 255/],
  ])('rejects %j', (text, why) => {
    expect(() => parseReference(text)).toThrow(why);
  });

  test('formatting', () => {
    const ref = parseReference('127.0.0.1:5000/team/app');
    expect(withTag(ref, 'v2')).toBe('127.0.0.1:5000/team/app:v2');
    expect(withDigest(ref, D)).toBe(`127.0.0.1:5000/team/app@${D}`);
    expect(formatReference(parseReference(`nginx:1@${D}`))).toBe(`docker.io/library/nginx:1@${D}`);
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryApiHost('ghcr.io')).toBe('ghcr.io');
  });

  test('tags, digests, loopback', () => {
    expect(isValidTag('sha-1a2b3c4')).toBe(true);
    expect(isValidTag('v1.2.3_rc')).toBe(true);
    expect(isValidTag('.hidden')).toBe(false);
    expect(isValidTag('a/b')).toBe(false);
    expect(isSha256Digest(D)).toBe(true);
    expect(isSha256Digest(D.toUpperCase())).toBe(false);
    expect(isSha256Digest('sha256:abc')).toBe(false);
    expect(isLoopbackRegistry('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackRegistry('localhost')).toBe(true);
    expect(isLoopbackRegistry('ghcr.io')).toBe(false);
  });
});
