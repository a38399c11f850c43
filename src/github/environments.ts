import { UserError } from '../kit/errors.js';
import { GitHubApiError, isNotFound, type GitHub } from './client.js';
import {
  reviewerName,
  type BranchPolicy,
  type EnvironmentSpec,
  type Reviewer,
} from './environments-file.js';

/**
 * GitHub environments as they are (read through the REST API) against what the
 * environments file asks for: the drift between them, and the writes that remove it.
 */

export interface LiveEnvironment {
  name: string;
  reviewers: string[];
  waitTimerMinutes: number;
  preventSelfReview: boolean;
  canAdminsBypass: boolean;
  branchPolicy: BranchPolicy;
}

export interface Drift {
  environment: string;
  setting: string;
  want: string;
  have: string;
}

interface ReviewerJson {
  type?: string;
  reviewer?: { login?: string; slug?: string; html_url?: string; url?: string } | null;
}
interface RuleJson {
  type?: string;
  wait_timer?: number;
  prevent_self_review?: boolean;
  reviewers?: ReviewerJson[];
}
interface EnvironmentJson {
  name: string;
  can_admins_bypass?: boolean;
  protection_rules?: RuleJson[];
  deployment_branch_policy?: {
    protected_branches: boolean;
    custom_branch_policies: boolean;
  } | null;
}

export const PLAN_LIMIT_HINT =
  'use sign-off-mode: issue (actions/sign-off), which collects /approve comments from the approvers listed in the environments file.';

/** True when GitHub refused protection rules because of the plan (422, billing). */
export function isPlanLimit(err: unknown): boolean {
  return (
    err instanceof GitHubApiError &&
    err.status === 422 &&
    /billing plan|protected branch gate|protection rule/i.test(err.message)
  );
}

export function planLimitLine(gh: GitHub, visibility: string): string {
  return `${gh.owner}/${gh.repo} is ${visibility}: its plan cannot hold required reviewers or wait timers on environments (GitHub Free/Pro/Team offer them on public repositories only); ${PLAN_LIMIT_HINT}`;
}

/** The repository's visibility (public, private, internal), from GET /repos/{owner}/{repo}. */
export async function repoVisibility(gh: GitHub): Promise<string> {
  const { data } = await gh.octokit.rest.repos.get({ owner: gh.owner, repo: gh.repo });
  return data.visibility ?? (data.private ? 'private' : 'public');
}

function teamName(r: ReviewerJson['reviewer'], fallbackOrg: string): string {
  const where = `${r?.html_url ?? ''} ${r?.url ?? ''}`;
  const m = /\/orgs\/([^/]+)\/teams\//.exec(where);
  return `${m ? m[1] : fallbackOrg}/${r?.slug ?? '?'}`;
}

export function liveFromJson(
  e: EnvironmentJson,
  owner: string,
  patterns: string[],
): LiveEnvironment {
  const rules = e.protection_rules ?? [];
  const reviewersRule = rules.find((r) => r.type === 'required_reviewers');
  const waitRule = rules.find((r) => r.type === 'wait_timer');
  const policy = e.deployment_branch_policy;
  return {
    name: e.name,
    reviewers: (reviewersRule?.reviewers ?? []).map((r) =>
      r.type === 'Team' ? teamName(r.reviewer, owner) : (r.reviewer?.login ?? '?'),
    ),
    waitTimerMinutes: waitRule?.wait_timer ?? 0,
    preventSelfReview: reviewersRule?.prevent_self_review ?? false,
    // GitHub's default when the field was never set: administrators may bypass
    canAdminsBypass: e.can_admins_bypass ?? true,
    branchPolicy: !policy
      ? { kind: 'all' }
      : policy.protected_branches
        ? { kind: 'protected-branches' }
        : { kind: 'custom', patterns },
  };
}

/** One environment as it is, or undefined when it does not exist. */
/** The names of every environment of the repository. */
export async function listEnvironmentNames(gh: GitHub): Promise<string[]> {
  const names: string[] = [];
  for (let page = 1; page <= 20; page++) {
    const { data } = await gh.octokit.rest.repos.getAllEnvironments({
      owner: gh.owner,
      repo: gh.repo,
      per_page: 100,
      page,
    });
    const batch = data.environments ?? [];
    names.push(...batch.map((e) => e.name));
    if (batch.length < 100 || names.length >= (data.total_count ?? 0)) break;
  }
  return names;
}

