import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../kit/errors.js';
import { buildahBuilder } from './builders/buildah.js';
import type { BuildahOptions } from './builders/buildah.js';
import { buildxBuilder, classicBuilder, hasBuildx } from './builders/docker.js';
import type { BuildOutcome, BuildSpec, Builder } from './builders/types.js';
import type { RegistryCredentials } from './credentials.js';
import { writeTempLogin } from './docker-login.js';
import type { ImageReference } from './reference.js';
import { withTag } from './reference.js';
import type { RegistryClient } from './registry-client.js';

export type BuilderChoice = 'docker' | 'buildah';

/** `docker`: buildx when its plugin answers, else the classic builder; `buildah`: buildah. */
export async function selectBuilder(
  choice: BuilderChoice,
  buildah: BuildahOptions = {},
): Promise<Builder> {
  if (choice === 'buildah') return buildahBuilder(buildah);
  return (await hasBuildx()) ? buildxBuilder : classicBuilder;
}

export interface BuildPushRequest {
  image: ImageReference;
  /** tag names (not references) */
  tags: readonly string[];
  spec: Omit<BuildSpec, 'tags'>;
  builder: Builder;
  /** the login the tools and the registry client use; undefined: the tools' own config */
  credentials?: RegistryCredentials;
  /** the registry client for the image's registry (with the login docker would use) */
  client: RegistryClient;
  /** where temp files go (RUNNER_TEMP) */
  tempRoot?: string;
  /** for each build and push command; default 1 hour (a hung build must not hold the runner) */
  timeoutMs?: number;
  onLine?: (line: string) => void;
  /** a cancelled run: the tool is stopped, and no tag is written after it aborted */
  signal?: AbortSignal;
}

export interface BuildPushResult {
  outcome: BuildOutcome;
  /** the registry's digest of the pushed image (undefined when not pushed) */
  digest?: string;
  /** the full references now in the registry (or built locally when not pushed) */
  refs: string[];
  /** the labels read back from the pushed image's config */
  labels?: Record<string, string>;
  durationMs: number;
}

/**
 * Builds once, pushes once, and puts every other tag onto the same digest through the
 * registry API. The digest reported is the registry's, checked for every tag.
 */
export async function buildAndPush(req: BuildPushRequest): Promise<BuildPushResult> {
  const started = Date.now();
  const refs = req.tags.map((t) => withTag(req.image, t));
  const workDir = await mkdtemp(join(req.tempRoot ?? tmpdir(), 'build-push-'));
  try {
    const env: Record<string, string> = {};
    let authFile: string | undefined;
    if (req.credentials) {
      const login = await writeTempLogin(
        join(workDir, 'docker-config'),
        req.image.registry,
        req.credentials,
      );
      env.DOCKER_CONFIG = login.configDir;
      authFile = login.authFile;
    }
    const outcome = await req.builder.build(
      { ...req.spec, tags: refs },
      {
        workDir,
        env,
        authFile,
        onLine: req.onLine,
        timeoutMs: req.timeoutMs ?? 3_600_000,
        signal: req.signal,
      },
    );
    if (!req.spec.push) return { outcome, refs, durationMs: Date.now() - started };

    const client = req.client;
    const repo = req.image.repository;
    const first = await client.getManifest(repo, req.tags[0]);
    if (!first) throw new UserError(`${refs[0]} is not in the registry after the push.`);
    if (outcome.reportedDigest && outcome.reportedDigest !== first.digest) {
      throw new UserError(
        `${outcome.builder} reported ${outcome.reportedDigest} for ${refs[0]} but the registry holds ${first.digest}.`,
      );
    }
    for (const [i, tag] of req.tags.entries()) {
      if (i === 0) continue;
      // a tag is only ever written after its manifest is complete in the registry; a
      // cancelled run stops here, before the next one
      if (req.signal?.aborted) throw new BuildCancelled(first.digest);
      if (outcome.pushed.includes(refs[i])) {
        const got = await client.resolve(repo, tag);
        if (got?.digest !== first.digest) {
          throw new UserError(
            `${refs[i]} points to ${got?.digest ?? 'nothing'}, not to ${first.digest} like ${refs[0]}.`,
          );
        }
      } else {
        await client.putManifest(repo, tag, first);
      }
    }
    const config = await client.getImageConfig(
      repo,
      first.digest,
      platformOf(req.spec.platforms[0]),
    );
    return {
      outcome,
      digest: first.digest,
      refs,
      labels: config.labels,
      durationMs: Date.now() - started,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The run was cancelled after the image was pushed, before every tag was written. */
export class BuildCancelled extends UserError {
  readonly digest: string;
  constructor(digest: string) {
    super(`cancelled after pushing ${digest}`);
    this.name = 'BuildCancelled';
    this.digest = digest;
  }
}

function platformOf(
  platform: string | undefined,
): { os: string; architecture: string } | undefined {
  if (!platform) return undefined;
  const [os, architecture] = platform.split('/');
  return { os, architecture };
}
