import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { describeRun, runAction, scratchDir, type ActionRun } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';

const TOKEN = 'ghs_deploymentTestToken0123456789abcdefXYZ';
const SHA = 'f3c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2'; // the harness's GITHUB_SHA
const OTHER = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const DIGEST = `sha256:${'1'.repeat(64)}`;
const OLD_DIGEST = `sha256:${'0'.repeat(64)}`;

let gh: GitHubServer;
beforeAll(async () => {
  gh = await startGitHubServer({ token: TOKEN, branches: { main: SHA } });
});
afterAll(async () => gh?.stop());
afterEach(() => {
  gh.state.deployments = [];
  gh.requests.length = 0;
  gh.faults.length = 0;
  gh.state.branches.set('main', SHA);
});

async function deployment(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const run = await runAction('deployment', inputs, {
    env: { ...gh.env, GITHUB_TOKEN: '', ...env },
    timeoutMs: 60_000,
  });
  expectNoSecret(run, [TOKEN]);
  return run;
}

function ok(run: ActionRun): void {
  if (run.exitCode !== 0) throw new Error(describeRun(run));
}

describe('a staging release recorded as a deployment', () => {
  test('start (payload from a real backup) -> in_progress, finish -> success', async () => {
    const dir = scratchDir('deploy-');
    const db = new DatabaseSync(join(dir, 'app.db'));
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2);');
    db.close();
    const backup = await runAction('backup-db', {
      'database-url': `sqlite://${join(dir, 'app.db')}`,
      name: 'staging-backup',
    });
    ok(backup);
    const payload = {
      image: 'ghcr.io/acme/shop',
      digest: DIGEST,
      'previous-digest': OLD_DIGEST,
      'migration-tool': 'sql',
      'previous-state': '{"version":"0003"}',
      'backup-sha256': backup.outputs.sha256,
      'backup-name': backup.outputs.name,
      'backup-artifact-id': '',
    };
    const start = await deployment({
      mode: 'start',
      environment: 'staging',
      'environment-url': 'https://staging.example.com',
      payload: JSON.stringify(payload),
      'github-token': TOKEN,
    });
    ok(start);
    const id = Number(start.outputs['deployment-id']);
    expect(id).toBeGreaterThan(0);
    expect(start.outputs['previous-deployment-id']).toBe('');
    const [create] = gh.requestsTo('POST', /^\/repos\/acme\/shop\/deployments$/);
    expect(create.body).toEqual({
      ref: SHA,
      environment: 'staging',
      task: 'deploy',
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      // the empty fact is dropped; the run that made it is added
      payload: { ...payload, 'backup-artifact-id': undefined, 'run-id': '4242' },
    });
    const [status] = gh.requestsTo('POST', new RegExp(`/deployments/${id}/statuses$`));
    expect(status.body).toEqual({
      state: 'in_progress',
      log_url: 'https://github.com/acme/shop/actions/runs/4242',
      environment_url: 'https://staging.example.com',
    });
    expect(status.authorization).toBe(`token ${TOKEN}`);

    const finish = await deployment({
      mode: 'finish',
      'deployment-id': String(id),
      state: 'success',
      'github-token': TOKEN,
    });
    ok(finish);
    expect(finish.outputs.state).toBe('success');
    const d = gh.state.deployments.find((x) => x.id === id);
    expect(d?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(d?.payload).toMatchObject({ 'backup-sha256': backup.outputs.sha256, digest: DIGEST });
  });

  test('the next start names the last success as previous; the token may come from GITHUB_TOKEN', async () => {
    const good = gh.state.addDeployment({ environment: 'staging', sha: OTHER }, [
      'in_progress',
      'success',
    ]);
    const start = await deployment(
      { mode: 'start', environment: 'staging', payload: `{"digest":"${DIGEST}"}` },
      { 'INPUT_GITHUB-TOKEN': '', GITHUB_TOKEN: TOKEN },
    );
    ok(start);
    expect(start.outputs['previous-deployment-id']).toBe(String(good.id));
  }, 60_000);

  test('a failed release: finish failure is recorded with its description', async () => {
    const d = gh.state.addDeployment({ environment: 'staging', sha: SHA }, ['in_progress']);
    const run = await deployment({
      mode: 'finish',
      'deployment-id': String(d.id),
      state: 'failure',
      description: 'smoke-test failed',
      'github-token': TOKEN,
    });
    ok(run);
    expect(d.statuses.map((s) => [s.state, s.description])).toEqual([
      ['in_progress', ''],
      ['failure', 'smoke-test failed'],
    ]);
  });
});

