import { isUserError, UserError } from '../kit/errors.js';
import { execArgv } from '../kit/exec.js';
import { bashArgv } from '../migrations/command/tool.js';
import type { RegistryCredentials } from '../image/credentials.js';
import { openRegistry } from '../image/open-registry.js';
import { moveTag, type MoveTagResult } from '../image/promote.js';
import { imageRefVariable } from '../image/image-list.js';
import { withDigest, withTag, type ImageReference } from '../image/reference.js';
import type { RegistryClient } from '../image/registry-client.js';

/**
 * The image part of a rollback: the promoted tag goes back to the digest kept on the
 * previous tag (or a given digest), through the registry API, then the deploy command runs
 * with RUNBOOK_IMAGE_REF set to the image by digest. A release of several images (the
 * `images` input) moves every tag back, in list order, then runs the deploy command once.
 */

export interface ImageRollbackOptions {
  /** the entry's name in the `images` list; undefined for the single `image` input */
  name?: string;
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
        `${withTag(o.image, o.previousTag)} does not exist, so there is no previous image to go back to; ${o.name === undefined ? 'set to-digest' : 'give this entry of images a to-digest'}, or check previous-tag.`,
      );
    }
    target = previous.digest;
  } else if (!(await client.getManifest(repo, target))) {
    throw new UserError(`${withDigest(o.image, target)} does not exist in the registry.`);
  }
  const current = (await client.resolve(repo, o.promoteTag))?.digest;
  return { client, current, target, ref: withDigest(o.image, target), credentialSource };
}

/** `images 'backend': <message>` for an entry of the list; the message alone otherwise. */
function forEntry(o: ImageRollbackOptions, err: unknown, extra = ''): unknown {
  if (o.name === undefined || !isUserError(err)) return err;
  return new UserError(`images '${o.name}': ${err.message}${extra}`, { cause: err });
}

/**
 * Plans every image before anything moves: one entry without a previous image (or a
 * registry that refuses) stops the rollback with the entry named and no tag moved.
 */
export async function planImagesRollback(
  entries: readonly ImageRollbackOptions[],
): Promise<ImagePlan[]> {
  const plans: ImagePlan[] = [];
  for (const o of entries) {
    try {
      plans.push(await planImageRollback(o));
    } catch (err) {
      throw forEntry(o, err);
    }
  }
  return plans;
}

/**
 * Moves each tag back in list order. A failure names the entry and the ones already moved
 * (they are not moved forward again: a half rollback is re-run, not undone).
 */
export async function moveImagesBack(
  entries: readonly ImageRollbackOptions[],
  plans: readonly ImagePlan[],
  onMoved: (index: number, moved: MoveTagResult) => void,
): Promise<MoveTagResult[]> {
  const results: MoveTagResult[] = [];
  for (const [i, o] of entries.entries()) {
    try {
      results.push(await moveImageBack(o, plans[i]));
    } catch (err) {
      const done = entries.slice(0, i).map((e) => e.name);
      throw forEntry(
        o,
        err,
        done.length > 0 ? ` (already moved back: ${done.join(', ')})` : ' (no tag was moved)',
      );
    }
    onMoved(i, results[i]);
  }
  return results;
}

/**
 * The deploy command's variables: RUNBOOK_IMAGE_REF (the first image by digest), and for a
 * list RUNBOOK_IMAGE_REFS ({"backend": "…@sha256:…", …}) and RUNBOOK_IMAGE_REF_<NAME>.
 */
export function deployCommandVariables(
  images: ReadonlyArray<{ name?: string; ref: string }>,
): Record<string, string> {
  const vars: Record<string, string> = { RUNBOOK_IMAGE_REF: images[0].ref };
  const named = images.filter((i): i is { name: string; ref: string } => i.name !== undefined);
  if (named.length === 0) return vars;
  vars.RUNBOOK_IMAGE_REFS = JSON.stringify(Object.fromEntries(named.map((i) => [i.name, i.ref])));
  for (const i of named) vars[imageRefVariable(i.name)] = i.ref;
  return vars;
}

export async function moveImageBack(
  o: ImageRollbackOptions,
  plan: ImagePlan,
): Promise<MoveTagResult> {
  return moveTag(plan.client, o.image.repository, o.promoteTag, plan.target);
}

/**
 * The step's own inputs (INPUT_DATABASE-URL, INPUT_REGISTRY-PASSWORD, ...) are removed from
 * the command's environment: it gets what a `run:` step would get, plus the RUNBOOK_IMAGE_REF
 * variables.
 */
export function withoutActionInputs(env: NodeJS.ProcessEnv): Record<string, undefined> {
  const out: Record<string, undefined> = {};
  for (const k of Object.keys(env)) if (k.startsWith('INPUT_')) out[k] = undefined;
  return out;
}

/**
 * Runs the deploy command like a `run:` step (bash -c, the command text as written), with
 * the variables of deployCommandVariables.
 */
export async function runDeployCommand(
  command: string,
  variables: Record<string, string>,
  opts: { cwd: string; timeoutMs: number; log: (line: string) => void },
): Promise<number> {
  const r = await execArgv(bashArgv(command), {
    cwd: opts.cwd,
    env: { ...withoutActionInputs(process.env), ...variables },
    stdout: 'inherit',
    timeoutMs: opts.timeoutMs,
    onStderrLine: opts.log,
    label: 'deploy-command',
  });
  return r.durationMs;
}
