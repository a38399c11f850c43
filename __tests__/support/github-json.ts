import type {
  Comment,
  Deployment,
  DeploymentStatus,
  Environment,
  GitHubState,
  Issue,
  Team,
  User,
} from './github-state.js';

/** The JSON shapes of GitHub's REST API answers, as the GitHub stand-in sends them. */

type Obj = Record<string, unknown>;

export function userJson(u: User): Obj {
  return {
    login: u.login,
    id: u.id,
    node_id: u.node_id,
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    url: `https://api.github.com/users/${u.login}`,
    html_url: u.html_url,
    type: u.type,
    site_admin: false,
  };
}

export function teamJson(t: Team): Obj {
  return {
    id: t.id,
    node_id: t.node_id,
    name: t.name,
    slug: t.slug,
    description: null,
    privacy: 'closed',
    permission: 'pull',
    url: `https://api.github.com/orgs/${t.org}/teams/${t.slug}`,
    html_url: `https://github.com/orgs/${t.org}/teams/${t.slug}`,
  };
}

export function environmentJson(s: GitHubState, e: Environment, base: string): Obj {
  const rules: Obj[] = [];
  if (e.wait_timer > 0)
    rules.push({
      id: e.id * 10 + 1,
      node_id: `GA_${e.id}w`,
      type: 'wait_timer',
      wait_timer: e.wait_timer,
    });
  if (e.reviewers.length > 0)
    rules.push({
      id: e.id * 10 + 2,
      node_id: `GA_${e.id}r`,
      type: 'required_reviewers',
      prevent_self_review: e.prevent_self_review,
      reviewers: e.reviewers.map((r) => {
        const team = [...s.teams.values()].find((t) => t.id === r.id);
        const user = [...s.users.values()].find((u) => u.id === r.id);
        return {
          type: r.type,
          reviewer:
            r.type === 'Team' && team ? teamJson(team) : user ? userJson(user) : { id: r.id },
        };
      }),
    });
  if (e.deployment_branch_policy)
    rules.push({ id: e.id * 10 + 3, node_id: `GA_${e.id}b`, type: 'branch_policy' });
  const repo = `${s.repo.owner}/${s.repo.name}`;
  return {
    id: e.id,
    node_id: `EN_${e.id}`,
    name: e.name,
    url: `${base}/repos/${repo}/environments/${encodeURIComponent(e.name)}`,
    html_url: `https://github.com/${repo}/deployments/activity_log?environments_filter=${encodeURIComponent(e.name)}`,
    created_at: e.created_at,
    updated_at: e.updated_at,
    can_admins_bypass: e.can_admins_bypass,
    protection_rules: rules,
    deployment_branch_policy: e.deployment_branch_policy,
  };
}

export function deploymentJson(s: GitHubState, d: Deployment, base: string): Obj {
  const repo = `${base}/repos/${s.repo.owner}/${s.repo.name}`;
  return {
    url: `${repo}/deployments/${d.id}`,
    id: d.id,
    node_id: `DE_${d.id}`,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: userJson(s.user(s.tokenUser)),
    created_at: d.created_at,
    updated_at: d.statuses.at(-1)?.created_at ?? d.created_at,
    statuses_url: `${repo}/deployments/${d.id}/statuses`,
    repository_url: repo,
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
  };
}

export function statusJson(s: GitHubState, d: Deployment, st: DeploymentStatus, base: string): Obj {
  const repo = `${base}/repos/${s.repo.owner}/${s.repo.name}`;
  return {
    url: `${repo}/deployments/${d.id}/statuses/${st.id}`,
    id: st.id,
    node_id: `DES_${st.id}`,
    state: st.state,
    creator: userJson(s.user(s.tokenUser)),
    description: st.description,
    environment: st.environment,
    target_url: st.log_url,
    log_url: st.log_url,
    environment_url: st.environment_url,
    created_at: st.created_at,
    updated_at: st.created_at,
    deployment_url: `${repo}/deployments/${d.id}`,
    repository_url: repo,
  };
}

export function issueJson(s: GitHubState, i: Issue, base: string): Obj {
  const repo = `${s.repo.owner}/${s.repo.name}`;
  return {
    id: i.id,
    node_id: `I_${i.id}`,
    url: `${base}/repos/${repo}/issues/${i.number}`,
    html_url: `https://github.com/${repo}/issues/${i.number}`,
    number: i.number,
    state: i.state,
    title: i.title,
    body: i.body,
    user: userJson(s.user(i.user)),
    labels: i.labels.map((name, n) => ({
      id: n + 1,
      node_id: `LA_${n}`,
      name,
      color: 'ededed',
      default: false,
    })),
    comments: s.comments.filter((c) => c.issue === i.number).length,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: null,
    author_association: 'NONE',
  };
}

export function commentJson(s: GitHubState, c: Comment, base: string): Obj {
  const repo = `${s.repo.owner}/${s.repo.name}`;
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base}/repos/${repo}/issues/comments/${c.id}`,
    html_url: `https://github.com/${repo}/issues/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${base}/repos/${repo}/issues/${c.issue}`,
    body: c.body,
    user: userJson(s.user(c.user)),
    created_at: c.created_at,
    updated_at: c.created_at,
    author_association: 'COLLABORATOR',
  };
}
