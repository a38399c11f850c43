import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EnvironmentsFileError,
  parseEnvironmentsFile,
} from '../../src/github/environments-file.js';
import { runEnvironmentsCommand } from '../../src/github/environments-command.js';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { repoRoot, scratchDir } from '../support/run-action.js';

const TOKEN = 'ghp_environmentsTestToken0123456789abcXYZ';
const EXAMPLE = join(repoRoot, 'workflows-examples', 'runbook-environments.yml');

let gh: GitHubServer;
beforeAll(async () => {
  gh = await startGitHubServer({
    token: TOKEN,
    users: ['alice', 'bob', 'erin'],
    teams: { 'acme/qa': ['q1'], 'acme/platform': ['p1'], 'acme/leads': ['l1'], 'acme/sre': ['s1'] },
  });
});
afterAll(async () => gh?.stop());
afterEach(() => {
  gh.state.environments.clear();
  gh.state.repo.visibility = 'public';
  gh.state.repo.private = false;
  gh.requests.length = 0;
  gh.faults.length = 0;
});

async function cli(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runEnvironmentsCommand(argv, {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: { ...gh.env, ...env },
  });
  expect(`${out}${err}`).not.toContain(TOKEN);
  return { code, out, err };
}

function problems(text: string): string[] {
  try {
    parseEnvironmentsFile(text, 'envs.yml');
  } catch (e) {
    if (e instanceof EnvironmentsFileError) return e.message.split('\n');
    throw e;
  }
  return [];
}

describe('the environments file', () => {
  test('the shipped example is valid: four roles, three more environments', () => {
    const f = parseEnvironmentsFile(readFileSync(EXAMPLE, 'utf8'), EXAMPLE);
    expect([...f.roles.keys()]).toEqual(['qa', 'devops', 'engineering', 'product']);
    expect(f.environments.map((e) => e.name)).toEqual([
      'sign-off-qa',
      'sign-off-devops',
      'sign-off-engineering',
      'sign-off-product',
      'staging',
      'production',
      'production-rollback',
    ]);
    const prod = f.environments.find((e) => e.name === 'production');
    expect(prod).toMatchObject({
      waitTimerMinutes: 5,
      canAdminsBypass: false,
      preventSelfReview: true,
      branchPolicy: { kind: 'custom', patterns: ['main', 'release/*'] },
    });
    expect(prod?.reviewers).toEqual([{ kind: 'team', org: 'acme', slug: 'sre' }]);
  });

  test('every problem with its line', () => {
    const text = [
      'roles:', // 1
      '  qa:', // 2
      '    environment: sign-off-qa', // 3
      '    reviewers: [alice, "not a login!"]', // 4
      '    wait-timer: 90s', // 5
      '  dba:', // 6
      '    environment: sign-off-qa', // 7
      '    reviewers: []', // 8
      '  ops: {}', // 9
      'environments:', // 10
      '  production:', // 11
      '    reviewer: [bob]', // 12
      '    can-admins-bypass: "no"', // 13
      '    deployment-branch-policy: everything', // 14
      'extra: 1', // 15
    ].join('\n');
    expect(problems(text)).toEqual([
      "envs.yml:15: unknown key 'extra'; expected version, roles, environments.",
      'envs.yml:4: "not a login!" is not a GitHub login or an org/team slug.',
      'envs.yml:5: wait-timer "90s" is not whole minutes (GitHub counts the wait in minutes).',
      'envs.yml:7: environment sign-off-qa is used by role qa and by role dba; one environment per role.',
      'envs.yml:6: role dba has no reviewers; a sign-off role needs at least one login or org/team.',
      "envs.yml:9: role ops needs environment: the name of its GitHub environment (no '/').",
      "envs.yml:12: unknown key 'reviewer'; expected one of: reviewers, wait-timer, prevent-self-review, can-admins-bypass, deployment-branch-policy.",
      'envs.yml:13: can-admins-bypass must be true or false, not "no".',
      'envs.yml:14: deployment-branch-policy must be all, protected-branches or a list of branch patterns (e.g. [main, \'release/*\']), not "everything".',
    ]);
  });

  test('a YAML syntax error and more than six reviewers', () => {
    expect(problems('roles:\n  qa: [\n')).toEqual([expect.stringMatching(/^envs\.yml:\d+: /)]);
    expect(problems('environments:\n  prod:\n    reviewers: [a, b, c, d, e, f, g]\n')).toEqual([
      'envs.yml:3: 7 reviewers; GitHub allows at most 6 users or teams per environment (use a team).',
    ]);
  });
});

