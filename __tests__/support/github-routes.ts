import { now, type Environment, type GitHubState, type Issue } from './github-state.js';
import {
  commentJson,
  deploymentJson,
  environmentJson,
  issueJson,
  statusJson,
  teamJson,
  userJson,
} from './github-json.js';

/** The REST endpoints of the GitHub stand-in, answering in GitHub's JSON shapes. */

export interface Request {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Obj = Record<string, unknown>;
const DOCS = 'https://docs.github.com/rest';
const notFound = (): Answer => ({
  status: 404,
  body: { message: 'Not Found', documentation_url: DOCS, status: '404' },
});
const invalid = (message: string): Answer => ({
  status: 422,
  body: { message, documentation_url: DOCS, status: '422' },
});
const obj = (b: unknown): Obj =>
  b && typeof b === 'object' && !Array.isArray(b) ? (b as Obj) : {};

/** One page of items with GitHub's Link header (per_page default 30, at most 100). */
function page<T>(req: Request, base: string, items: T[], wrap?: (slice: T[]) => unknown): Answer {
  const perPage = Math.min(Math.max(Number(req.query.per_page ?? 30) || 30, 1), 100);
  const pageNo = Math.max(Number(req.query.page ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage);
  const link = (p: number): string => {
    const u = new URL(`${base}${req.path}`);
    for (const [k, v] of Object.entries(req.query)) u.searchParams.set(k, v);
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(p));
    return u.toString();
  };
  const rels: string[] = [];
  if (pageNo > 1) rels.push(`<${link(pageNo - 1)}>; rel="prev"`, `<${link(1)}>; rel="first"`);
  if (pageNo < last) rels.push(`<${link(pageNo + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
  return {
    status: 200,
    body: wrap ? wrap(slice) : slice,
    headers: rels.length > 0 ? { link: rels.join(', ') } : {},
  };
}

const STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];

function putEnvironment(s: GitHubState, name: string, body: Obj, base: string): Answer {
  const gated =
    s.repo.visibility !== 'public' &&
    !s.repo.enterprise &&
    (body.wait_timer !== undefined ||
      body.prevent_self_review !== undefined ||
      body.reviewers !== undefined);
  if (gated)
    return invalid(
      'Failed to create the environment protection rule. Please ensure the billing plan supports the required reviewers protection rule.',
    );
  const fields: Partial<Environment> = {};
  if (body.wait_timer !== undefined) {
    const w = Number(body.wait_timer);
    if (!Number.isInteger(w) || w < 0 || w > 43200)
      return invalid('Invalid request.\n\nwait_timer out of range.');
    fields.wait_timer = w;
  }
  if (body.prevent_self_review !== undefined)
    fields.prevent_self_review = body.prevent_self_review === true;
  if (body.can_admins_bypass !== undefined)
    fields.can_admins_bypass = body.can_admins_bypass === true;
  if (body.reviewers !== undefined) {
    const list = (Array.isArray(body.reviewers) ? body.reviewers : []) as Array<{
      type: string;
      id: number;
    }>;
    if (list.length > 6) return invalid('Only 6 reviewers are allowed.');
    for (const r of list) {
      const known =
        r.type === 'Team'
          ? [...s.teams.values()].some((t) => t.id === r.id)
          : [...s.users.values()].some((u) => u.id === r.id);
      if (!known) return invalid(`Reviewer ${r.type} ${r.id} not found.`);
    }
    fields.reviewers = list.map((r) => ({ type: r.type === 'Team' ? 'Team' : 'User', id: r.id }));
  }
  if (body.deployment_branch_policy !== undefined) {
    const p = body.deployment_branch_policy as Obj | null;
    if (p !== null && (p.protected_branches === true) === (p.custom_branch_policies === true))
      return invalid(
        'Invalid request.\n\nExactly one of protected_branches and custom_branch_policies must be true.',
      );
    fields.deployment_branch_policy =
      p === null
        ? null
        : {
            protected_branches: p.protected_branches === true,
            custom_branch_policies: p.custom_branch_policies === true,
          };
  }
  return { status: 200, body: environmentJson(s, s.setEnvironment(name, fields), base) };
}

/** Answers one request; unknown paths are 404 like GitHub's. */
export function route(s: GitHubState, req: Request, base: string): Answer {
  const { method, path } = req;
  const body = obj(req.body);
  const repoPath = `/repos/${s.repo.owner}/${s.repo.name}`;
  let m: RegExpExecArray | null;

  if ((m = /^\/users\/([^/]+)$/.exec(path)) && method === 'GET') {
    const u = s.users.get(decodeURIComponent(m[1]).toLowerCase());
    return u ? { status: 200, body: userJson(u) } : notFound();
  }
  if ((m = /^\/orgs\/([^/]+)\/teams\/([^/]+)$/.exec(path)) && method === 'GET') {
    const t = s.teams.get(`${m[1]}/${m[2]}`.toLowerCase());
    return t ? { status: 200, body: teamJson(t) } : notFound();
  }
  if (
    (m = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path)) &&
    method === 'GET'
  ) {
    const t = s.teams.get(`${m[1]}/${m[2]}`.toLowerCase());
    const login = decodeURIComponent(m[3]).toLowerCase();
    if (!t || !t.members.some((x) => x.toLowerCase() === login)) return notFound();
    return { status: 200, body: { url: `${base}${path}`, role: 'member', state: 'active' } };
  }
  if (!path.startsWith(repoPath)) return notFound();
  const rest = path.slice(repoPath.length);

  if (rest === '' && method === 'GET') {
    return {
      status: 200,
      body: {
        id: 1296269,
        node_id: 'R_1',
        name: s.repo.name,
        full_name: `${s.repo.owner}/${s.repo.name}`,
        owner: { login: s.repo.owner, id: 1, type: 'Organization' },
        private: s.repo.private,
        visibility: s.repo.visibility,
        html_url: `https://github.com/${s.repo.owner}/${s.repo.name}`,
        default_branch: 'main',
      },
    };
  }
  if ((m = /^\/branches\/(.+)$/.exec(rest)) && method === 'GET') {
    const name = decodeURIComponent(m[1]);
    const sha = s.branches.get(name);
    if (!sha)
      return {
        status: 404,
        body: { message: 'Branch not found', documentation_url: DOCS, status: '404' },
      };
    return {
      status: 200,
      body: { name, commit: { sha, url: `${base}${repoPath}/commits/${sha}` }, protected: false },
    };
  }
  if (rest === '/environments' && method === 'GET') {
    const all = [...s.environments.values()];
    return page(req, base, all, (slice) => ({
      total_count: all.length,
      environments: slice.map((e) => environmentJson(s, e, base)),
    }));
  }
  if ((m = /^\/environments\/([^/]+)$/.exec(rest))) {
    const name = decodeURIComponent(m[1]);
    if (method === 'GET') {
      const e = s.environments.get(name.toLowerCase());
      return e ? { status: 200, body: environmentJson(s, e, base) } : notFound();
    }
    if (method === 'PUT') return putEnvironment(s, name, body, base);
  }
  if ((m = /^\/environments\/([^/]+)\/deployment-branch-policies(?:\/(\d+))?$/.exec(rest))) {
    const e = s.environments.get(decodeURIComponent(m[1]).toLowerCase());
    if (!e) return notFound();
    if (method === 'GET' && !m[2]) {
      return page(req, base, e.branch_policies, (slice) => ({
        total_count: e.branch_policies.length,
        branch_policies: slice.map((p) => ({
          id: p.id,
          node_id: `BP_${p.id}`,
          name: p.name,
          type: p.type,
        })),
      }));
    }
    if (method === 'POST' && !m[2]) {
      if (!e.deployment_branch_policy?.custom_branch_policies)
        return invalid('Custom branch policies are not enabled for this environment.');
      const p = {
        id: s.id(),
        name: String(body.name),
        type: body.type === 'tag' ? ('tag' as const) : ('branch' as const),
      };
      e.branch_policies.push(p);
      return { status: 200, body: { id: p.id, node_id: `BP_${p.id}`, name: p.name, type: p.type } };
    }
    if (method === 'DELETE' && m[2]) {
      e.branch_policies = e.branch_policies.filter((p) => p.id !== Number(m?.[2]));
      return { status: 204 };
    }
  }
  if (rest === '/deployments' && method === 'POST') {
    const ref = String(body.ref ?? '');
    const sha = /^[0-9a-f]{40}$/.test(ref) ? ref : s.branches.get(ref);
    if (!sha)
      return {
        status: 422,
        body: { message: `No ref found for: ${ref}`, documentation_url: DOCS, status: '422' },
      };
    const environment = String(body.environment ?? 'production');
    const payload =
      typeof body.payload === 'string'
        ? (JSON.parse(body.payload) as unknown)
        : (body.payload ?? {});
    const d = s.addDeployment({
      sha,
      ref,
      environment,
      task: String(body.task ?? 'deploy'),
      payload,
      description: typeof body.description === 'string' ? body.description : null,
      transient_environment: body.transient_environment === true,
      production_environment:
        typeof body.production_environment === 'boolean'
          ? body.production_environment
          : environment === 'production',
    });
    return { status: 201, body: deploymentJson(s, d, base) };
  }
  if (rest === '/deployments' && method === 'GET') {
    const q = req.query;
    const list = s.deployments
      .filter(
        (d) =>
          (q.environment === undefined || d.environment === q.environment) &&
          (q.sha === undefined || d.sha === q.sha) &&
          (q.ref === undefined || d.ref === q.ref),
      )
      .sort((a, b) => b.id - a.id);
    return page(
      req,
      base,
      list.map((d) => deploymentJson(s, d, base)),
    );
  }
  if ((m = /^\/deployments\/(\d+)(\/statuses)?$/.exec(rest))) {
    const d = s.deployments.find((x) => x.id === Number(m?.[1]));
    if (!d) return notFound();
    if (!m[2] && method === 'GET') return { status: 200, body: deploymentJson(s, d, base) };
    if (m[2] && method === 'GET')
      return page(
        req,
        base,
        [...d.statuses].reverse().map((st) => statusJson(s, d, st, base)),
      );
    if (m[2] && method === 'POST') {
      const state = String(body.state ?? '');
      if (!STATES.includes(state))
        return invalid(
          `Validation Failed: state ${JSON.stringify(state)} is not included in the list`,
        );
      const st = s.addStatus(d, {
        state,
        description: String(body.description ?? ''),
        log_url: String(body.log_url ?? body.target_url ?? ''),
        environment_url: String(body.environment_url ?? ''),
      });
      if (state === 'success' && body.auto_inactive !== false) {
        // GitHub marks earlier successful deployments of a non-production environment inactive
        for (const other of s.deployments) {
          if (
            other === d ||
            other.environment !== d.environment ||
            other.transient_environment ||
            other.production_environment
          )
            continue;
          if (other.statuses.at(-1)?.state === 'success') s.addStatus(other, { state: 'inactive' });
        }
      }
      return { status: 201, body: statusJson(s, d, st, base) };
    }
  }
  if (rest === '/issues' && method === 'POST') {
    if (typeof body.title !== 'string' || body.title === '')
      return invalid('Validation Failed: title is missing');
    const i: Issue = {
      number: s.issues.length + 1,
      id: s.id(),
      title: body.title,
      body: typeof body.body === 'string' ? body.body : '',
      state: 'open',
      labels: Array.isArray(body.labels) ? body.labels.map(String) : [],
      user: s.tokenUser,
      created_at: now(),
      updated_at: now(),
    };
    s.issues.push(i);
    return { status: 201, body: issueJson(s, i, base) };
  }
  if (rest === '/issues' && method === 'GET') {
    const q = req.query;
    const labels = (q.labels ?? '').split(',').filter(Boolean);
    const list = s.issues
      .filter((i) => (q.state ?? 'open') === 'all' || i.state === (q.state ?? 'open'))
      .filter((i) => labels.every((l) => i.labels.includes(l)))
      .sort((a, b) => b.number - a.number);
    return page(
      req,
      base,
      list.map((i) => issueJson(s, i, base)),
    );
  }
  if ((m = /^\/issues\/(\d+)(\/comments)?$/.exec(rest))) {
    const i = s.issues.find((x) => x.number === Number(m?.[1]));
    if (!i) return notFound();
    if (!m[2] && method === 'GET') return { status: 200, body: issueJson(s, i, base) };
    if (!m[2] && method === 'PATCH') {
      if (typeof body.body === 'string') i.body = body.body;
      if (body.state === 'open' || body.state === 'closed') i.state = body.state;
      i.updated_at = now();
      return { status: 200, body: issueJson(s, i, base) };
    }
    if (m[2] && method === 'GET') {
      const since = req.query.since;
      const list = s.comments.filter(
        (c) => c.issue === i.number && (!since || c.created_at >= since),
      );
      return page(
        req,
        base,
        list.map((c) => commentJson(s, c, base)),
      );
    }
    if (m[2] && method === 'POST') {
      if (typeof body.body !== 'string' || body.body === '')
        return invalid('Validation Failed: body is missing');
      const c = s.addComment(i.number, s.tokenUser, body.body);
      return { status: 201, body: commentJson(s, c, base) };
    }
  }
  return notFound();
}
