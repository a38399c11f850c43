import { UserError } from '../kit/errors.js';
import { isNotFound, type GitHub } from './client.js';
import {
  payloadForGitHub,
  payloadFrom,
  payloadImages,
  type Payload,
  type PayloadImage,
} from './deployment-payload.js';

/**
 * GitHub deployments as the record of what runs where: one per release of an
 * environment, its payload holding the rollback facts, its statuses saying how it went.
 * GitHub marks older successful deployments `inactive` when a newer one succeeds, so
 * "successful" here means: the last status that is not `inactive` is `success`.
 */

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  createdAt: string;
  payload: Payload;
}

export type FinishState = 'success' | 'failure' | 'error' | 'inactive';
export const FINISH_STATES: readonly FinishState[] = ['success', 'failure', 'error', 'inactive'];

interface DeploymentJson {
  id: number;
  sha: string;
  ref: string;
  environment?: string;
  created_at: string;
  payload: unknown;
}

function record(d: DeploymentJson, environment: string): DeploymentRecord {
  return {
    id: d.id,
    sha: d.sha,
    ref: d.ref,
    environment: d.environment ?? environment,
    createdAt: d.created_at,
    payload: payloadFrom(d.payload),
  };
}

/** The state that counts: the newest status other than `inactive` (undefined: none yet). */
export async function effectiveState(gh: GitHub, id: number): Promise<string | undefined> {
  // statuses come newest first; the first page almost always answers
  for await (const { data } of gh.octokit.paginate.iterator(
    gh.octokit.rest.repos.listDeploymentStatuses,
    {
      owner: gh.owner,
      repo: gh.repo,
      deployment_id: id,
      per_page: 30,
    },
  )) {
    const s = data.find((x) => x.state !== 'inactive');
    if (s) return s.state;
  }
  return undefined;
}

/** Deployments of an environment, newest first, read page by page as the caller goes. */
export async function* deploymentsOf(
  gh: GitHub,
  environment: string,
): AsyncGenerator<DeploymentRecord> {
  for await (const { data } of gh.octokit.paginate.iterator(gh.octokit.rest.repos.listDeployments, {
    owner: gh.owner,
    repo: gh.repo,
    environment,
    per_page: 50,
  })) {
    for (const d of data) yield record(d as DeploymentJson, environment);
  }
}

/** How far back the record is searched for a successful deployment. */
const SCAN_LIMIT = 200;

/** The newest successful deployment of the environment, skipping `except` (undefined: none). */
export async function lastSuccess(
  gh: GitHub,
  environment: string,
  opts: { except?: number; before?: number } = {},
): Promise<DeploymentRecord | undefined> {
  let seen = 0;
  for await (const d of deploymentsOf(gh, environment)) {
    if (++seen > SCAN_LIMIT) break;
    if (d.id === opts.except || (opts.before !== undefined && d.id >= opts.before)) continue;
    if ((await effectiveState(gh, d.id)) === 'success') return d;
  }
  return undefined;
}

export async function getDeployment(gh: GitHub, id: number): Promise<DeploymentRecord> {
  try {
    const { data } = await gh.octokit.rest.repos.getDeployment({
      owner: gh.owner,
      repo: gh.repo,
      deployment_id: id,
    });
    return record(data as DeploymentJson, '');
  } catch (err) {
    if (isNotFound(err))
      throw new UserError(`deployment ${id} does not exist in ${gh.owner}/${gh.repo}.`);
    throw err;
  }
}

export async function createDeployment(
  gh: GitHub,
  opts: { ref: string; environment: string; payload: Payload; description?: string },
): Promise<DeploymentRecord> {
  const since = Date.now() - 60_000;
  const res = await gh.octokit.rest.repos.createDeployment({
    owner: gh.owner,
    repo: gh.repo,
    ref: opts.ref,
    environment: opts.environment,
    task: 'deploy',
    // the release already passed its own checks; merging or waiting for contexts is not ours
    auto_merge: false,
    required_contexts: [],
    transient_environment: false,
    payload: payloadForGitHub(opts.payload),
    description: opts.description || undefined,
    // never two records of one release: after a 5xx, a deployment this call created is found
    request: { reconcile: () => findCreated(gh, opts, since) },
  });
  if (res.status !== 201 || !('id' in res.data)) {
    throw new UserError(
      `GitHub did not create the deployment of ${opts.ref} to ${opts.environment} (answer ${res.status}).`,
    );
  }
  return record(res.data as DeploymentJson, opts.environment);
}

export async function setStatus(
  gh: GitHub,
  id: number,
  state: FinishState | 'in_progress',
  opts: { description?: string; environmentUrl?: string } = {},
): Promise<void> {
  await gh.octokit.rest.repos.createDeploymentStatus({
    owner: gh.owner,
    repo: gh.repo,
    deployment_id: id,
    state,
    log_url: gh.runUrl,
    environment_url: opts.environmentUrl || undefined,
    description: opts.description ? opts.description.slice(0, 140) : undefined,
  });
}