describe('runbook environments apply / check', () => {
  test('apply on an empty repository, then check is clean', async () => {
    const applied = await cli(['apply', '--file', EXAMPLE]);
    expect(applied.err).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.out).toContain(
      'applied sign-off-qa (role qa): alice, acme/qa; wait 0m; admins cannot bypass; branches all',
    );
    const put = gh.requestsTo('PUT', /\/environments\/production$/)[0].body;
    expect(put).toEqual({
      can_admins_bypass: false,
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
      wait_timer: 5,
      prevent_self_review: true,
      reviewers: [{ type: 'Team', id: gh.state.teams.get('acme/sre')?.id }],
    });
    const qa = gh.requestsTo('PUT', /\/environments\/sign-off-qa$/)[0].body as {
      reviewers: unknown;
    };
    expect(qa.reviewers).toEqual([
      { type: 'User', id: gh.state.users.get('alice')?.id },
      { type: 'Team', id: gh.state.teams.get('acme/qa')?.id },
    ]);
    expect(
      gh
        .requestsTo('POST', /\/environments\/production\/deployment-branch-policies$/)
        .map((r) => r.body),
    ).toEqual([
      { name: 'main', type: 'branch' },
      { name: 'release/*', type: 'branch' },
    ]);
    expect(gh.state.environments.size).toBe(7);

    const checked = await cli(['check', '--file', EXAMPLE]);
    expect(checked).toMatchObject({ code: 0, err: '' });
    expect(checked.out).toBe(`no drift: 7 environment(s) match ${EXAMPLE}.\n`);
    // applying again changes nothing that check could see
    expect((await cli(['apply', '--file', EXAMPLE])).code).toBe(0);
    expect((await cli(['check', '--file', EXAMPLE])).code).toBe(0);
  });

  test('one reviewer changed on GitHub: check names it and fails', async () => {
    expect((await cli(['apply', '--file', EXAMPLE])).code).toBe(0);
    gh.state.setEnvironment('sign-off-product', { reviewers: gh.state.reviewerIds(['erin']) });
    gh.state.setEnvironment('staging', { can_admins_bypass: true });
    const checked = await cli(['check', '--file', EXAMPLE]);
    expect(checked.code).toBe(1);
    const lines = checked.out.trim().split('\n');
    expect(lines[0]).toMatch(/^ENVIRONMENT\s+SETTING\s+FILE\s+GITHUB$/);
    expect(lines[1]).toMatch(/^sign-off-product\s+reviewers\s+bob\s+erin$/);
    expect(lines[2]).toMatch(/^staging\s+can-admins-bypass\s+false\s+true$/);
    expect(lines.at(-1)).toBe(
      `drift in 2 environment(s): sign-off-product, staging; run runbook environments apply --file ${EXAMPLE}.`,
    );
  });

  test('environments on GitHub that the file does not name are listed, not drift', async () => {
    expect((await cli(['apply', '--file', EXAMPLE])).code).toBe(0);
    gh.state.setEnvironment('old-production', {});
    gh.state.setEnvironment('github-pages', {});
    const checked = await cli(['check', '--file', EXAMPLE]);
    expect(checked).toMatchObject({ code: 0, err: '' });
    expect(checked.out).toBe(
      `on GitHub but not in ${EXAMPLE} (left as they are): github-pages, old-production\n` +
        `no drift: 7 environment(s) match ${EXAMPLE}.\n`,
    );
    // and nothing was changed or removed
    expect(gh.state.environments.has('old-production')).toBe(true);
  });

  test('a missing environment is drift', async () => {
    const checked = await cli(['check', '--file', EXAMPLE]);
    expect(checked.code).toBe(1);
    expect(checked.out).toMatch(/^sign-off-qa\s+exists\s+yes\s+no \(missing\)$/m);
  });

  test('a plan without required reviewers: applied without them, one line pointing to the issue sign-off', async () => {
    gh.state.repo.visibility = 'private';
    gh.state.repo.private = true;
    const applied = await cli(['apply', '--file', EXAMPLE]);
    expect(applied.code).toBe(3);
    const hints = applied.out.split('\n').filter((l) => l.includes('sign-off-mode: issue'));
    expect(hints).toEqual([
      expect.stringMatching(
        /^acme\/shop is private: its plan cannot hold required reviewers or wait timers/,
      ),
    ]);
    expect(gh.state.environments.get('production')?.can_admins_bypass).toBe(false);
    const checked = await cli(['check', '--file', EXAMPLE]);
    expect(checked.code).toBe(1);
    expect(checked.out.split('\n').filter((l) => l.includes('sign-off-mode: issue'))).toHaveLength(
      1,
    );
  });

  test('an unknown reviewer: one error naming it, nothing written', async () => {
    const dir = scratchDir('envs-');
    const file = join(dir, 'envs.yml');
    writeFileSync(
      file,
      'roles:\n  qa:\n    environment: sign-off-qa\n    reviewers: [alice, acme/nobody]\n',
    );
    const r = await cli(['apply', '--file', file]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'error: reviewer acme/nobody: no such team (or the token cannot see it: it needs read:org / members: read).\n',
    );
    expect(gh.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  test('usage, file and token errors: exit 2, one line', async () => {
    expect(await cli(['sync'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(
        /^error: unknown command 'sync'\. usage: runbook environments apply\|check/,
      ),
    });
    expect(await cli(['check', '--file', '/nonexistent.yml'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(
        /^error: \/nonexistent\.yml: cannot read the environments file \(ENOENT\)/,
      ),
    });
    expect(
      await cli(['check', '--file', EXAMPLE], { GITHUB_TOKEN: '', GH_TOKEN: '' }),
    ).toMatchObject({ code: 2, err: expect.stringMatching(/^error: no GitHub token/) });
    expect(gh.requests).toEqual([]);
  });

  test('GH_TOKEN works; rate limits are retried; a bad token is one line', async () => {
    gh.faults.push({
      method: 'GET',
      path: /\/environments\//,
      status: 429,
      headers: { 'retry-after': '0' },
    });
    const r = await cli(['check', '--file', EXAMPLE], { GITHUB_TOKEN: '', GH_TOKEN: TOKEN });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/secondary rate limit; retrying in 0s \(1\/4\)/);
    const bad = await cli(['check', '--file', EXAMPLE], { GITHUB_TOKEN: 'ghp_bad' });
    expect(bad).toMatchObject({
      code: 1,
      err: expect.stringMatching(/answered 401: Bad credentials/),
    });
    expect(bad.err).not.toContain('ghp_bad');
  });
});

describe('the runbook CLI', () => {
  test('`runbook environments apply` then `check` run the bundled command against the API', async () => {
    // async: the GitHub stand-in answers from this process, so a blocking spawn would hang it
    const { execFile } = await import('node:child_process');
    const cwd = scratchDir('cli-envs-');
    const runCli = (args: string[]): Promise<{ code: number | null; text: string }> =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [join(repoRoot, 'dist/cli/index.js'), ...args],
          { env: { PATH: process.env.PATH ?? '', ...gh.env }, cwd, encoding: 'utf8' },
          (err, stdout, stderr) => {
            const code = err ? ((err as { code?: number }).code ?? 1) : 0;
            resolve({ code: typeof code === 'number' ? code : 1, text: `${stdout}${stderr}` });
          },
        );
      });
    const applied = await runCli(['environments', 'apply', '--file', EXAMPLE]);
    expect(applied.text).not.toContain(TOKEN);
    expect(applied.code).toBe(0);
    expect(gh.state.environments.size).toBeGreaterThan(0);
    const checked = await runCli(['environments', 'check', '--file', EXAMPLE]);
    expect(checked.code).toBe(0);
    gh.state.environments.clear();
    const drift = await runCli(['environments', 'check', '--file', EXAMPLE]);
    expect(drift.code).toBe(1);
    expect(drift.text).toMatch(/qa/);
  });
});