export async function readEnvironment(
  gh: GitHub,
  name: string,
): Promise<LiveEnvironment | undefined> {
  let data: EnvironmentJson;
  try {
    data = (
      await gh.octokit.rest.repos.getEnvironment({
        owner: gh.owner,
        repo: gh.repo,
        environment_name: name,
      })
    ).data as EnvironmentJson;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  let patterns: string[] = [];
  if (data.deployment_branch_policy?.custom_branch_policies) {
    const list = await gh.octokit.paginate(gh.octokit.rest.repos.listDeploymentBranchPolicies, {
      owner: gh.owner,
      repo: gh.repo,
      environment_name: name,
      per_page: 100,
    });
    patterns = list.map((p) => p.name ?? '').filter(Boolean);
  }
  return liveFromJson(data, gh.owner, patterns);
}

export function describePolicy(p: BranchPolicy): string {
  return p.kind === 'custom' ? `custom: ${[...p.patterns].sort().join(', ')}` : p.kind;
}

const yes = (b: boolean): string => (b ? 'true' : 'false');

/** What differs between the file's spec and the live environment (empty: in sync). */
export function driftOf(spec: EnvironmentSpec, live: LiveEnvironment | undefined): Drift[] {
  const d = (setting: string, want: string, have: string): Drift => ({
    environment: spec.name,
    setting,
    want,
    have,
  });
  if (!live) return [d('exists', 'yes', 'no (missing)')];
  const out: Drift[] = [];
  const want = spec.reviewers.map((r) => reviewerName(r).toLowerCase()).sort();
  const have = live.reviewers.map((r) => r.toLowerCase()).sort();
  if (want.join(',') !== have.join(','))
    out.push(d('reviewers', want.join(', ') || '(none)', have.join(', ') || '(none)'));
  if (spec.waitTimerMinutes !== live.waitTimerMinutes)
    out.push(d('wait-timer', `${spec.waitTimerMinutes}m`, `${live.waitTimerMinutes}m`));
  if (spec.reviewers.length > 0 && spec.preventSelfReview !== live.preventSelfReview)
    out.push(d('prevent-self-review', yes(spec.preventSelfReview), yes(live.preventSelfReview)));
  if (spec.canAdminsBypass !== live.canAdminsBypass)
    out.push(d('can-admins-bypass', yes(spec.canAdminsBypass), yes(live.canAdminsBypass)));
  if (describePolicy(spec.branchPolicy) !== describePolicy(live.branchPolicy))
    out.push(
      d(
        'deployment-branch-policy',
        describePolicy(spec.branchPolicy),
        describePolicy(live.branchPolicy),
      ),
    );
  return out;
}

export interface ReviewerId {
  type: 'User' | 'Team';
  id: number;
}

/** The ids of the file's logins and team slugs; an unknown one is a clear error naming it. */
export async function resolveReviewers(
  gh: GitHub,
  reviewers: Reviewer[],
): Promise<Map<string, ReviewerId>> {
  const out = new Map<string, ReviewerId>();
  for (const r of reviewers) {
    const key = reviewerName(r).toLowerCase();
    if (out.has(key)) continue;
    try {
      if (r.kind === 'user') {
        const { data } = await gh.octokit.rest.users.getByUsername({ username: r.login });
        out.set(key, { type: 'User', id: data.id });
      } else {
        const { data } = await gh.octokit.rest.teams.getByName({ org: r.org, team_slug: r.slug });
        out.set(key, { type: 'Team', id: data.id });
      }
    } catch (err) {
      if (isNotFound(err)) {
        throw new UserError(
          r.kind === 'user'
            ? `reviewer ${r.login}: no such GitHub user.`
            : `reviewer ${reviewerName(r)}: no such team (or the token cannot see it: it needs read:org / members: read).`,
        );
      }
      throw err;
    }
  }
  return out;
}

function policyBody(
  p: BranchPolicy,
): { protected_branches: boolean; custom_branch_policies: boolean } | null {
  if (p.kind === 'all') return null;
  return {
    protected_branches: p.kind === 'protected-branches',
    custom_branch_policies: p.kind === 'custom',
  };
}

/**
 * Creates or updates one environment to match its spec. When the plan refuses the
 * protection rules, the environment is still created with what the plan allows and
 * `limited` is true.
 */
export async function applyEnvironment(
  gh: GitHub,
  spec: EnvironmentSpec,
  ids: Map<string, ReviewerId>,
): Promise<{ limited: boolean }> {
  const base = {
    owner: gh.owner,
    repo: gh.repo,
    environment_name: spec.name,
    can_admins_bypass: spec.canAdminsBypass,
    deployment_branch_policy: policyBody(spec.branchPolicy),
  };
  let limited = false;
  try {
    await gh.octokit.rest.repos.createOrUpdateEnvironment({
      ...base,
      wait_timer: spec.waitTimerMinutes,
      prevent_self_review: spec.preventSelfReview,
      reviewers: spec.reviewers.map((r) => ids.get(reviewerName(r).toLowerCase()) as ReviewerId),
    });
  } catch (err) {
    if (!isPlanLimit(err)) throw err;
    limited = true;
    await gh.octokit.rest.repos.createOrUpdateEnvironment(base);
  }
  if (spec.branchPolicy.kind === 'custom') {
    const existing = await gh.octokit.paginate(gh.octokit.rest.repos.listDeploymentBranchPolicies, {
      owner: gh.owner,
      repo: gh.repo,
      environment_name: spec.name,
      per_page: 100,
    });
    const want = new Set(spec.branchPolicy.patterns);
    for (const p of existing) {
      if (p.id !== undefined && !want.has(p.name ?? '')) {
        await gh.octokit.rest.repos.deleteDeploymentBranchPolicy({
          owner: gh.owner,
          repo: gh.repo,
          environment_name: spec.name,
          branch_policy_id: p.id,
        });
      }
    }
    const have = new Set(existing.map((p) => p.name));
    for (const name of spec.branchPolicy.patterns) {
      if (!have.has(name)) {
        await gh.octokit.rest.repos.createDeploymentBranchPolicy({
          owner: gh.owner,
          repo: gh.repo,
          environment_name: spec.name,
          name,
          type: 'branch',
        });
      }
    }
  }
  return { limited };
}
