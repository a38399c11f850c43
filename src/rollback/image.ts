import { UserError } from '../kit/errors.js';
import { execArgv } from '../kit/exec.js';
import { bashArgv } from '../migrations/command/tool.js';
import type { RegistryCredentials } from '../image/credentials.js';
import { openRegistry } from '../image/open-registry.js';
import { moveTag, type MoveTagResult } from '../image/promote.js';
import { withDigest, withTag, type ImageReference } from '../image/reference.js';
import type { RegistryClient } from '../image/registry-client.js';

/**
 * The image part of a rollback: the promoted tag goes back to the digest kept on the
 * previous tag (or a given digest), through the registry API, then the deploy command runs
 * with RUNBOOK_IMAGE_REF set to the image by digest.
 */

export interface ImageRollbackOptions {
  image: ImageReference;
  promoteTag: string;
  /** where the digest to go back to is read from, unless toDigest is given */
  previousTag: string;
  toDigest?: string;
  credentials?: RegistryCredentials;
  insecure: boolean;
}

export interface ImagePlan {
  client: RegistryClient;
  /** what promote-tag points to now (undefined: the tag does not exist) */
  current: string | undefined;
  /** the digest promote-tag goes back to */
  target: string;
  /** image@digest */
  ref: string;
  credentialSource: string;
}

/** Reads what the tags point to; changes nothing. */
export async function planImageRollback(o: ImageRollbackOptions): Promise<ImagePlan> {
  const { client, credentialSource } = await openRegistry(o.image, {
    credentials: o.credentials,
    insecure: o.insecure,
  });
  const repo = o.image.repository;
  let target = o.toDigest;
  if (target === undefined) {
    const previous = await client.resolve(repo, o.previousTag);
    if (!previous) {
      throw new UserError(
        `${withTag(o.image, o.previousTag)} does not exist, so there is no previous image to go back to; set to-digest, or check previous-tag.`,
      );
    }
    target = previous.digest;
  } else if (!(await client.getManifest(repo, target))) {
    throw new UserError(`${withDigest(o.image, target)} does not exist in the registry.`);
  }
  const current = (await client.resolve(repo, o.promoteTag))?.digest;
  return { client, current, target, ref: withDigest(o.image, target), credentialSource };
}

export async function moveImageBack(
  o: ImageRollbackOptions,
  plan: ImagePlan,
): Promise<MoveTagResult> {
  return moveTag(plan.client, o.image.repository, o.promoteTag, plan.target);
}

/**
 * The step's own inputs (INPUT_DATABASE-URL, INPUT_REGISTRY-PASSWORD, ...) are removed from
 * the command's environment: it gets what a `run:` step would get, plus RUNBOOK_IMAGE_REF.
 */
export function withoutActionInputs(env: NodeJS.ProcessEnv): Record<string, undefined> {
  const out: Record<string, undefined> = {};
  for (const k of Object.keys(env)) if (k.startsWith('INPUT_')) out[k] = undefined;
  return out;
}

/** Runs the deploy command like a `run:` step (bash -c, the command text as written). */
export async function runDeployCommand(
  command: string,
  imageRef: string,
  opts: { cwd: string; timeoutMs: number; log: (line: string) => void },
): Promise<number> {
  const r = await execArgv(bashArgv(command), {
    cwd: opts.cwd,
    env: { ...withoutActionInputs(process.env), RUNBOOK_IMAGE_REF: imageRef },
    stdout: 'inherit',
    timeoutMs: opts.timeoutMs,
    onStderrLine: opts.log,
    label: 'deploy-command',
  });
  return r.durationMs;
}
