import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { describeRun, runAction, scratchDir, type ActionRun } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';

const TOKEN = 'ghs_signOffTestToken0123456789abcdefXYZ';
const FILE = `roles:
  qa:
    environment: sign-off-qa
    reviewers: [alice, bob]
  dba:
    environment: sign-off-dba
    reviewers: [acme/dba]
environments:
  production:
    reviewers: [acme/sre]
`;

let gh: GitHubServer;
beforeAll(async () => {
  gh = await startGitHubServer({
    token: TOKEN,
    users: ['alice', 'bob', 'mallory'],
    teams: { 'acme/dba': ['carol'], 'acme/sre': ['dave'] },
  });
});
afterAll(async () => gh?.stop());
afterEach(() => {
  gh.state.issues = [];
  gh.state.comments = [];
  gh.state.environments.clear();
  gh.state.repo.visibility = 'public';
  gh.state.repo.private = false;
  gh.requests.length = 0;
  gh.faults.length = 0;
});

function workspace(): string {
  const dir = scratchDir('sign-off-');
  mkdirSync(join(dir, '.github'));
  writeFileSync(join(dir, '.github', 'runbook-environments.yml'), FILE);
  return dir;
}

function signOff(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction(
    'sign-off',
    { 'github-token': TOKEN, ...inputs },
    {
      env: { ...gh.env, GITHUB_ACTOR: 'alice', ...env },
      workspace: workspace(),
      timeoutMs: 60_000,
    },
  ).then((run) => {
    expectNoSecret(run, [TOKEN]);
    return run;
  });
}

async function issueOpened(): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const issue = gh.state.issues[0];
    if (issue) return issue.number;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the sign-off issue was never opened');
}

