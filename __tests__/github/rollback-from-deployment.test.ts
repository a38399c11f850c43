import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { startResultsServer, type ResultsServer } from '../support/results-server.js';
import { describeRun, runAction, scratchDir, type ActionRun } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';

const TOKEN = 'ghs_rollbackRecordToken0123456789abcdefXYZ';
const sha = (c: string): string => c.repeat(40);
const digest = (c: string): string => `sha256:${c.repeat(64)}`;

let gh: GitHubServer;
let results: ResultsServer;
beforeAll(async () => {
  gh = await startGitHubServer({ token: TOKEN });
  results = await startResultsServer();
});
afterAll(async () => {
  await gh?.stop();
  await results?.stop();
});

function sql(path: string, text: string): void {
  const db = new DatabaseSync(path);
  try {
    db.exec(text);
  } finally {
    db.close();
  }
}

function names(path: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare('SELECT name FROM items ORDER BY id').all() as Array<{ name: string }>).map(
      (r) => r.name,
    );
  } finally {
    db.close();
  }
}

async function run(name: string, inputs: Record<string, string>): Promise<ActionRun> {
  const r = await runAction(name, inputs, {
    env: { ...results.env, ...gh.env },
    timeoutMs: 120_000,
  });
  expectNoSecret(r, [TOKEN, results.token]);
  return r;
}

/** staging: D1 success, D2 success (the last good one), D3 failed after migrating. */
async function history(dbPath: string, key: string) {
  sql(
    dbPath,
    `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items (name) VALUES ('v2-a'), ('v2-b');`,
  );
  // D3's backup, taken right before it migrated: the data as D2 left it
  const backup = await run('backup-db', {
    'database-url': `sqlite://${dbPath}`,
    upload: 'cache',
    'cache-key': key,
    name: key,
  });
  if (backup.exitCode !== 0) throw new Error(describeRun(backup));
  sql(dbPath, `DELETE FROM items; INSERT INTO items (name) VALUES ('v3-broken');`);
  const s = gh.state;
  const d1 = s.addDeployment(
    { environment: 'staging', sha: sha('1'), payload: { digest: digest('1') } },
    ['success', 'inactive'],
  );
  const d2 = s.addDeployment(
    {
      environment: 'staging',
      sha: sha('2'),
      payload: {
        digest: digest('2'),
        'previous-digest': digest('1'),
        'previous-state': '{"version":"0001"}',
        'run-id': '100',
      },
    },
    ['in_progress', 'success'],
  );
  const d3 = s.addDeployment(
    {
      environment: 'staging',
      sha: sha('3'),
      payload: {
        image: 'ghcr.io/acme/shop',
        digest: digest('3'),
        'previous-digest': digest('2'),
        'migration-tool': 'sql',
        'previous-state': '{"version":"0002"}',
        'backup-sha256': backup.outputs.sha256,
        'backup-cache-key': backup.outputs['cache-key'],
        'run-id': '101',
      },
    },
    ['in_progress', 'failure'],
  );
  // another environment's newer deployment must not be picked
  s.addDeployment({ environment: 'production', sha: sha('9') }, ['success']);
  return { d1, d2, d3, backup };
}

describe('rollback from-deployment', () => {
  test('last-success picks the last good deployment when the latest failed; the record follows', async () => {
    const dir = scratchDir('rb-deploy-');
    const dbPath = join(dir, 'app.db');
    const { d2, d3, backup } = await history(dbPath, 'staging-db-d3');
    const r = await run('rollback', {
      targets: 'database',
      'database-url': `sqlite://${dbPath}`,
      'from-deployment': 'last-success',
      environment: 'staging',
      'github-token': TOKEN,
      'safety-backup': 'false',
    });
    if (r.exitCode !== 0) throw new Error(describeRun(r));
    expect(names(dbPath)).toEqual(['v2-a', 'v2-b']);
    expect(r.stdout).toContain(`undoing deployment ${d3.id} (3333333), back to ${d2.id} (2222222)`);
    expect(r.stdout).toMatch(/filled image, to-digest, tool, previous-state, backup-cache-key/);
    // the bad deployment is marked failure, the restored version recorded as a new deployment
    expect(d3.statuses.at(-1)).toMatchObject({
      state: 'failure',
      description: expect.stringContaining(`to deployment ${d2.id} by run 4242`),
    });
    const restored = gh.state.deployments.at(-1);
    expect(restored).toMatchObject({
      sha: sha('2'),
      environment: 'staging',
      transient_environment: false,
    });
    expect(restored?.payload).toEqual({
      ...(d2.payload as object),
      'rolled-back-from': String(d3.id),
      'run-id': '4242',
    });
    expect(restored?.statuses.map((s) => s.state)).toEqual(['success']);
    expect(backup.outputs.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a backup that is not the one the record names is refused before anything changes', async () => {
    gh.state.deployments = [];
    const dir = scratchDir('rb-deploy-');
    const dbPath = join(dir, 'app.db');
    const { d3 } = await history(dbPath, 'staging-db-mismatch');
    (d3.payload as Record<string, string>)['backup-sha256'] = 'f'.repeat(64);
    const before = gh.requests.length;
    const r = await run('rollback', {
      targets: 'database',
      'database-url': `sqlite://${dbPath}`,
      'from-deployment': 'last-success',
      environment: 'staging',
      'github-token': TOKEN,
      'safety-backup': 'false',
    });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toEqual([
      expect.stringMatching(new RegExp(`deployment ${d3.id} recorded f{64}; refusing`)),
    ]);
    expect(names(dbPath)).toEqual(['v3-broken']);
    expect(gh.requests.slice(before).filter((q) => q.method === 'POST')).toEqual([]);
  });

  test.each([
    [
      { 'from-deployment': 'latest', environment: 'staging' },
      /Input 'from-deployment': "latest" is not last-success or a deployment id/,
    ],
    [
      { 'from-deployment': 'last-success' },
      /Input 'environment': is required with from-deployment/,
    ],
  ])('%j: one clear error', async (inputs, message) => {
    const r = await run('rollback', {
      targets: 'database',
      'database-url': 'sqlite:///nowhere.db',
      'github-token': TOKEN,
      ...inputs,
    });
    expect(r.errors).toEqual([expect.stringMatching(message)]);
  });

  test('an environment with no earlier success: says so', async () => {
    gh.state.deployments = [];
    gh.state.addDeployment({ environment: 'qa', sha: sha('4') }, ['failure']);
    gh.state.addDeployment({ environment: 'qa', sha: sha('5') }, ['failure']);
    const r = await run('rollback', {
      targets: 'migrations',
      'from-deployment': 'last-success',
      environment: 'qa',
      'github-token': TOKEN,
    });
    expect(r.errors).toEqual([
      expect.stringMatching(
        /environment qa has no successful deployment before deployment \d+; nothing to return to/,
      ),
    ]);
  });
});
