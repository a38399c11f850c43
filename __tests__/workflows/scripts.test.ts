import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../support/run-action.js';
import { deploy, environmentJobs, rollback, step } from './load.js';
import { runScript } from './run-script.js';
import type { Job } from './workflow-lint.js';

/**
 * The fail-closed checks of the workflows, run with bash as the runner runs them: secrets
 * missing from an environment, an unencrypted upload, a restore nobody confirmed, the
 * deployment payload and the restored-version summaries (HTTP ones: http-scripts.test.ts).
 */

function named(job: Job, name: string): string {
  const s = (job.steps ?? []).find((x) => x.name === name);
  if (!s?.run) throw new Error(`no run step '${name}'`);
  return s.run;
}

const AGE_KEY = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';
const DB_URL = 'postgres://deploy:s3cr3t-pw@db.internal/shop';
const RECIPIENT = 'age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg';
describe.each(environmentJobs)('%s: check the secrets and the backup settings', (name) => {
  const script = String(step(deploy.doc.jobs[name], 'check').run);
  const base = {
    ENVIRONMENT: name,
    REQUIRED_SECRETS: '',
    BACKUP_UPLOAD: 'artifact',
    BACKUP_ENCRYPT_TO: RECIPIENT,
    BACKUP_VERIFY: 'checksum',
    RESTORE_DATABASE: 'false',
    DATABASE_URL: DB_URL,
  };

  test('everything in place: passes and prints no secret', async () => {
    const r = await runScript(script, { ...base, BACKUP_IDENTITY: AGE_KEY });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`secrets and backup settings of '${name}': ok`);
    expect(r.stdout + r.stderr).not.toContain('s3cr3t');
    expect(r.stdout + r.stderr).not.toContain(AGE_KEY);
  });

  test('an empty DATABASE_URL fails naming the secret, the environment and the fix', async () => {
    const r = await runScript(script, { ...base, DATABASE_URL: '' });
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      `::error::secret DATABASE_URL is empty in environment '${name}': create it with gh secret set DATABASE_URL --env ${name}, and call this workflow with secrets: inherit`,
    ]);
  });

  test('required-secrets: each empty one is named', async () => {
    const r = await runScript(script, {
      ...base,
      REQUIRED_SECRETS: 'DEPLOY_SECRET, SMOKE_SECRETS',
      SMOKE_SECRETS: 'password: x',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`secret DEPLOY_SECRET is empty in environment '${name}'`);
    expect(r.stdout).not.toContain('SMOKE_SECRETS is empty');
    const typo = await runScript(script, { ...base, REQUIRED_SECRETS: 'DEPLOY_SECRETS' });
    expect(typo.code).toBe(1);
    expect(typo.stdout).toContain(
      "required-secrets: 'DEPLOY_SECRETS' is not a secret of this workflow",
    );
  });

  test('verify: restore of an encrypted backup needs BACKUP_IDENTITY; so does restore-database-on-failure', async () => {
    for (const extra of [{ BACKUP_VERIFY: 'restore' }, { RESTORE_DATABASE: 'true' }]) {
      const r = await runScript(script, { ...base, ...extra });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`secret BACKUP_IDENTITY is empty in environment '${name}'`);
    }
  });

  test('an upload without encrypt-to is refused before anything changes; upload none passes', async () => {
    for (const upload of ['artifact', 'cache']) {
      const r = await runScript(script, { ...base, BACKUP_UPLOAD: upload, BACKUP_ENCRYPT_TO: '' });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        `::error::backup-encrypt-to is empty but backup-upload is '${upload}': the '${name}' backup would be uploaded unencrypted.`,
      );
      expect(r.stdout).toContain('backup-db encrypt-to');
    }
    const none = await runScript(script, { ...base, BACKUP_UPLOAD: 'none', BACKUP_ENCRYPT_TO: '' });
    expect(none.code).toBe(0);
  });

  test('the check runs before the guard, the backup and every change', () => {
    const ids = (deploy.doc.jobs[name].steps ?? []).map((s) => s.id);
    expect(ids.indexOf('check')).toBeLessThan(ids.indexOf('guard'));
    expect(ids.indexOf('guard')).toBeLessThan(ids.indexOf('backup'));
  });
});

