/** What to build: everything a builder needs, already validated and resolved. */
export interface BuildSpec {
  /** the build context directory (absolute) */
  context: string;
  /** the Dockerfile (absolute) */
  file: string;
  /** full references to tag the image with: `registry/repository:tag` */
  tags: readonly string[];
  buildArgs: ReadonlyArray<readonly [string, string]>;
  labels: ReadonlyArray<readonly [string, string]>;
  target?: string;
  /** `linux/amd64`, ...; empty: the builder's default */
  platforms: readonly string[];
  push: boolean;
  /** the registries are plain http (pulls of base images and the push) */
  insecure: boolean;
}

/** Files and environment a build run uses: temp files for ids and digests, and the login. */
export interface BuildRunContext {
  /** a private temp directory for id/digest/metadata files */
  workDir: string;
  /** extra environment for the tool (e.g. DOCKER_CONFIG pointing at a temp login) */
  env: Record<string, string>;
  /** a containers auth file (docker config format) with the login, for buildah */
  authFile?: string;
  /** called with each line the tool writes to stderr (progress) */
  onLine?: (line: string) => void;
  timeoutMs?: number;
  /** a cancelled run: the build or push in progress is stopped */
  signal?: AbortSignal;
}

export type BuilderKind = 'buildx' | 'classic' | 'buildah';

export interface BuildOutcome {
  builder: BuilderKind;
  /** the references the tool pushed itself (the rest are tagged through the registry API) */
  pushed: string[];
  /** the digest the tool reported for what it pushed, when it reports one */
  reportedDigest?: string;
  /** the local image id, when the tool keeps one */
  imageId?: string;
  durationMs: number;
}

export interface Builder {
  readonly kind: BuilderKind;
  /** whether this builder can build for several platforms at once */
  readonly multiPlatform: boolean;
  build(spec: BuildSpec, ctx: BuildRunContext): Promise<BuildOutcome>;
}

/** `--flag k=v` pairs, in order. */
export function pairFlags(flag: string, pairs: ReadonlyArray<readonly [string, string]>): string[] {
  return pairs.flatMap(([k, v]) => [flag, `${k}=${v}`]);
}
