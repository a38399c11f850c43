import { UserError } from '../kit/errors.js';
import { redact } from '../kit/secrets.js';
import { isNotFound, type GitHub } from './client.js';
import { reviewerName, type Reviewer } from './environments-file.js';

/**
 * Sign-off without required reviewers: one issue per release with a checklist (one line per
 * role) and the evidence, approved by `/approve <role>` comments from the approvers the
 * environments file lists for that role — never the person who started the run. Anything
 * else is answered once and ignored; `/reject <role> <reason>` from an approver ends it.
 */

export const LABEL = 'runbook-sign-off';
const MARK = '<!-- runbook-sign-off';
const MAX_INTERVAL_MS = 5 * 60_000;

export interface Role {
  name: string;
  reviewers: Reviewer[];
}

export interface Approval {
  role: string;
  user: string;
  at: string;
}

export interface SignOffOptions {
  title: string;
  roles: Role[];
  evidence: string;
  /** logins that may not approve (the run's actor and triggering actor) */
  excluded: string[];
  timeoutMs: number;
  intervalMs: number;
  sha: string;
  log: (line: string) => void;
  /** told each time the state changes, so outputs and summary can follow */
  onIssue?: (issue: { number: number; url: string }) => void;
}

export interface SignOffResult {
  issue: { number: number; url: string };
  approvals: Approval[];
  outcome: 'approved' | 'rejected' | 'timeout';
  /** the rejection, or the roles still missing at the timeout */
  detail?: string;
}

interface CommentJson {
  id: number;
  body?: string;
  user: { login: string } | null;
  created_at: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function body(
  o: SignOffOptions,
  approvals: Approval[],
  runUrl: string | undefined,
  end?: string,
): string {
  const lines = [
    `${MARK} sha=${o.sha} -->`,
    `## Sign-off for release \`${o.sha.slice(0, 7)}\``,
    '',
    'Approve a role with a comment `/approve <role>`; reject with `/reject <role> <reason>`.',
    `Only the approvers listed for a role count${o.excluded.length ? `, never the person who started the run (${o.excluded.map((x) => `@${x}`).join(', ')})` : ''}.`,
    '',
  ];
  for (const r of o.roles) {
    const a = approvals.find((x) => x.role === r.name);
    const who = r.reviewers.map((x) => `@${reviewerName(x)}`).join(', ');
    lines.push(
      a
        ? `- [x] **${r.name}** — approved by @${a.user} at ${a.at}`
        : `- [ ] **${r.name}** — approvers: ${who}`,
    );
  }
  if (end) lines.push('', `**${end}**`);
  lines.push('', '### Evidence', '', o.evidence.trim() || '_none given_', '');
  if (runUrl) lines.push(`Run: ${runUrl}`);
  return redact(lines.join('\n'));
}

async function findOrOpen(
  gh: GitHub,
  o: SignOffOptions,
  text: string,
): Promise<{ number: number; url: string }> {
  const issues = await gh.octokit.paginate(gh.octokit.rest.issues.listForRepo, {
    owner: gh.owner,
    repo: gh.repo,
    labels: LABEL,
    state: 'all',
    per_page: 100,
  });
  const same = issues.find((i) => i.title === o.title && !i.pull_request);
  if (same) {
    o.log(`reusing sign-off issue #${same.number} (${same.html_url})`);
    return { number: same.number, url: same.html_url };
  }
  const { data } = await gh.octokit.rest.issues.create({
    owner: gh.owner,
    repo: gh.repo,
    title: o.title,
    body: text,
    labels: [LABEL],
    // after a 5xx, the issue the failed attempt opened is used rather than a second one
    request: {
      reconcile: async () => {
        const { data: latest } = await gh.octokit.rest.issues.listForRepo({
          owner: gh.owner,
          repo: gh.repo,
          labels: LABEL,
          state: 'all',
          sort: 'created',
          direction: 'desc',
          per_page: 20,
        });
        return latest.find((i) => i.title === o.title && !i.pull_request);
      },
    },
  });
  o.log(`opened sign-off issue #${data.number} (${data.html_url})`);
  return { number: data.number, url: data.html_url };
}

class Approvers {
  private readonly memberships = new Map<string, boolean>();
  constructor(private readonly gh: GitHub) {}

  async allowed(role: Role, login: string): Promise<boolean> {
    const who = login.toLowerCase();
    for (const r of role.reviewers) {
      if (r.kind === 'user' && r.login.toLowerCase() === who) return true;
      if (r.kind === 'team' && (await this.member(r.org, r.slug, who))) return true;
    }
    return false;
  }

