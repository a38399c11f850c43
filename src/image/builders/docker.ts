import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execArgv } from '../../kit/exec.js';
import type { BuildOutcome, BuildRunContext, BuildSpec, Builder } from './types.js';
import { pairFlags } from './types.js';

/** `docker buildx build ...`: all tags pushed by buildx itself, several platforms allowed. */
export function buildxArgv(spec: BuildSpec, metadataFile: string, docker = 'docker'): string[] {
  const argv = [docker, 'buildx', 'build', '--file', spec.file];
  if (spec.target) argv.push('--target', spec.target);
  if (spec.platforms.length > 0) argv.push('--platform', spec.platforms.join(','));
  argv.push(...pairFlags('--build-arg', spec.buildArgs));
  argv.push(...pairFlags('--label', spec.labels));
  for (const tag of spec.tags) argv.push('--tag', tag);
  if (spec.push) {
    // the docker-container driver pushes from BuildKit, which needs to be told about plain http
    argv.push(
      '--output',
      spec.insecure ? 'type=image,push=true,registry.insecure=true' : 'type=image,push=true',
    );
  } else if (spec.platforms.length <= 1) {
    argv.push('--load');
  }
  argv.push('--metadata-file', metadataFile, spec.context);
  return argv;
}

/** `docker build ...` with the classic builder (DOCKER_BUILDKIT=0): one platform at most. */
export function classicBuildArgv(spec: BuildSpec, iidFile: string, docker = 'docker'): string[] {
  if (spec.platforms.length > 1) {
    throw new Error('the classic docker builder builds one platform at a time');
  }
  const argv = [docker, 'build', '--file', spec.file];
  if (spec.target) argv.push('--target', spec.target);
  if (spec.platforms.length === 1) argv.push('--platform', spec.platforms[0]);
  argv.push(...pairFlags('--build-arg', spec.buildArgs));
  argv.push(...pairFlags('--label', spec.labels));
  for (const tag of spec.tags) argv.push('--tag', tag);
  argv.push('--iidfile', iidFile, spec.context);
  return argv;
}

export function dockerPushArgv(ref: string, docker = 'docker'): string[] {
  return [docker, 'push', ref];
}

export function dockerBuildxProbeArgv(docker = 'docker'): string[] {
  return [docker, 'buildx', 'version'];
}

/** buildx is there when `docker buildx version` works (the plugin may be missing). */
export async function hasBuildx(env: Record<string, string> = {}): Promise<boolean> {
  const result = await execArgv(dockerBuildxProbeArgv(), {
    env,
    allowFailure: true,
    stdout: 'ignore',
    timeoutMs: 30_000,
  }).catch(() => undefined);
  return result?.exitCode === 0;
}

interface BuildxMetadata {
  'containerimage.digest'?: string;
  'containerimage.config.digest'?: string;
}

export const buildxBuilder: Builder = {
  kind: 'buildx',
  multiPlatform: true,
  async build(spec: BuildSpec, ctx: BuildRunContext): Promise<BuildOutcome> {
    const metadataFile = join(ctx.workDir, 'buildx-metadata.json');
    const started = Date.now();
    await execArgv(buildxArgv(spec, metadataFile), {
      env: ctx.env,
      stdout: 'inherit',
      onStderrLine: ctx.onLine,
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
      label: 'docker buildx build',
    });
    let metadata: BuildxMetadata = {};
    try {
      metadata = JSON.parse(await readFile(metadataFile, 'utf8')) as BuildxMetadata;
    } catch {
      // older buildx versions may not write it; the registry tells the digest anyway
    }
    return {
      builder: 'buildx',
      pushed: spec.push ? [...spec.tags] : [],
      reportedDigest: spec.push ? metadata['containerimage.digest'] : undefined,
      imageId: metadata['containerimage.config.digest'],
      durationMs: Date.now() - started,
    };
  },
};

export const classicBuilder: Builder = {
  kind: 'classic',
  multiPlatform: false,
  async build(spec: BuildSpec, ctx: BuildRunContext): Promise<BuildOutcome> {
    const iidFile = join(ctx.workDir, 'docker-iid');
    const started = Date.now();
    const env = { ...ctx.env, DOCKER_BUILDKIT: '0' };
    await execArgv(classicBuildArgv(spec, iidFile), {
      env,
      stdout: 'inherit',
      onStderrLine: ctx.onLine,
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
      label: 'docker build',
    });
    const imageId = (await readFile(iidFile, 'utf8')).trim();
    let reportedDigest: string | undefined;
    const pushed: string[] = [];
    if (spec.push) {
      // one push; the other tags are added through the registry API by digest
      const result = await execArgv(dockerPushArgv(spec.tags[0]), {
        env,
        onStderrLine: ctx.onLine,
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        label: 'docker push',
      });
      process.stdout.write(result.stdout);
      reportedDigest = /digest: (sha256:[a-f0-9]{64})/.exec(result.stdout)?.[1];
      pushed.push(spec.tags[0]);
    }
    return {
      builder: 'classic',
      pushed,
      reportedDigest,
      imageId,
      durationMs: Date.now() - started,
    };
  },
};
