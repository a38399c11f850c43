import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupAlive, pidAlive, removeDir, tempDir } from '../support/services/common.js';
import { startDockerd, type DockerdServer } from '../support/services/dockerd.js';
import { startRegistry, type RegistryServer } from '../support/services/registry.js';

const started: (DockerdServer | RegistryServer)[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  await Promise.all(dirs.map((d) => removeDir(d)));
});

describe('startDockerd', () => {
  test('builds a FROM scratch image, pushes it to a plain-HTTP local registry; stop cleans up', async () => {
    const [dockerd, registry] = await Promise.all([startDockerd(), startRegistry()]);
    started.push(dockerd, registry);
    expect(dockerd.host).toBe(`unix://${dockerd.socket}`);
    expect(dockerd.env).toEqual({ DOCKER_HOST: dockerd.host });

    const info = JSON.parse(await dockerd.docker(['info', '--format', '{{json .}}'])) as {
      Driver: string;
      DockerRootDir: string;
      RegistryConfig: { Mirrors: string[]; InsecureRegistryCIDRs: string[] };
    };
    expect(info.Driver).toBe(dockerd.storageDriver);
    expect(info.DockerRootDir).toBe(dockerd.dataRoot);
    expect(info.RegistryConfig.Mirrors ?? []).toEqual([]);
    expect(info.RegistryConfig.InsecureRegistryCIDRs).toContain('127.0.0.0/8');

    const context = tempDir('rb-dockerctx');
    dirs.push(context);
    mkdirSync(join(context, 'app'));
    writeFileSync(join(context, 'app', 'hello.txt'), 'hello from the fixture\n');
    writeFileSync(
      join(context, 'Dockerfile'),
      'FROM scratch\nCOPY app/ /app/\nLABEL fixture=dockerd\n',
    );
    const tag = `${registry.host}/fixture/hello:1`;
    await dockerd.docker(['build', '-q', '-t', tag, context], {
      env: { DOCKER_BUILDKIT: '0' },
    });
    const label = await dockerd.docker([
      'image',
      'inspect',
      '--format',
      '{{index .Config.Labels "fixture"}}',
      tag,
    ]);
    expect(label.trim()).toBe('dockerd');

    await dockerd.docker(['push', tag]);
    const manifest = await fetch(`${registry.url}/v2/fixture/hello/manifests/1`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(manifest.status).toBe(200);
    const body = (await manifest.json()) as { layers: unknown[] };
    expect(body.layers).toHaveLength(1);

    const { pid, dir } = dockerd;
    expect(pidAlive(pid)).toBe(true);
    await dockerd.stop();
    expect(pidAlive(pid)).toBe(false);
    // dockerd's own containerd ran in the same process group
    expect(groupAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await expect(dockerd.docker(['version'])).rejects.toThrow();
  });
});