describe('plan: check the release settings', () => {
  const script = named(deploy.doc.jobs.plan, 'Check the release settings');
  const good = {
    IMAGE: 'ghcr.io/acme/shop',
    CONTEXT: '.',
    DOCKERFILE: 'Dockerfile',
    SIGN_OFF_MODE: 'environments',
    SIGN_OFF: '["qa","devops"]',
    BACKUP_UPLOAD: 'artifact',
    BACKUP_ENCRYPT_TO: RECIPIENT,
    JOB_TIMEOUT: '120',
    DEPLOY_TIMEOUT: '30',
  };

  test('good settings pass; one image becomes a list of one named app', async () => {
    const r = await runScript(script, { ...good, BUILD_ARGS: 'A=1\nB=2', BUILD_TARGET: 'prod' });
    expect(r.code).toBe(0);
    const images = JSON.parse(String(/^images=(.*)$/m.exec(r.output)?.[1])) as unknown;
    expect(images).toEqual([
      {
        name: 'app',
        image: 'ghcr.io/acme/shop',
        context: '.',
        dockerfile: 'Dockerfile',
        'build-args': 'A=1\nB=2',
        target: 'prod',
      },
    ]);
  });

  test('images: a list of named images, with the defaults filled in', async () => {
    const r = await runScript(script, {
      ...good,
      IMAGE: '',
      IMAGES: JSON.stringify([
        { name: 'backend', image: '127.0.0.1:5000/acme/backend', context: 'backend' },
        {
          name: 'frontend-web',
          image: 'ghcr.io/acme/frontend',
          context: 'frontend',
          dockerfile: 'docker/Dockerfile.prod',
          'build-args': 'API_URL=/api',
        },
      ]),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'images: backend (127.0.0.1:5000/acme/backend), frontend-web (ghcr.io/acme/frontend)',
    );
    const images = JSON.parse(String(/^images=(.*)$/m.exec(r.output)?.[1])) as unknown;
    expect(images).toEqual([
      {
        name: 'backend',
        image: '127.0.0.1:5000/acme/backend',
        context: 'backend',
        dockerfile: 'Dockerfile',
        'build-args': '',
        target: '',
      },
      {
        name: 'frontend-web',
        image: 'ghcr.io/acme/frontend',
        context: 'frontend',
        dockerfile: 'docker/Dockerfile.prod',
        'build-args': 'API_URL=/api',
        target: '',
      },
    ]);
  });

  const entry = (o: Record<string, unknown>) => JSON.stringify([o]);
  test.each([
    [{ IMAGE: '' }, 'image is empty: give image (e.g. ghcr.io/acme/shop) or images'],
    [{ IMAGES: entry({ name: 'a', image: 'x/a' }) }, 'image and images are both set'],
    [{ IMAGE: '', IMAGES: '[{name: api}]' }, 'images: is not JSON'],
    [{ IMAGE: '', IMAGES: '[]' }, 'images: must be a JSON list of at least one'],
    [{ IMAGE: '', IMAGES: '{"name": "api"}' }, 'images: must be a JSON list'],
    [{ IMAGE: '', IMAGES: '["api"]' }, 'images: every entry must be an object'],
    [
      { IMAGE: '', IMAGES: entry({ name: 'api', image: 'x/api', dockerflie: 'D' }) },
      'images: unknown field dockerflie; the fields are name, image, context, dockerfile, build-args, target',
    ],
    [
      { IMAGE: '', IMAGES: entry({ name: 'Backend', image: 'x/api' }) },
      'images: name "Backend" is not lower-case letters, digits and -',
    ],
    [
      { IMAGE: '', IMAGES: entry({ image: 'x/api' }) },
      'images: name null is not lower-case letters',
    ],
    [
      { IMAGE: '', IMAGES: entry({ name: 'api', image: 'ghcr.io/acme/api:v2' }) },
      'images: api: image "ghcr.io/acme/api:v2" is not an image name without tag or digest',
    ],
    [
      {
        IMAGE: '',
        IMAGES: JSON.stringify([
          { name: 'api', image: 'x/api' },
          { name: 'api', image: 'x/web' },
        ]),
      },
      'images: the name api is listed twice',
    ],
    [
      {
        IMAGE: '',
        IMAGES: JSON.stringify([
          { name: 'api', image: 'x/api' },
          { name: 'web', image: 'x/api' },
        ]),
      },
      'images: the image x/api is listed twice',
    ],
    [
      { IMAGE: '', IMAGES: entry({ name: 'api', image: 'x/api', context: 3 }) },
      'images: context, dockerfile, build-args and target are strings',
    ],
    [{ IMAGE: 'ghcr.io/acme/shop@sha256:abc' }, 'image: app: image "ghcr.io/acme/shop@sha256:abc"'],
    [{ SIGN_OFF_MODE: 'email' }, "sign-off-mode: 'email' is not environments or issue"],
    [{ SIGN_OFF: '[]' }, 'sign-off-environments: expected a JSON list of at least one'],
    [{ SIGN_OFF: 'qa,devops' }, 'sign-off-environments: expected a JSON list'],
    [{ BACKUP_UPLOAD: 's3' }, "backup-upload: 's3' is not artifact, cache or none"],
    [{ BACKUP_ENCRYPT_TO: '' }, 'backup-encrypt-to is empty but backup-upload is'],
    [
      { JOB_TIMEOUT: '360' },
      "job-timeout-minutes: 360 must be below GitHub's 360-minute job limit",
    ],
    [{ JOB_TIMEOUT: '40' }, 'more than deploy-timeout-minutes (30) + 15'],
  ])('%j is refused with one line', async (bad, message) => {
    const r = await runScript(script, { ...good, ...bad });
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
  });
});

describe.each(environmentJobs)('%s: describe the deployment', (name) => {
  const script = String(step(deploy.doc.jobs[name], 'payload').run);
  const facts = {
    IMAGES: JSON.stringify([
      { name: 'app', image: 'ghcr.io/acme/shop', digest: 'sha256:' + 'c'.repeat(64) },
    ]),
    PREVIOUS_DIGESTS: JSON.stringify({ app: 'sha256:' + 'b'.repeat(64) }),
    MIGRATION_TOOL: 'sql',
    PREVIOUS_STATE: '{"version":"0003"}',
    BACKUP_SHA256: 'd'.repeat(64),
    BACKUP_NAME: 'shop-20261202',
  };

  test('an artifact backup: the payload names the artifact and this run', async () => {
    const r = await runScript(script, {
      ...facts,
      BACKUP_ARTIFACT_ID: '991',
      BACKUP_CACHE_KEY: '',
    });
    expect(r.code).toBe(0);
    const json = /^json=(.*)$/m.exec(r.output)?.[1];
    expect(JSON.parse(String(json))).toEqual({
      images: [
        {
          name: 'app',
          image: 'ghcr.io/acme/shop',
          digest: 'sha256:' + 'c'.repeat(64),
          'previous-digest': 'sha256:' + 'b'.repeat(64),
        },
      ],
      image: 'ghcr.io/acme/shop',
      digest: 'sha256:' + 'c'.repeat(64),
      'previous-digest': 'sha256:' + 'b'.repeat(64),
      'migration-tool': 'sql',
      'previous-state': { version: '0003' },
      'backup-sha256': facts.BACKUP_SHA256,
      'backup-name': 'shop-20261202',
      'backup-artifact-id': '991',
      'backup-run-id': '42',
      'backup-cache-key': '',
      'run-id': '42',
    });
  });

  test('a cache backup and a state that is not a JSON object', async () => {
    const r = await runScript(script, {
      ...facts,
      PREVIOUS_STATE: 'abc123 (head)',
      BACKUP_ARTIFACT_ID: '',
      BACKUP_CACHE_KEY: 'runbook-backup-shop-1',
    });
    const payload = JSON.parse(String(/^json=(.*)$/m.exec(r.output)?.[1])) as Record<
      string,
      unknown
    >;
    // not migrate's JSON object: left out rather than refused by the deployment action
    expect(payload['previous-state']).toBeNull();
    expect(payload['backup-run-id']).toBe('');
    expect(payload['backup-cache-key']).toBe('runbook-backup-shop-1');
  });

  test('two images, one deployed for the first time: each keeps its own previous digest', async () => {
    const backend = 'sha256:' + '1'.repeat(64);
    const frontend = 'sha256:' + '2'.repeat(64);
    const r = await runScript(script, {
      ...facts,
      IMAGES: JSON.stringify([
        { name: 'backend', image: 'ghcr.io/acme/backend', digest: backend },
        { name: 'frontend', image: 'ghcr.io/acme/frontend', digest: frontend },
      ]),
      // frontend had no production tag before this release
      PREVIOUS_DIGESTS: JSON.stringify({ backend: 'sha256:' + 'a'.repeat(64) }),
      BACKUP_ARTIFACT_ID: '991',
    });
    expect(r.code).toBe(0);
    const payload = JSON.parse(String(/^json=(.*)$/m.exec(r.output)?.[1])) as Record<
      string,
      unknown
    >;
    expect(payload.images).toEqual([
      {
        name: 'backend',
        image: 'ghcr.io/acme/backend',
        digest: backend,
        'previous-digest': 'sha256:' + 'a'.repeat(64),
      },
      { name: 'frontend', image: 'ghcr.io/acme/frontend', digest: frontend },
    ]);
    // the single-image keys repeat the first image for older readers
    expect([payload.image, payload.digest, payload['previous-digest']]).toEqual([
      'ghcr.io/acme/backend',
      backend,
      'sha256:' + 'a'.repeat(64),
    ]);
  });
});

describe('the release record says whether the restored version is healthy', () => {
  const script = named(deploy.doc.jobs.production, 'Release record');
  test.each([
    ['success', 'pass', '| Restored version healthy | yes: smoke test and health gate passed |'],
    ['failure', '', '| Restored version healthy | **no**: smoke test failure, health gate not run'],
    [
      'success',
      'fail',
      '| Restored version healthy | **no**: smoke test success, health gate fail',
    ],
  ])('smoke %s, gate %s', async (smoke, gate, line) => {
    const r = await runScript(script, {
      ENVIRONMENT: 'production',
      ROLLED_BACK: '["image"]',
      RESTORED_SMOKE: smoke,
      RESTORED_GATE: gate,
    });
    expect(r.code).toBe(0);
    expect(r.summary).toContain(line);
  });
  test('no rollback: no line', async () => {
    const r = await runScript(script, { ENVIRONMENT: 'production', RESTORED_SMOKE: 'skipped' });
    expect(r.summary).not.toContain('Restored version healthy');
  });
});

describe('runbook-rollback: check the request', () => {
  const script = String(step(rollback.doc.jobs.check, 'request').run);
  const sha = 'e'.repeat(64);

  test.each([
    [{ FROM_DEPLOYMENT: 'last-success', RESTORE_DATABASE: 'true' }, 'production-rollback'],
    [{ ROLLBACK_ENVIRONMENT: 'prod-breakglass' }, 'prod-breakglass'],
    [
      { RESTORE_DATABASE: 'true', BACKUP_SHA256: sha, BACKUP_ARTIFACT: 'b', BACKUP_RUN_ID: '7' },
      'production-rollback',
    ],
  ])('%j runs in %s', async (env, environment) => {
    const r = await runScript(script, {
      ENVIRONMENT: 'production',
      RESTORE_DATABASE: 'false',
      ...env,
    });
    expect(r.code).toBe(0);
    expect(r.output).toBe(`rollback-environment=${environment}\n`);
  });

  test.each([
    [
      { RESTORE_DATABASE: 'true' },
      "backup-sha256: a database restore of 'production' needs the backup's sha256",
    ],
    [
      { RESTORE_DATABASE: 'true', BACKUP_SHA256: 'E'.repeat(64) },
      'backup-sha256: a database restore',
    ],
    [{ RESTORE_DATABASE: 'true', BACKUP_SHA256: sha }, 'backup-artifact and backup-run-id'],
    [
      { ROLLBACK_ENVIRONMENT: 'production' },
      "rollback-environment: 'production' must not be the environment itself",
    ],
    [
      { FROM_DEPLOYMENT: 'latest' },
      "from-deployment: 'latest' is not last-success or a deployment id",
    ],
  ])('%j is refused before anyone is asked to approve', async (env, message) => {
    const r = await runScript(script, {
      ENVIRONMENT: 'production',
      RESTORE_DATABASE: 'false',
      ...env,
    });
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain(message);
    expect(r.output).toBe('');
  });
});

describe("runbook-rollback: confirm the backup's sha256", () => {
  const script = String(step(rollback.doc.jobs.rollback, 'confirm').run);

  function artifact(manifests: Record<string, unknown>[]): string {
    const dir = join(scratchDir('wf-backup-'), 'runbook-rollback-backup');
    mkdirSync(dir);
    manifests.forEach((m, i) =>
      writeFileSync(join(dir, `shop-${i}.manifest.json`), JSON.stringify(m)),
    );
    return dir;
  }
  const sha = createHash('sha256').update('the dump').digest('hex');

  test('the same sha256: the manifest goes to the rollback action', async () => {
    const dir = artifact([{ sha256: sha, encrypted: true }]);
    const r = await runScript(script, { DIR: dir, EXPECTED: sha });
    expect(r.code).toBe(0);
    expect(r.output).toBe(`manifest=${join(dir, 'shop-0.manifest.json')}\n`);
  });

  test('another sha256, no manifest or two: refused, nothing changed', async () => {
    const other = await runScript(script, {
      DIR: artifact([{ sha256: 'f'.repeat(64) }]),
      EXPECTED: sha,
    });
    expect(other.code).toBe(1);
    expect(other.stdout).toContain(
      `::error::backup-sha256: the backup's manifest says sha256 ${'f'.repeat(64)}, not the ${sha} confirmed by the dispatcher; nothing was changed`,
    );
    expect(other.output).toBe('');
    const none = await runScript(script, { DIR: artifact([]), EXPECTED: sha });
    expect(none.stdout).toContain('expected one backup-db manifest in the artifact, found 0');
    const two = await runScript(script, {
      DIR: artifact([{ sha256: sha }, { sha256: sha }]),
      EXPECTED: sha,
    });
    expect(two.stdout).toContain('found 2');
  });
});

describe('runbook-rollback: the restored version', () => {
  const script = String(step(rollback.doc.jobs.rollback, 'restored').run);
  test.each([
    [
      { SMOKE: 'success', GATE: 'pass', GATE_OUTCOME: 'success' },
      'true',
      'yes: smoke test success, health gate passed',
    ],
    [
      { SMOKE: 'skipped', GATE: 'pass', GATE_OUTCOME: 'success' },
      'true',
      'yes: smoke test skipped, health gate passed',
    ],
    [
      { SMOKE: 'failure', GATE: '', GATE_OUTCOME: 'skipped' },
      'false',
      '**no**: smoke test failure, health gate not run',
    ],
    [
      { SMOKE: 'success', GATE: 'fail', GATE_OUTCOME: 'failure' },
      'false',
      '**no**: smoke test success, health gate fail',
    ],
    [{ SMOKE: 'skipped', GATE: '', GATE_OUTCOME: 'skipped' }, '', 'not checked'],
  ])('%j: healthy=%s', async (env, healthy, line) => {
    const r = await runScript(script, {
      ENVIRONMENT: 'production',
      ROLLED_BACK: '["image"]',
      ...env,
    });
    expect(r.code).toBe(0);
    expect(r.output).toBe(`healthy=${healthy}\n`);
    expect(r.summary).toContain(`| Restored version healthy | ${line}`);
  });
});