/** Waits until the action answered (or consumed) n comments, by watching its replies. */
async function replies(n: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (gh.state.comments.filter((c) => c.body.includes('reply-to:')).length >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${n} replies`);
}

const issueMode = {
  mode: 'issue',
  'poll-interval': '200ms',
  timeout: '30s',
  evidence: '| image | sha256:abc |',
};

describe('preflight: sign-off fails closed', () => {
  function protect(name: string, fields: Record<string, unknown> = {}): void {
    gh.state.setEnvironment(name, {
      reviewers: gh.state.reviewerIds(['alice']),
      can_admins_bypass: false,
      ...fields,
    });
  }

  test('every environment protected: approved', async () => {
    protect('sign-off-qa');
    protect('production', {
      reviewers: gh.state.reviewerIds(['acme/sre']),
      prevent_self_review: true,
    });
    const run = await signOff({ mode: 'preflight', environments: '["sign-off-qa","production"]' });
    if (run.exitCode !== 0) throw new Error(describeRun(run));
    // allowed, but said: sign-off-qa lets the run's author approve
    expect(run.stdout).toMatch(
      /^::warning::environment sign-off-qa lets the person who started the run approve it/m,
    );
    expect(run.stdout).not.toMatch(/::warning::environment production/);
    expect(run.outputs.approved).toBe('true');
    expect(JSON.parse(run.outputs.problems)).toEqual([]);
  });

  test('missing, without reviewers, with admin bypass: each named with its fix', async () => {
    protect('production');
    protect('sign-off-dba', { reviewers: [] });
    protect('sign-off-qa', { can_admins_bypass: true });
    const run = await signOff({
      mode: 'preflight',
      environments: 'sign-off-qa, sign-off-dba, sign-off-typo, production',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^environment sign-off-qa lets administrators bypass its protection rules; fix: set can-admins-bypass: false/,
      ),
      expect.stringMatching(
        /^environment sign-off-dba has no required reviewers; fix: add at least one reviewer/,
      ),
      expect.stringMatching(
        /^environment sign-off-typo does not exist \(a job naming it would create it with no protection rules\); fix: create it/,
      ),
      'sign-off preflight failed: sign-off-qa, sign-off-dba, sign-off-typo are not protected (see the lines above); nothing was built or changed.',
    ]);
    expect(JSON.parse(run.outputs.problems)).toHaveLength(3);
    expect(run.outputs.approved).toBe('false');
    expect(run.summary).toContain('sign-off-typo');
  });

  test('a private repository without reviewers: one line pointing to the issue sign-off', async () => {
    gh.state.repo.visibility = 'private';
    gh.state.repo.private = true;
    protect('sign-off-qa', { reviewers: [] });
    const run = await signOff({ mode: 'preflight', environments: 'sign-off-qa' });
    expect(run.errors.filter((e) => /sign-off-mode: issue/.test(e))).toEqual([
      expect.stringMatching(
        /^acme\/shop is private: its plan cannot hold required reviewers .*use sign-off-mode: issue/,
      ),
    ]);
  });

  test('environments is required in preflight', async () => {
    const run = await signOff({ mode: 'preflight' });
    expect(run.errors).toEqual([
      expect.stringMatching(/^Input 'environments': is required with mode: preflight/),
    ]);
    expect(gh.requests).toEqual([]);
  });
});

describe('issue: approvals in comments', () => {
  test('listed approvers (a user and a team member) pass; the checklist is ticked', async () => {
    const running = signOff(issueMode);
    const n = await issueOpened();
    gh.state.addComment(n, 'bob', '/approve qa');
    gh.state.addComment(n, 'carol', '/approve dba');
    const run = await running;
    if (run.exitCode !== 0) throw new Error(describeRun(run));
    expect(run.outputs.approved).toBe('true');
    expect(run.outputs['issue-number']).toBe(String(n));
    expect(run.outputs['issue-url']).toBe(`https://github.com/acme/shop/issues/${n}`);
    const approvals = JSON.parse(run.outputs.approvals) as Array<{
      role: string;
      user: string;
      at: string;
    }>;
    expect(approvals.map((a) => [a.role, a.user])).toEqual([
      ['qa', 'bob'],
      ['dba', 'carol'],
    ]);
    const issue = gh.state.issues[0];
    expect(issue.title).toBe('Release f3c2a9d sign-off');
    expect(issue.labels).toEqual(['runbook-sign-off']);
    expect(issue.body).toMatch(/- \[x\] \*\*qa\*\* — approved by @bob at /);
    expect(issue.body).toMatch(/- \[x\] \*\*dba\*\* — approved by @carol at /);
    expect(issue.body).toContain('| image | sha256:abc |');
    expect(issue.body).toContain('Run: https://github.com/acme/shop/actions/runs/4242');
    expect(issue.state).toBe('closed');
    // the first body had both boxes open
    const created = gh.requestsTo('POST', /\/issues$/)[0].body as { body: string };
    expect(created.body).toMatch(/- \[ \] \*\*qa\*\* — approvers: @alice, @bob/);
    expect(run.summary).toContain('@carol');
  });

  test('the run actor and an unlisted user are ignored with a reply; a reused issue keeps earlier approvals', async () => {
    const running = signOff({ ...issueMode, timeout: '5s' }, { GITHUB_TRIGGERING_ACTOR: 'bob' });
    const n = await issueOpened();
    gh.state.addComment(n, 'alice', '/approve qa'); // GITHUB_ACTOR
    gh.state.addComment(n, 'bob', '/approve qa'); // GITHUB_TRIGGERING_ACTOR
    gh.state.addComment(n, 'mallory', '/approve dba');
    gh.state.addComment(n, 'carol', '/approve release'); // not a role
    await replies(4);
    const answers = gh.state.comments
      .filter((c) => c.body.includes('reply-to:'))
      .map((c) => c.body.split('\n')[1]);
    expect(answers).toEqual([
      '@alice ignored: @alice started this run and cannot approve it.',
      '@bob ignored: @bob started this run and cannot approve it.',
      '@mallory ignored: @mallory is not an approver of dba (acme/dba).',
      '@carol ignored: release is not a role of this sign-off (roles: qa, dba).',
    ]);
    gh.state.addComment(n, 'carol', '/approve dba');
    const run = await signOff({ ...issueMode, timeout: '2s' }, { GITHUB_TRIGGERING_ACTOR: 'bob' });
    // the first run is still waiting for qa; the second reuses the same issue and times out too
    expect(gh.state.issues).toHaveLength(1);
    expect(run.errors).toEqual([
      expect.stringMatching(/^sign-off timed out after 2s: no approval for qa \(issue #1\)/),
    ]);
    expect(JSON.parse(run.outputs.approvals)).toEqual([
      expect.objectContaining({ role: 'dba', user: 'carol' }),
    ]);
    // replies are not repeated by the second run
    expect(gh.state.comments.filter((c) => c.body.includes('reply-to:'))).toHaveLength(4);
    const first = await running.catch(() => undefined);
    expect(first).toBeDefined();
  });

  test('an issue and a reply whose POST got a 502 after GitHub made them are not made twice', async () => {
    for (const path of [/\/issues$/, /\/issues\/\d+\/comments$/])
      gh.faults.push({
        method: 'POST',
        path,
        status: 502,
        headers: { 'retry-after': '0' },
        carriedOut: true,
      });
    const running = signOff({ ...issueMode, timeout: '5s' });
    const n = await issueOpened();
    gh.state.addComment(n, 'mallory', '/approve dba');
    await replies(1);
    gh.state.addComment(n, 'bob', '/approve qa');
    gh.state.addComment(n, 'carol', '/approve dba');
    const run = await running;
    if (run.exitCode !== 0) throw new Error(describeRun(run));
    expect(gh.state.issues).toHaveLength(1);
    expect(gh.requestsTo('POST', /\/issues$/)).toHaveLength(1);
    expect(gh.state.comments.filter((c) => c.body.includes('reply-to:'))).toHaveLength(1);
    expect(run.stdout).toContain('the first attempt was carried out; not sent again');
  });

  test('approvals behind more than a page of comments are found (Link pagination)', async () => {
    const running = signOff(issueMode);
    const n = await issueOpened();
    for (let i = 0; i < 130; i++) gh.state.addComment(n, 'mallory', `+1 (${i})`);
    gh.state.addComment(n, 'alice', '/approve qa'); // the actor: ignored
    gh.state.addComment(n, 'bob', '/approve qa');
    gh.state.addComment(n, 'carol', '/approve dba');
    const run = await running;
    if (run.exitCode !== 0) throw new Error(describeRun(run));
    expect(JSON.parse(run.outputs.approvals)).toEqual([
      expect.objectContaining({ role: 'qa', user: 'bob' }),
      expect.objectContaining({ role: 'dba', user: 'carol' }),
    ]);
    const pages = gh.requestsTo('GET', /\/issues\/1\/comments$/).map((r) => r.query.page ?? '1');
    expect(pages).toContain('2');
  });

  test('/reject fails the release with the role, the approver and the reason', async () => {
    const running = signOff(issueMode);
    const n = await issueOpened();
    gh.state.addComment(n, 'bob', '/approve qa');
    gh.state.addComment(n, 'carol', '/reject dba the migration locks the orders table');
    const run = await running;
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      'sign-off rejected: dba rejected by @carol: the migration locks the orders table (issue #1).',
    ]);
    expect(run.outputs.approved).toBe('false');
    expect(gh.state.issues[0].body).toContain('Rejected: dba rejected by @carol');
  });

  test('timeout names the roles still missing', async () => {
    const running = signOff({ ...issueMode, timeout: '1s', roles: 'qa,dba' });
    const n = await issueOpened();
    gh.state.addComment(n, 'alice', 'looks good'); // not a command: no reply
    const run = await running;
    expect(run.errors).toEqual([
      expect.stringMatching(/^sign-off timed out after 1s: no approval for qa, dba \(issue #1\)/),
    ]);
    expect(gh.state.comments).toHaveLength(1);
  });

  test('a role not in the file: one error naming it, before any issue is opened', async () => {
    const run = await signOff({ ...issueMode, roles: 'qa, security' });
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^Input 'roles': security not in .*runbook-environments.yml \(roles there: qa, dba\)/,
      ),
    ]);
    expect(gh.state.issues).toEqual([]);
  });
});
