import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWwwAuthenticate, repositoryScope } from '../../src/image/auth.js';
import { credentialsFromDockerConfig, normalizeConfigKey } from '../../src/image/credentials.js';
import { writeTempLogin } from '../../src/image/docker-login.js';
import { removeDir, tempDir } from '../support/services/common.js';

describe('WWW-Authenticate', () => {
  test('Bearer with quoted values holding commas', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:samalba/my-app:pull,push',
        },
      },
    ]);
  });

  test('Basic, error params, escaped quotes, several challenges', () => {
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
    const many = parseWwwAuthenticate(
      'Bearer realm="http://t/token", service=reg, error="insufficient_scope", Basic realm="a \\"b\\""',
    );
    expect(many.map((c) => c.scheme)).toEqual(['bearer', 'basic']);
    expect(many[0].params).toEqual({
      realm: 'http://t/token',
      service: 'reg',
      error: 'insufficient_scope',
    });
    expect(many[1].params.realm).toBe('a "b"');
    expect(parseWwwAuthenticate('')).toEqual([]);
  });

  test('scope text', () => {
    expect(repositoryScope('acme/web', ['pull', 'push'])).toBe('repository:acme/web:pull,push');
  });
});

describe('docker config credentials', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await removeDir(dir);
    dir = '';
  });
  const env = (d: string) => ({ DOCKER_CONFIG: d });

  test('keys with scheme and path match the registry host; Docker Hub has several names', async () => {
    dir = tempDir('rb-dcfg');
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: {
          'http://127.0.0.1:5000/v2/': {
            auth: Buffer.from('ci:s3cret:with:colons').toString('base64'),
          },
          'https://index.docker.io/v1/': { username: 'hub', password: 'hubpw' },
          'ghcr.io': { identitytoken: 'refresh-123' },
        },
      }),
    );
    expect(await credentialsFromDockerConfig('127.0.0.1:5000', env(dir))).toMatchObject({
      username: 'ci',
      password: 's3cret:with:colons',
    });
    expect(await credentialsFromDockerConfig('docker.io', env(dir))).toMatchObject({
      username: 'hub',
      password: 'hubpw',
    });
    expect(await credentialsFromDockerConfig('ghcr.io', env(dir))).toMatchObject({
      identityToken: 'refresh-123',
    });
    expect(await credentialsFromDockerConfig('quay.io', env(dir))).toBeUndefined();
    expect(normalizeConfigKey('HTTPS://Registry.Example.com:443/v1/')).toBe(
      'registry.example.com:443',
    );
  });

  test('no config file: anonymous; broken JSON: a clear error', async () => {
    dir = tempDir('rb-dcfg');
    expect(await credentialsFromDockerConfig('ghcr.io', env(dir))).toBeUndefined();
    writeFileSync(join(dir, 'config.json'), '{not json');
    await expect(credentialsFromDockerConfig('ghcr.io', env(dir))).rejects.toThrow(
      /not valid JSON/,
    );
  });

  test('a credential helper is asked through stdin', async () => {
    dir = tempDir('rb-dcfg');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const helper = join(bin, 'docker-credential-rbtest');
    writeFileSync(
      helper,
      '#!/bin/sh\nread server\n[ "$1" = get ] && [ "$server" = "reg.example:5000" ] && echo \'{"ServerURL":"reg.example:5000","Username":"bot","Secret":"from-helper"}\' && exit 0\necho "credentials not found" >&2; exit 1\n',
      { mode: 0o755 },
    );
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ credHelpers: { 'reg.example:5000': 'rbtest' } }),
    );
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    try {
      expect(await credentialsFromDockerConfig('reg.example:5000', env(dir))).toMatchObject({
        username: 'bot',
        password: 'from-helper',
        source: 'credential helper rbtest',
      });
    } finally {
      process.env.PATH = saved;
    }
  });

  test('a temp login keeps the other entries, links plugins, and replaces this registry only', async () => {
    dir = tempDir('rb-dcfg');
    const original = join(dir, 'orig');
    mkdirSync(join(original, 'cli-plugins'), { recursive: true });
    writeFileSync(
      join(original, 'config.json'),
      JSON.stringify({
        auths: { 'other.io': { auth: 'eDp5' }, 'https://127.0.0.1:5000': { auth: 'b2xkOm9sZA==' } },
        credHelpers: { '127.0.0.1:5000': 'gone' },
        credsStore: 'desktop',
        detachKeys: 'ctrl-e,e',
      }),
    );
    const login = await writeTempLogin(
      join(dir, 'tmp'),
      '127.0.0.1:5000',
      { username: 'u', password: 'p', source: 't' },
      env(original),
    );
    const written = JSON.parse(readFileSync(login.authFile, 'utf8')) as Record<string, unknown>;
    expect(written).toEqual({
      auths: {
        'other.io': { auth: 'eDp5' },
        '127.0.0.1:5000': { auth: Buffer.from('u:p').toString('base64') },
      },
      credHelpers: {},
      detachKeys: 'ctrl-e,e',
    });
    expect(readlinkSync(join(login.configDir, 'cli-plugins'))).toBe(join(original, 'cli-plugins'));
  });
});
