import type { GitHub } from './client.js';
import { planLimitLine, readEnvironment, repoVisibility } from './environments.js';

/**
 * Sign-off that fails closed: before anything is built or changed, every sign-off
 * environment (and production) must exist, have at least one required reviewer and not
 * let administrators bypass it. A job that names a missing environment would create it
 * with no protection at all, so a typo would skip the approval.
 */

export interface PreflightProblem {
  environment: string;
  problem: string;
  fix: string;
}

const APPLY = 'runbook environments apply --file .github/runbook-environments.yml';

export async function preflight(
  gh: GitHub,
  environments: string[],
): Promise<{ problems: PreflightProblem[]; warnings: string[]; planLine?: string }> {
  const problems: PreflightProblem[] = [];
  const warnings: string[] = [];
  for (const name of environments) {
    const live = await readEnvironment(gh, name);
    if (!live) {
      problems.push({
        environment: name,
        problem: 'does not exist (a job naming it would create it with no protection rules)',
        fix: `create it with required reviewers: ${APPLY}`,
      });
      continue;
    }
    if (live.reviewers.length === 0) {
      problems.push({
        environment: name,
        problem: 'has no required reviewers',
        fix: `add at least one reviewer in the environments file and run ${APPLY} (or Settings → Environments → ${name} → Required reviewers)`,
      });
    }
    if (live.reviewers.length > 0 && !live.preventSelfReview) {
      // not fatal: a single-person team may need it, but it should be a decision
      warnings.push(
        `environment ${name} lets the person who started the run approve it; set prevent-self-review: true unless that is intended.`,
      );
    }
    if (live.canAdminsBypass) {
      problems.push({
        environment: name,
        problem: 'lets administrators bypass its protection rules',
        fix: `set can-admins-bypass: false and run ${APPLY} (or untick "Allow administrators to bypass configured protection rules")`,
      });
    }
  }
  let planLine: string | undefined;
  if (problems.some((p) => !p.problem.startsWith('lets'))) {
    const visibility = await repoVisibility(gh);
    if (visibility !== 'public')
      planLine = `${planLimitLine(gh, visibility)} (unless the plan is Enterprise)`;
  }
  return { problems, warnings, planLine };
}

export function problemLine(p: PreflightProblem): string {
  return `environment ${p.environment} ${p.problem}; fix: ${p.fix}.`;
}
