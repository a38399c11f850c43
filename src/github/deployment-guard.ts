import { UserError } from '../kit/errors.js';
import { isNotFound, type GitHub } from './client.js';
import { lastSuccess, type DeploymentRecord } from './deployments.js';

/**
 * Refuses a stale deploy before anything changes. Two rules, both needed:
 * - the branch head moved past the commit: a newer commit exists and its own run will
 *   deploy it, so this (older) one must not overwrite it when approved later;
 * - a newer run already deployed successfully: the environment's last successful
 *   deployment was made by a run with a higher id (run ids only grow) and another commit.
 *   This covers deploys of tags or dispatched commits, where there is no branch to watch.
 */

export interface GuardResult {
  previous?: DeploymentRecord;
}

const short = (sha: string): string => sha.slice(0, 7);

export async function guardDeploy(
  gh: GitHub,
  opts: { environment: string; ref: string; branch?: string; runId?: number },
): Promise<GuardResult> {
  if (opts.branch) {
    let head: string;
    try {
      const { data } = await gh.octokit.rest.repos.getBranch({
        owner: gh.owner,
        repo: gh.repo,
        branch: opts.branch,
      });
      head = data.commit.sha;
    } catch (err) {
      if (isNotFound(err))
        throw new UserError(
          `branch ${opts.branch} does not exist; cannot tell whether ${short(opts.ref)} is still its head.`,
        );
      throw err;
    }
    if (head !== opts.ref) {
      throw new UserError(
        `stale deploy refused: branch ${opts.branch} moved on to ${short(head)} since ${short(opts.ref)}; the newer commit's run deploys it (re-run this one only to deploy ${short(head)}).`,
      );
    }
  }
  const previous = await lastSuccess(gh, opts.environment);
  const theirRun = previous?.payload['run-id'] ? Number(previous.payload['run-id']) : undefined;
  if (
    previous &&
    previous.sha !== opts.ref &&
    opts.runId !== undefined &&
    theirRun !== undefined &&
    theirRun > opts.runId
  ) {
    throw new UserError(
      `stale deploy refused: a newer run (${theirRun}) already deployed ${short(previous.sha)} to ${opts.environment} (deployment ${previous.id}, ${previous.createdAt}); this run (${opts.runId}) would put the older ${short(opts.ref)} over it.`,
    );
  }
  return { previous };
}
