import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAction } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';
import { removeDir, tempDir } from '../support/services/common.js';

/**
 * Every bad input fails with one line naming the input, before anything is built or
 * pushed: docker and buildah are replaced by stubs that log their calls, and the registry
 * is an address where nothing listens.
 */
const ACTION = 'build-push-image';
let dir = '';
let bin = '';
let log = '';
let ws = '';

beforeAll(() => {
  dir = tempDir('rb-bpi-inputs');
  bin = join(dir, 'bin');
  log = join(dir, 'calls.log');
  ws = join(dir, 'ws');
  mkdirSync(bin);
  mkdirSync(ws);
  writeFileSync(join(ws, 'Dockerfile'), 'FROM scratch\n');
  // `docker buildx version` fails like it does without the plugin; anything else is logged
  const stub = (name: string) =>
    `#!/bin/sh\nif [ "$1" = buildx ] && [ "$2" = version ]; then exit 1; fi\necho "${name} $*" >> "${log}"\nexit 99\n`;
  writeFileSync(join(bin, 'docker'), stub('docker'), { mode: 0o755 });
  writeFileSync(join(bin, 'buildah'), stub('buildah'), { mode: 0o755 });
});

afterAll(async () => {
  await removeDir(dir);
});

const IMAGE = '127.0.0.1:9/acme/web';

async function fails(
  inputs: Record<string, string>,
  input: string,
  message: RegExp,
  secrets: string[] = [],
): Promise<void> {
  const run = await runAction(ACTION, inputs, {
    workspace: ws,
    env: { PATH: `${bin}:${process.env.PATH}` },
  });
  expect(run.exitCode).toBe(1);
  expect(run.errors).toHaveLength(1);
  expect(run.errors[0].startsWith(`Input '${input}': `)).toBe(true);
  expect(run.errors[0]).toMatch(message);
  expect(run.stderr + run.stdout).not.toMatch(/\n\s+at /);
  expect(existsSync(log) ? readFileSync(log, 'utf8') : '').toBe('');
  expect(run.summary).toBe('');
  expectNoSecret(run, secrets);
}

describe('bad inputs: one clear error, before any build', () => {
  test('image with a tag', () =>
    fails({ image: `${IMAGE}:v1` }, 'image', /includes a tag; give the name only/));
  test('image with a digest', () =>
    fails({ image: `${IMAGE}@sha256:${'a'.repeat(64)}` }, 'image', /includes a digest/));
  test('invalid reference: upper case', () =>
    fails({ image: 'ghcr.io/Acme/Web' }, 'image', /must be lower-case/));
  test('invalid reference: scheme', () =>
    fails({ image: 'https://ghcr.io/acme/web' }, 'image', /leave out the scheme/));
  test('image missing', () => fails({ image: '' }, 'image', /is required/));

  test('two platforms with the classic docker builder', () =>
    fails(
      { image: IMAGE, platforms: 'linux/amd64,linux/arm64' },
      'platforms',
      /the classic docker builder .* builds one platform at a time/,
    ));
  test('two platforms with buildah', () =>
    fails(
      { image: IMAGE, builder: 'buildah', platforms: 'linux/amd64\nlinux/arm64' },
      'platforms',
      /buildah builds one platform/,
    ));
  test('platform that is not os/arch', () =>
    fails({ image: IMAGE, platforms: 'amd64' }, 'platforms', /not os\/arch/));

  test('missing file', () =>
    fails({ image: IMAGE, file: 'Dockerfile.prod' }, 'file', /"Dockerfile.prod" does not exist/));
  test('missing context', () =>
    fails({ image: IMAGE, context: 'nope' }, 'context', /is not a directory/));

  test('digest that is not sha256 + 64 hex', () =>
    fails(
      { image: IMAGE, digest: 'sha256:abc', 'promote-tag': 'latest' },
      'digest',
      /sha256: followed by 64/,
    ));
  test('digest in upper case', () =>
    fails(
      { image: IMAGE, digest: `sha256:${'A'.repeat(64)}`, 'promote-tag': 'latest' },
      'digest',
      /lower-case hex/,
    ));
  test('digest with nothing to do', () =>
    fails({ image: IMAGE, digest: `sha256:${'a'.repeat(64)}` }, 'digest', /set promote-tag/));

  test('promote-tag equal to previous-tag', () =>
    fails(
      { image: IMAGE, 'promote-tag': 'stable', 'previous-tag': 'stable' },
      'promote-tag',
      /same as previous-tag/,
    ));
  test('promote-tag with the default previous-tag', () =>
    fails({ image: IMAGE, 'promote-tag': 'previous' }, 'promote-tag', /same as previous-tag/));
  test('promote-tag without push', () =>
    fails(
      { image: IMAGE, 'promote-tag': 'latest', push: 'false' },
      'promote-tag',
      /needs push: true/,
    ));
  test('tags holding the promote-tag', () =>
    fails(
      { image: IMAGE, tags: 'v1\nlatest', 'promote-tag': 'latest' },
      'tags',
      /'latest', the promote-tag/,
    ));
  test('tags holding the previous-tag (digest mode)', () =>
    fails(
      {
        image: IMAGE,
        digest: `sha256:${'a'.repeat(64)}`,
        tags: 'previous',
        'promote-tag': 'latest',
      },
      'tags',
      /'previous', the previous-tag/,
    ));
  test('invalid tag', () =>
    fails({ image: IMAGE, tags: 'v1, -bad' }, 'tags', /"-bad" is not a valid tag/));

  test('build-args line without =', () =>
    fails(
      { image: IMAGE, 'build-args': 'A=1\nB' },
      'build-args',
      /"B" is not build argument=value/,
    ));
  test('builder not known', () =>
    fails({ image: IMAGE, builder: 'kaniko' }, 'builder', /not one of: docker, buildah/));
  test('push not a boolean', () => fails({ image: IMAGE, push: 'yes' }, 'push', /not a boolean/));
  test('password without user: masked, not echoed', () =>
    fails(
      { image: IMAGE, 'registry-password': 'lonely-Secret-1' },
      'registry-username',
      /required when registry-password/,
      ['lonely-Secret-1'],
    ));
  test('user without password', () =>
    fails(
      { image: IMAGE, 'registry-username': 'ci' },
      'registry-password',
      /required when registry-username/,
    ));
});