  private async member(org: string, slug: string, login: string): Promise<boolean> {
    const key = `${org}/${slug}/${login}`.toLowerCase();
    const known = this.memberships.get(key);
    if (known !== undefined) return known;
    let yes = false;
    try {
      const { data } = await this.gh.octokit.rest.teams.getMembershipForUserInOrg({
        org,
        team_slug: slug,
        username: login,
      });
      yes = data.state === 'active';
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.memberships.set(key, yes);
    return yes;
  }
}

export async function runSignOff(gh: GitHub, o: SignOffOptions): Promise<SignOffResult> {
  const approvals: Approval[] = [];
  const issue = await findOrOpen(gh, o, body(o, approvals, gh.runUrl));
  o.onIssue?.(issue);
  const approvers = new Approvers(gh);
  const excluded = new Set(o.excluded.map((x) => x.toLowerCase()));
  const roles = new Map(o.roles.map((r) => [r.name.toLowerCase(), r]));
  const handled = new Set<number>();
  const deadline = Date.now() + o.timeoutMs;
  let interval = o.intervalMs;
  let shown = '';
  const reply = async (to: CommentJson, text: string): Promise<void> => {
    const message = `${MARK} reply-to:${to.id} -->\n@${to.user?.login ?? 'ghost'} ${text}`;
    const since = new Date(Date.now() - 60_000).toISOString();
    await gh.octokit.rest.issues.createComment({
      owner: gh.owner,
      repo: gh.repo,
      issue_number: issue.number,
      body: message,
      // after a 5xx, a reply the failed attempt posted is not posted twice
      request: {
        reconcile: async () => {
          const { data: recent } = await gh.octokit.rest.issues.listComments({
            owner: gh.owner,
            repo: gh.repo,
            issue_number: issue.number,
            since,
            per_page: 100,
          });
          return recent.find((c) => c.body === message);
        },
      },
    });
  };
  const update = async (end?: string): Promise<void> => {
    const text = body(o, approvals, gh.runUrl, end);
    if (text === shown) return;
    await gh.octokit.rest.issues.update({
      owner: gh.owner,
      repo: gh.repo,
      issue_number: issue.number,
      body: text,
      ...(end ? { state: 'closed' as const } : {}),
    });
    shown = text;
  };
  for (;;) {
    const comments = (await gh.octokit.paginate(gh.octokit.rest.issues.listComments, {
      owner: gh.owner,
      repo: gh.repo,
      issue_number: issue.number,
      per_page: 100,
    })) as CommentJson[];
    const answered = new Set<number>();
    for (const c of comments) {
      const m = /reply-to:(\d+)/.exec(c.body ?? '');
      if ((c.body ?? '').startsWith(MARK) && m) answered.add(Number(m[1]));
    }
    for (const c of comments) {
      if (handled.has(c.id) || (c.body ?? '').startsWith(MARK)) continue;
      handled.add(c.id);
      const cmd = /^\s*\/(approve|reject)\s+(\S+)(?:[ \t]+([^\n]*))?/i.exec(c.body ?? '');
      if (!cmd) continue;
      const login = c.user?.login ?? 'ghost';
      const verb = cmd[1].toLowerCase();
      const role = roles.get(cmd[2].toLowerCase());
      const answer = async (text: string): Promise<void> => {
        o.log(`ignored /${verb} ${cmd[2]} by @${login}: ${text}`);
        if (!answered.has(c.id)) await reply(c, `ignored: ${text}`);
      };
      if (!role) {
        await answer(
          `${cmd[2]} is not a role of this sign-off (roles: ${o.roles.map((r) => r.name).join(', ')}).`,
        );
      } else if (verb === 'approve' && excluded.has(login.toLowerCase())) {
        await answer(`@${login} started this run and cannot approve it.`);
      } else if (!(await approvers.allowed(role, login))) {
        await answer(
          `@${login} is not an approver of ${role.name} (${role.reviewers.map(reviewerName).join(', ')}).`,
        );
      } else if (verb === 'reject') {
        const reason = (cmd[3] ?? '').trim() || 'no reason given';
        const detail = `${role.name} rejected by @${login}: ${reason}`;
        await update(`Rejected: ${detail}`);
        return { issue, approvals, outcome: 'rejected', detail };
      } else if (!approvals.some((a) => a.role === role.name)) {
        approvals.push({ role: role.name, user: login, at: c.created_at });
        o.log(`${role.name} approved by @${login} at ${c.created_at}`);
      }
    }
    const missing = o.roles
      .filter((r) => !approvals.some((a) => a.role === r.name))
      .map((r) => r.name);
    if (missing.length === 0) {
      await update('Approved by every role.');
      return { issue, approvals, outcome: 'approved' };
    }
    await update();
    const left = deadline - Date.now();
    if (left <= 0) {
      const detail = `no approval for ${missing.join(', ')}`;
      await update(`Timed out: ${detail}.`);
      return { issue, approvals, outcome: 'timeout', detail };
    }
    await sleep(Math.min(interval, left));
    interval = Math.min(Math.ceil(interval * 1.5), MAX_INTERVAL_MS);
  }
}

export function assertRoles(requested: string[], known: string[], file: string): void {
  const unknown = requested.filter((r) => !known.some((k) => k.toLowerCase() === r.toLowerCase()));
  if (unknown.length > 0) {
    throw new UserError(
      `Input 'roles': ${unknown.join(', ')} not in ${file} (roles there: ${known.join(', ') || 'none'}).`,
    );
  }
}