/** What rollback takes from the record (the rollback inputs these facts fill). */
export interface RollbackFacts {
  /** the deployment being undone (the newest of the environment) */
  bad: DeploymentRecord;
  /** the deployment returned to */
  good: DeploymentRecord;
  image?: string;
  toDigest?: string;
  /**
   * For a release of several images: the rollback `images` input (JSON text of
   * [{name, image, to-digest}]), one entry per image of the bad release that has a digest
   * to go back to; undefined when the bad release's payload has no `images`.
   */
  images?: string;
  /** images of the bad release with nothing to go back to (added by it), left out */
  imagesLeftOut?: string[];
  migrationTool?: string;
  previousState?: string;
  backupSha256?: string;
  backupName?: string;
  backupArtifactId?: string;
  backupRunId?: string;
  backupCacheKey?: string;
}

/**
 * Resolves `from-deployment`: `last-success` (the newest successful deployment before the
 * newest one) or a deployment id to return to. The image is the good deployment's digest;
 * the migration state and the backup come from the deployment right after it, because
 * that one recorded the state before it migrated and the backup taken just before.
 */
export async function resolveRollback(
  gh: GitHub,
  environment: string,
  from: 'last-success' | number,
): Promise<RollbackFacts> {
  const newest: DeploymentRecord[] = [];
  let good: DeploymentRecord | undefined;
  let seen = 0;
  for await (const d of deploymentsOf(gh, environment)) {
    if (++seen > SCAN_LIMIT) break;
    if (newest.length > 0) {
      const hit =
        from === 'last-success' ? (await effectiveState(gh, d.id)) === 'success' : d.id === from;
      if (hit) {
        good = d;
        break;
      }
    }
    newest.push(d);
  }
  if (newest.length === 0)
    throw new UserError(`environment ${environment} has no deployments to roll back.`);
  if (!good) {
    throw new UserError(
      from === 'last-success'
        ? `environment ${environment} has no successful deployment before deployment ${newest[0].id}; nothing to return to.`
        : `deployment ${from} is not an earlier deployment of ${environment} (the newest is ${newest[0].id}).`,
    );
  }
  const next = newest[newest.length - 1];
  const p = good.payload;
  const n = next.payload;
  return {
    bad: newest[0],
    good,
    image: p.image ?? n.image,
    toDigest: p.digest ?? n['previous-digest'],
    ...imagesBack(newest[0].payload, p, n),
    migrationTool: n['migration-tool'],
    previousState: n['previous-state'],
    backupSha256: n['backup-sha256'],
    backupName: n['backup-name'],
    backupArtifactId: n['backup-artifact-id'],
    backupRunId: n['backup-run-id'],
    backupCacheKey: n['backup-cache-key'],
  };
}

/**
 * The digest of image `e` recorded in a payload: its entry of `images` by name, or, for a
 * payload written before the release had several images, the single image/digest keys
 * when they name the same image.
 */
function recorded(
  payload: Payload,
  e: PayloadImage,
  field: 'digest' | 'previous-digest',
): string | undefined {
  const list = payloadImages(payload);
  if (list !== undefined) return list.find((x) => x.name === e.name)?.[field] || undefined;
  return payload.image === e.image ? payload[field] : undefined;
}

/**
 * Each image of the bad release goes back to the good deployment's digest for it, else to
 * the previous-digest the next deployment recorded for it (the next one replaced it).
 */
function imagesBack(
  bad: Payload,
  good: Payload,
  next: Payload,
): Pick<RollbackFacts, 'images' | 'imagesLeftOut'> {
  const list = payloadImages(bad);
  if (list === undefined || list.length === 0) return {};
  const entries: Array<{ name: string; image: string; 'to-digest': string }> = [];
  const leftOut: string[] = [];
  for (const e of list) {
    const to = recorded(good, e, 'digest') ?? recorded(next, e, 'previous-digest');
    if (to) entries.push({ name: e.name, image: e.image, 'to-digest': to });
    else leftOut.push(e.name);
  }
  return {
    ...(entries.length > 0 ? { images: JSON.stringify(entries) } : {}),
    imagesLeftOut: leftOut,
  };
}

/**
 * The deployment a failed createDeployment may have created: same ref (as sha or name),
 * environment, description and payload, created since the call started (a minute of clock
 * skew allowed). Undefined when there is none.
 */
async function findCreated(
  gh: GitHub,
  opts: { ref: string; environment: string; payload: Payload; description?: string },
  since: number,
): Promise<DeploymentJson | undefined> {
  const { data } = await gh.octokit.rest.repos.listDeployments({
    owner: gh.owner,
    repo: gh.repo,
    environment: opts.environment,
    task: 'deploy',
    per_page: 20,
  });
  const want = JSON.stringify(payloadFrom(payloadForGitHub(opts.payload)));
  const found = (data as DeploymentJson[]).find(
    (d) =>
      (d.sha === opts.ref || d.ref === opts.ref) &&
      Date.parse(d.created_at) >= since &&
      ((d as { description?: string | null }).description ?? '') === (opts.description ?? '') &&
      JSON.stringify(payloadFrom(d.payload)) === want,
  );
  return found;
}