describe('bad inputs: one line, nothing sent', () => {
  test.each([
    [
      { mode: 'start', environment: 'staging', payload: '{"password":"x"}' },
      /Input 'payload': key 'password' is not a rollback fact/,
    ],
    [
      {
        mode: 'start',
        environment: 'staging',
        payload: '{"backup-cache-key":"postgres://u:hunter2@db/x"}',
      },
      /'backup-cache-key' looks like a URL with a password/,
    ],
    [
      { mode: 'start', environment: 'staging', payload: `{"digest":"ghp_${'x'.repeat(36)}"}` },
      /'digest' looks like a GitHub token/,
    ],
    [
      { mode: 'start', environment: 'staging', payload: '{"digest":"latest"}' },
      /'digest' "latest" is not sha256:/,
    ],
    [{ mode: 'start', environment: '' }, /Input 'environment': is required with mode: start/],
    [{ mode: 'finish', state: 'success' }, /Input 'deployment-id': is required with mode: finish/],
    [
      { mode: 'finish', 'deployment-id': '7', state: 'done' },
      /Input 'state': "done" is not one of: success, failure, error, inactive/,
    ],
    [{ mode: 'ship' }, /Input 'mode'/],
  ])('%j', async (inputs, message) => {
    const run = await deployment({ 'github-token': TOKEN, ...inputs } as Record<string, string>);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(message);
    expect(gh.requests).toEqual([]);
  });

  test('no token at all: names github-token', async () => {
    const run = await runAction(
      'deployment',
      { mode: 'finish', 'deployment-id': '1', state: 'success' },
      { env: { ...gh.env, GITHUB_TOKEN: '', GH_TOKEN: '', 'INPUT_GITHUB-TOKEN': '' } },
    );
    expect(run.errors).toEqual([expect.stringMatching(/^Input 'github-token': is empty/)]);
    expect(gh.requests).toEqual([]);
  });

  test('an API URL with credentials is refused without printing them', async () => {
    const url = gh.url.replace('http://', 'http://user:pa55word@');
    const run = await deployment(
      { mode: 'finish', 'deployment-id': '1', state: 'success', 'github-token': TOKEN },
      { GITHUB_API_URL: url },
    );
    expect(run.errors).toEqual([
      expect.stringMatching(/GITHUB_API_URL must not carry credentials/),
    ]);
    expect(`${run.stdout}${run.stderr}${run.summary}`).not.toContain('pa55word');
  });
});

describe('guard: no stale deploy', () => {
  test('the branch head is the commit and no newer run deployed: passes', async () => {
    const old = gh.state.addDeployment(
      { environment: 'production', sha: OTHER, payload: { 'run-id': '4000' } },
      ['success'],
    );
    const run = await deployment({
      mode: 'guard',
      environment: 'production',
      branch: 'main',
      'github-token': TOKEN,
    });
    ok(run);
    expect(run.outputs['previous-deployment-id']).toBe(String(old.id));
  });

  test('the branch moved on: refused, naming the branch and both commits', async () => {
    gh.state.branches.set('main', OTHER);
    const run = await deployment({
      mode: 'guard',
      environment: 'production',
      branch: 'main',
      'github-token': TOKEN,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(/stale deploy refused: branch main moved on to aaaaaaa since f3c2a9d/),
    ]);
  });

  test('a newer run already deployed another commit: refused, naming it', async () => {
    const newer = gh.state.addDeployment(
      { environment: 'production', sha: OTHER, payload: { 'run-id': '5000' } },
      ['in_progress', 'success'],
    );
    gh.state.addDeployment({ environment: 'production', sha: OTHER }, ['failure']);
    const run = await deployment({
      mode: 'guard',
      environment: 'production',
      'github-token': TOKEN,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `a newer run \\(5000\\) already deployed aaaaaaa to production \\(deployment ${newer.id}`,
        ),
      ),
    ]);
  });

  test('the branch rule follows GITHUB_REF when no branch is given', async () => {
    gh.state.branches.set('release', OTHER);
    const run = await deployment(
      { mode: 'guard', environment: 'production', 'github-token': TOKEN },
      { GITHUB_REF: 'refs/heads/release' },
    );
    expect(run.errors).toEqual([expect.stringMatching(/branch release moved on/)]);
  });
});

