import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execArgv } from '../../kit/exec.js';
import type { BuildOutcome, BuildRunContext, BuildSpec, Builder } from './types.js';
import { pairFlags } from './types.js';

/**
 * Storage and isolation for buildah. Left empty, buildah's own configuration applies
 * (and it reads STORAGE_DRIVER and BUILDAH_ISOLATION from the environment); inside an
 * unprivileged container `vfs` + `chroot` are the settings that always work.
 */
export interface BuildahOptions {
  storageDriver?: string;
  isolation?: string;
  /** containers auth file (docker config format) with the registry login */
  authFile?: string;
}

function globalFlags(opts: BuildahOptions): string[] {
  return opts.storageDriver ? ['--storage-driver', opts.storageDriver] : [];
}

export function buildahBuildArgv(
  spec: BuildSpec,
  iidFile: string,
  opts: BuildahOptions = {},
): string[] {
  if (spec.platforms.length > 1) throw new Error('buildah builds one platform at a time here');
  const argv = ['buildah', ...globalFlags(opts), 'build', '--file', spec.file];
  if (spec.target) argv.push('--target', spec.target);
  if (spec.platforms.length === 1) argv.push('--platform', spec.platforms[0]);
  if (opts.isolation) argv.push('--isolation', opts.isolation);
  argv.push(...pairFlags('--build-arg', spec.buildArgs));
  argv.push(...pairFlags('--label', spec.labels));
  for (const tag of spec.tags) argv.push('--tag', tag);
  // base images may come from the same plain-http registry
  if (spec.insecure) argv.push('--tls-verify=false');
  if (opts.authFile) argv.push('--authfile', opts.authFile);
  argv.push('--iidfile', iidFile, spec.context);
  return argv;
}

export function buildahPushArgv(
  ref: string,
  digestFile: string,
  insecure: boolean,
  opts: BuildahOptions = {},
): string[] {
  const argv = ['buildah', ...globalFlags(opts), 'push'];
  if (insecure) argv.push('--tls-verify=false');
  if (opts.authFile) argv.push('--authfile', opts.authFile);
  argv.push('--digestfile', digestFile, ref, `docker://${ref}`);
  return argv;
}

export function buildahBuilder(base: Omit<BuildahOptions, 'authFile'> = {}): Builder {
  return {
    kind: 'buildah',
    multiPlatform: false,
    async build(spec: BuildSpec, ctx: BuildRunContext): Promise<BuildOutcome> {
      const opts: BuildahOptions = { ...base, authFile: ctx.authFile };
      const iidFile = join(ctx.workDir, 'buildah-iid');
      const started = Date.now();
      await execArgv(buildahBuildArgv(spec, iidFile, opts), {
        env: ctx.env,
        stdout: 'inherit',
        onStderrLine: ctx.onLine,
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        label: 'buildah build',
      });
      const imageId = (await readFile(iidFile, 'utf8')).trim();
      let reportedDigest: string | undefined;
      const pushed: string[] = [];
      if (spec.push) {
        const digestFile = join(ctx.workDir, 'buildah-digest');
        await execArgv(buildahPushArgv(spec.tags[0], digestFile, spec.insecure, opts), {
          env: ctx.env,
          stdout: 'inherit',
          onStderrLine: ctx.onLine,
          timeoutMs: ctx.timeoutMs,
          signal: ctx.signal,
          label: 'buildah push',
        });
        reportedDigest = (await readFile(digestFile, 'utf8')).trim();
        pushed.push(spec.tags[0]);
      }
      return {
        builder: 'buildah',
        pushed,
        reportedDigest,
        imageId,
        durationMs: Date.now() - started,
      };
    },
  };
}
