/**
 * What the GitHub stand-in (github-server.ts) knows: one repository with its users, teams,
 * branches, environments, deployments and issues, in the shapes GitHub's REST API returns.
 */

export interface RepoSettings {
  owner: string;
  name: string;
  private: boolean;
  visibility: 'public' | 'private' | 'internal';
  /** whether the owner's plan offers required reviewers on private/internal repositories */
  enterprise: boolean;
}

export interface User {
  login: string;
  id: number;
  node_id: string;
  type: 'User' | 'Bot';
  html_url: string;
}

export interface Team {
  id: number;
  node_id: string;
  slug: string;
  name: string;
  org: string;
  members: string[];
}

export interface Environment {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
  can_admins_bypass: boolean;
  wait_timer: number;
  prevent_self_review: boolean;
  reviewers: Array<{ type: 'User' | 'Team'; id: number }>;
  deployment_branch_policy: { protected_branches: boolean; custom_branch_policies: boolean } | null;
  branch_policies: Array<{ id: number; name: string; type: 'branch' | 'tag' }>;
}

export interface Deployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: unknown;
  environment: string;
  description: string | null;
  transient_environment: boolean;
  production_environment: boolean;
  created_at: string;
  statuses: DeploymentStatus[];
}

export interface DeploymentStatus {
  id: number;
  state: string;
  description: string;
  environment: string;
  log_url: string;
  environment_url: string;
  created_at: string;
}

export interface Issue {
  number: number;
  id: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  user: string;
  created_at: string;
  updated_at: string;
}

export interface Comment {
  id: number;
  issue: number;
  body: string;
  user: string;
  created_at: string;
}

export const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class GitHubState {
  repo: RepoSettings;
  users = new Map<string, User>();
  teams = new Map<string, Team>();
  branches = new Map<string, string>();
  environments = new Map<string, Environment>();
  deployments: Deployment[] = [];
  issues: Issue[] = [];
  comments: Comment[] = [];
  /** the login the token belongs to (comments and deployments are made as this user) */
  tokenUser = 'github-actions[bot]';
  private nextId = 1000;

  constructor(init: {
    repo?: Partial<RepoSettings>;
    users: string[];
    teams: Record<string, string[]>;
    branches: Record<string, string>;
  }) {
    this.repo = {
      owner: 'acme',
      name: 'shop',
      private: false,
      visibility: 'public',
      enterprise: false,
      ...init.repo,
    };
    this.addUser(this.tokenUser, 'Bot');
    for (const login of init.users) this.addUser(login);
    for (const [key, members] of Object.entries(init.teams)) {
      const [org, slug] = key.split('/');
      for (const m of members) if (!this.users.has(m.toLowerCase())) this.addUser(m);
      this.teams.set(key.toLowerCase(), {
        id: this.id(),
        node_id: `T_${slug}`,
        slug,
        name: slug,
        org,
        members,
      });
    }
    for (const [b, sha] of Object.entries(init.branches)) this.branches.set(b, sha);
  }

  id(): number {
    return this.nextId++;
  }

  addUser(login: string, type: 'User' | 'Bot' = 'User'): User {
    const u: User = {
      login,
      id: this.id(),
      node_id: `U_${login}`,
      type,
      html_url: `https://github.com/${login}`,
    };
    this.users.set(login.toLowerCase(), u);
    return u;
  }

  user(login: string): User {
    return this.users.get(login.toLowerCase()) ?? this.addUser(login);
  }

  /** A comment by someone, as if typed on github.com. */
  addComment(issue: number, login: string, body: string): Comment {
    const c: Comment = {
      id: this.id(),
      issue,
      body,
      user: this.user(login).login,
      created_at: now(),
    };
    this.comments.push(c);
    return c;
  }

  /** An environment set up by hand (or drifted): only the fields given change. */
  setEnvironment(name: string, fields: Partial<Omit<Environment, 'id' | 'name'>>): Environment {
    const existing = this.environments.get(name.toLowerCase());
    const env: Environment = existing ?? {
      id: this.id(),
      name,
      created_at: now(),
      updated_at: now(),
      can_admins_bypass: true,
      wait_timer: 0,
      prevent_self_review: false,
      reviewers: [],
      deployment_branch_policy: null,
      branch_policies: [],
    };
    Object.assign(env, fields, { updated_at: now() });
    this.environments.set(name.toLowerCase(), env);
    return env;
  }

  /** The reviewer ids of logins and `org/slug` teams, for setEnvironment. */
  reviewerIds(names: string[]): Array<{ type: 'User' | 'Team'; id: number }> {
    return names.map((n) => {
      const team = this.teams.get(n.toLowerCase());
      return team
        ? { type: 'Team' as const, id: team.id }
        : { type: 'User' as const, id: this.user(n).id };
    });
  }

  /** A deployment with its statuses, oldest status first, as if another run made it. */
  addDeployment(
    fields: Partial<Omit<Deployment, 'id' | 'statuses'>> & { environment: string; sha: string },
    states: string[] = [],
  ): Deployment {
    const d: Deployment = {
      id: this.id(),
      ref: fields.sha,
      task: 'deploy',
      payload: {},
      description: null,
      transient_environment: false,
      production_environment: fields.environment === 'production',
      created_at: now(),
      ...fields,
      statuses: [],
    };
    this.deployments.push(d);
    for (const s of states) this.addStatus(d, { state: s });
    return d;
  }

  addStatus(
    d: Deployment,
    fields: Partial<DeploymentStatus> & { state: string },
  ): DeploymentStatus {
    const s: DeploymentStatus = {
      id: this.id(),
      description: '',
      environment: d.environment,
      log_url: '',
      environment_url: '',
      created_at: now(),
      ...fields,
    };
    d.statuses.push(s);
    return s;
  }
}