describe('the client: retries, pagination, errors, GHES', () => {
  test('a secondary rate limit (403 + retry-after) is waited out and retried', async () => {
    gh.faults.push({
      method: 'POST',
      path: /\/deployments$/,
      status: 403,
      headers: { 'retry-after': '1' },
      body: {
        message:
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url:
          'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      },
    });
    const run = await deployment({ mode: 'start', environment: 'staging', 'github-token': TOKEN });
    ok(run);
    expect(gh.requestsTo('POST', /\/deployments$/)).toHaveLength(2);
    expect(gh.state.deployments).toHaveLength(1);
    expect(run.stdout).toMatch(/secondary rate limit; retrying in 1s \(1\/4\)/);
  });

  test('a deployment POST answered 502 after GitHub created it: found, not created twice', async () => {
    gh.faults.push({
      method: 'POST',
      path: /\/deployments$/,
      status: 502,
      headers: { 'retry-after': '0' },
      carriedOut: true,
    });
    const run = await deployment({ mode: 'start', environment: 'staging', 'github-token': TOKEN });
    ok(run);
    expect(gh.requestsTo('POST', /\/deployments$/)).toHaveLength(1);
    expect(gh.state.deployments).toHaveLength(1);
    expect(run.outputs['deployment-id']).toBe(String(gh.state.deployments[0].id));
    expect(run.stdout).toContain('the first attempt was carried out; not sent again');
  });

  test('a deployment POST answered 502 before anything was created: sent again, one deployment', async () => {
    gh.faults.push({
      method: 'POST',
      path: /\/deployments$/,
      status: 502,
      headers: { 'retry-after': '0' },
    });
    const run = await deployment({ mode: 'start', environment: 'staging', 'github-token': TOKEN });
    ok(run);
    expect(gh.requestsTo('POST', /\/deployments$/)).toHaveLength(2);
    expect(gh.state.deployments).toHaveLength(1);
  });

  test('5xx with Retry-After is retried; a 429 too', async () => {
    gh.faults.push({ path: /\/statuses$/, status: 502, headers: { 'retry-after': '0' }, times: 2 });
    gh.faults.push({
      path: /\/deployments$/,
      method: 'GET',
      status: 429,
      headers: { 'retry-after': '0' },
    });
    const run = await deployment({ mode: 'start', environment: 'staging', 'github-token': TOKEN });
    ok(run);
    expect(gh.requestsTo('POST', /\/statuses$/)).toHaveLength(3);
    expect(gh.state.deployments[0].statuses.map((s) => s.state)).toEqual(['in_progress']);
  });

  test('retries are bounded: a server that keeps failing is one clear error', async () => {
    gh.faults.push({
      path: /\/statuses$/,
      status: 503,
      headers: { 'retry-after': '0' },
      times: 50,
      body: { message: 'Service Unavailable' },
    });
    const run = await deployment({
      mode: 'finish',
      'deployment-id': '77',
      state: 'success',
      'github-token': TOKEN,
    });
    expect(run.errors).toEqual([
      expect.stringMatching(
        /GitHub API POST \/repos\/\{owner\}\/\{repo\}\/deployments\/\{deployment_id\}\/statuses answered 503: Service Unavailable/,
      ),
    ]);
    expect(gh.requestsTo('POST', /\/statuses$/)).toHaveLength(5);
  });

  test('a wait longer than the bound is reported, not slept through', async () => {
    gh.faults.push({
      path: /\/statuses$/,
      status: 403,
      headers: { 'retry-after': '3600' },
      body: { message: 'You have exceeded a secondary rate limit.' },
    });
    const run = await deployment({
      mode: 'finish',
      'deployment-id': '77',
      state: 'success',
      'github-token': TOKEN,
    });
    expect(run.errors).toEqual([
      expect.stringMatching(
        /answered 403: .*secondary rate limit: GitHub asks to wait 3600s, longer than the 120s/,
      ),
    ]);
  });

  test('404: an unknown deployment is one line', async () => {
    const run = await deployment({
      mode: 'finish',
      'deployment-id': '999999',
      state: 'success',
      'github-token': TOKEN,
    });
    expect(run.errors).toEqual([expect.stringMatching(/answered 404: Not Found/)]);
  });

  test('a bad token: 401 Bad credentials, the token never printed', async () => {
    const run = await deployment({
      mode: 'finish',
      'deployment-id': '1',
      state: 'success',
      'github-token': 'ghp_wrongwrongwrongwrongwrong0123456789',
    });
    expect(run.errors).toEqual([expect.stringMatching(/answered 401: Bad credentials/)]);
    expect(run.stdout).not.toContain('ghp_wrongwrong');
  });

  test('the last success is found across pages (Link rel="next")', async () => {
    const good = gh.state.addDeployment({ environment: 'staging', sha: OTHER }, ['success']);
    for (let i = 0; i < 120; i++)
      gh.state.addDeployment({ environment: 'staging', sha: OTHER }, ['failure']);
    const run = await deployment({ mode: 'start', environment: 'staging', 'github-token': TOKEN });
    ok(run);
    expect(run.outputs['previous-deployment-id']).toBe(String(good.id));
    const pages = gh
      .requestsTo('GET', /^\/repos\/acme\/shop\/deployments$/)
      .map((r) => r.query.page ?? '1');
    expect(pages).toEqual(['1', '2', '3']);
  });
});

describe('GitHub Enterprise Server', () => {
  let ghes: GitHubServer;
  beforeAll(async () => {
    ghes = await startGitHubServer({
      token: TOKEN,
      prefix: '/api/v3',
      repo: { owner: 'corp', name: 'billing' },
    });
  });
  afterAll(async () => ghes?.stop());

  test('GITHUB_API_URL with /api/v3 and GITHUB_SERVER_URL are used for the API and the run link', async () => {
    const run = await runAction(
      'deployment',
      { mode: 'start', environment: 'qa', 'github-token': TOKEN },
      { env: ghes.env },
    );
    ok(run);
    expect(ghes.requestsTo('POST', /^\/repos\/corp\/billing\/deployments$/)).toHaveLength(1);
    const [status] = ghes.requestsTo('POST', /\/statuses$/);
    expect((status.body as { log_url: string }).log_url).toBe(
      `${ghes.env.GITHUB_SERVER_URL}/corp/billing/actions/runs/4242`,
    );
  });
});
