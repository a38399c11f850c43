import { describe, expect, test } from '@jest/globals';
import { buildahBuildArgv, buildahPushArgv } from '../../src/image/builders/buildah.js';
import { buildxArgv, classicBuildArgv, dockerPushArgv } from '../../src/image/builders/docker.js';
import type { BuildSpec } from '../../src/image/builders/types.js';
import { imageLabels, parsePairs } from '../../src/image/labels.js';

const spec: BuildSpec = {
  context: '/ws/app',
  file: '/ws/app/Dockerfile',
  tags: ['127.0.0.1:5000/acme/web:sha-1a2b3c4', '127.0.0.1:5000/acme/web:v1'],
  buildArgs: [
    ['NODE_ENV', 'production'],
    ['GREETING', 'a=b, c'],
  ],
  labels: [['org.opencontainers.image.revision', 'f3c2a9d']],
  target: 'runtime',
  platforms: ['linux/amd64'],
  push: true,
  insecure: false,
};

describe('docker buildx argv', () => {
  test('push, all tags, platforms joined, metadata file, context last', () => {
    expect(
      buildxArgv({ ...spec, platforms: ['linux/amd64', 'linux/arm64'] }, '/tmp/m.json'),
    ).toEqual([
      'docker',
      'buildx',
      'build',
      '--file',
      '/ws/app/Dockerfile',
      '--target',
      'runtime',
      '--platform',
      'linux/amd64,linux/arm64',
      '--build-arg',
      'NODE_ENV=production',
      '--build-arg',
      'GREETING=a=b, c',
      '--label',
      'org.opencontainers.image.revision=f3c2a9d',
      '--tag',
      '127.0.0.1:5000/acme/web:sha-1a2b3c4',
      '--tag',
      '127.0.0.1:5000/acme/web:v1',
      '--output',
      'type=image,push=true',
      '--metadata-file',
      '/tmp/m.json',
      '/ws/app',
    ]);
  });

  test('plain-http registry tells BuildKit; no push loads a single platform', () => {
    expect(buildxArgv({ ...spec, insecure: true }, '/m')).toContain(
      'type=image,push=true,registry.insecure=true',
    );
    const noPush = buildxArgv({ ...spec, push: false }, '/m');
    expect(noPush).toContain('--load');
    expect(noPush.join(' ')).not.toContain('push=true');
    expect(
      buildxArgv({ ...spec, push: false, platforms: ['linux/amd64', 'linux/arm64'] }, '/m'),
    ).not.toContain('--load');
  });

  test('no target, no platform: the flags are left out', () => {
    const argv = buildxArgv(
      { ...spec, target: undefined, platforms: [], buildArgs: [], labels: [] },
      '/m',
    );
    expect(argv).not.toContain('--target');
    expect(argv).not.toContain('--platform');
    expect(argv).not.toContain('--build-arg');
  });
});

describe('docker classic argv', () => {
  test('build: iidfile, one platform, every tag', () => {
    expect(classicBuildArgv(spec, '/tmp/iid')).toEqual([
      'docker',
      'build',
      '--file',
      '/ws/app/Dockerfile',
      '--target',
      'runtime',
      '--platform',
      'linux/amd64',
      '--build-arg',
      'NODE_ENV=production',
      '--build-arg',
      'GREETING=a=b, c',
      '--label',
      'org.opencontainers.image.revision=f3c2a9d',
      '--tag',
      '127.0.0.1:5000/acme/web:sha-1a2b3c4',
      '--tag',
      '127.0.0.1:5000/acme/web:v1',
      '--iidfile',
      '/tmp/iid',
      '/ws/app',
    ]);
    expect(dockerPushArgv('r/a:b')).toEqual(['docker', 'push', 'r/a:b']);
  });

  test('two platforms are refused', () => {
    expect(() =>
      classicBuildArgv({ ...spec, platforms: ['linux/amd64', 'linux/arm64'] }, '/i'),
    ).toThrow(/one platform/);
  });
});

describe('buildah argv', () => {
  test('build with storage and isolation flags, tls off for plain http, authfile', () => {
    expect(
      buildahBuildArgv({ ...spec, insecure: true }, '/tmp/iid', {
        storageDriver: 'vfs',
        isolation: 'chroot',
        authFile: '/tmp/auth.json',
      }),
    ).toEqual([
      'buildah',
      '--storage-driver',
      'vfs',
      'build',
      '--file',
      '/ws/app/Dockerfile',
      '--target',
      'runtime',
      '--platform',
      'linux/amd64',
      '--isolation',
      'chroot',
      '--build-arg',
      'NODE_ENV=production',
      '--build-arg',
      'GREETING=a=b, c',
      '--label',
      'org.opencontainers.image.revision=f3c2a9d',
      '--tag',
      '127.0.0.1:5000/acme/web:sha-1a2b3c4',
      '--tag',
      '127.0.0.1:5000/acme/web:v1',
      '--tls-verify=false',
      '--authfile',
      '/tmp/auth.json',
      '--iidfile',
      '/tmp/iid',
      '/ws/app',
    ]);
  });

  test('defaults add no storage or tls flags', () => {
    const argv = buildahBuildArgv(spec, '/i');
    expect(argv.slice(0, 2)).toEqual(['buildah', 'build']);
    expect(argv).not.toContain('--tls-verify=false');
    expect(argv).not.toContain('--authfile');
  });

  test('push: docker:// destination, digest file', () => {
    expect(buildahPushArgv('r:5000/a:t', '/tmp/d', true, { authFile: '/a.json' })).toEqual([
      'buildah',
      'push',
      '--tls-verify=false',
      '--authfile',
      '/a.json',
      '--digestfile',
      '/tmp/d',
      'r:5000/a:t',
      'docker://r:5000/a:t',
    ]);
    expect(buildahPushArgv('r/a:t', '/d', false, { storageDriver: 'vfs' }).slice(0, 4)).toEqual([
      'buildah',
      '--storage-driver',
      'vfs',
      'push',
    ]);
  });

  test('two platforms are refused', () => {
    expect(() =>
      buildahBuildArgv({ ...spec, platforms: ['linux/amd64', 'linux/arm64'] }, '/i'),
    ).toThrow(/one platform/);
  });

  test('secrets never appear: credentials go through the auth file only', () => {
    const argv = [
      ...buildahBuildArgv(spec, '/i', { authFile: '/a.json' }),
      ...buildahPushArgv('r/a:t', '/d', false, { authFile: '/a.json' }),
    ];
    expect(argv.join(' ')).not.toMatch(/creds|password/);
  });
});

describe('labels', () => {
  test('OCI labels always, user labels win on the same key', () => {
    const created = new Date('2026-11-22T01:02:03.456Z');
    expect(
      imageLabels({ source: 'https://github.com/acme/shop', revision: 'abc', created }, [
        ['team', 'web'],
        ['org.opencontainers.image.source', 'https://git.example/shop'],
      ]),
    ).toEqual([
      ['org.opencontainers.image.source', 'https://git.example/shop'],
      ['org.opencontainers.image.revision', 'abc'],
      ['org.opencontainers.image.created', '2026-11-22T01:02:03Z'],
      ['team', 'web'],
    ]);
  });

  test('KEY=value pairs keep = and commas in values; a line without = is reported', () => {
    expect(parsePairs(['A=1', 'B=x=y, z'])).toEqual({
      pairs: [
        ['A', '1'],
        ['B', 'x=y, z'],
      ],
    });
    expect(parsePairs(['A=1', 'oops']).bad).toBe('oops');
    expect(parsePairs(['=v']).bad).toBe('=v');
  });
});
