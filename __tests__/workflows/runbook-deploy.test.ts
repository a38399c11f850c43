import { describe, expect, test } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseProbes } from '../../src/gate/probe-config.js';
import { parseYamlText } from '../../src/kit/yaml-input.js';
import { parseCommandFile, repoRoot, scratchDir } from '../support/run-action.js';
import { deploy, environmentJobs, rollback, step, workflow } from './load.js';
import { runScript } from './run-script.js';
import { ourActionName, type Job } from './workflow-lint.js';

/**
 * The shape of the release (plan -> staging -> sign-off matrix -> production), the shell
 * scripts of its steps run with bash, and the values it builds for the actions.
 */

describe('runbook-deploy', () => {
  const jobs = deploy.doc.jobs;

  test('plan -> staging -> sign-off (environments or issue) -> production -> notify', () => {
    expect(Object.keys(jobs)).toEqual([
      'plan',
      'build',
      'checklist',
      'staging',
      'sign-off',
      'sign-off-issue',
      'production',
      'notify-sign-off',
      'notify',
    ]);
    expect(jobs.build.needs).toBe('plan');
    expect(jobs.checklist.needs).toEqual(['plan', 'build']);
    expect(jobs['notify-sign-off'].needs).toEqual(['plan', 'checklist', 'staging']);
    expect(jobs.notify.needs).toEqual(['plan', 'checklist', 'staging', 'production']);
    expect(jobs.notify.if).toBe('always()');
    expect(jobs.staging.needs).toEqual(['plan', 'checklist']);
    expect(jobs['sign-off'].needs).toEqual(['plan', 'checklist', 'staging']);
    expect(jobs['sign-off'].if).toBe("inputs.sign-off-mode == 'environments'");
    expect(jobs['sign-off-issue'].needs).toEqual(['plan', 'checklist', 'staging']);
    expect(jobs['sign-off-issue'].if).toBe("inputs.sign-off-mode == 'issue'");
    expect(jobs.production.needs).toEqual([
      'plan',
      'checklist',
      'staging',
      'sign-off',
      'sign-off-issue',
    ]);
    // the whole truth table of this condition is in conditions.test.ts
    expect(jobs.production.if).toContain("needs.sign-off.result == 'success'");
  });

  test('the plan job checks the sign-off environments and production before building', () => {
    const ids = (jobs.plan.steps ?? []).map((s) => s.id ?? s.name ?? s.uses);
    expect(ids.indexOf('settings')).toBeLessThan(ids.indexOf('preflight'));
    // nothing is built before the plan job passed
    expect(ids).not.toContain('image');
    expect(jobs.build.needs).toBe('plan');
    const preflight = step(jobs.plan, 'preflight');
    expect(ourActionName(preflight.uses)).toBe('sign-off');
    expect(preflight.with?.mode).toBe('preflight');
    expect(preflight.if).toBe("inputs.sign-off-mode == 'environments'");
    expect(String(preflight.with?.environments)).toContain('inputs.sign-off-environments');
    expect(String(preflight.with?.environments)).toContain('inputs.production-environment');
  });

  test('build: a matrix over the images, each built without promoting; the checklist collects them', () => {
    const plan = step(jobs.plan, 'migrations');
    expect(ourActionName(plan.uses)).toBe('migrate');
    expect(plan.with?.mode).toBe('plan');
    expect(jobs.plan.outputs?.images).toBe('${{ steps.settings.outputs.images }}');
    expect(jobs.build.strategy?.matrix).toEqual({
      image: '${{ fromJSON(needs.plan.outputs.images) }}',
    });
    expect(jobs.build.strategy?.['fail-fast']).toBe(true);
    const image = step(jobs.build, 'image');
    expect(ourActionName(image.uses)).toBe('build-push-image');
    expect(image.with).toMatchObject({
      image: '${{ matrix.image.image }}',
      context: '${{ matrix.image.context }}',
      file: '${{ matrix.image.dockerfile }}',
    });
    expect(image.with).not.toHaveProperty('promote-tag');
    expect(image.with).not.toHaveProperty('digest');
    const upload = (jobs.build.steps ?? []).find((s) => s.name === 'Keep the build record');
    expect(upload?.with?.name).toBe('runbook-build-${{ matrix.image.name }}');
    const fetch = (jobs.checklist.steps ?? []).find((s) => s.name === 'Fetch the build records');
    expect(fetch?.with).toMatchObject({ pattern: 'runbook-build-*', 'merge-multiple': true });
    const checklist = (jobs.checklist.steps ?? []).find((s) => s.name === 'Release checklist');
    expect(checklist?.run).toContain('GITHUB_STEP_SUMMARY');
  });

  test('the sign-off job is a matrix over the role environments, one environment per role', () => {
    const signOff = jobs['sign-off'];
    expect(signOff.strategy?.matrix).toEqual({
      role: '${{ fromJSON(inputs.sign-off-environments) }}',
    });
    // approved by the role's reviewers; no deployment record of its own
    expect(signOff.environment).toEqual({ name: '${{ matrix.role }}', deployment: false });
    const call = (
      deploy.doc.on as { workflow_call: { inputs: Record<string, { default?: unknown }> } }
    ).workflow_call;
    expect(JSON.parse(String(call.inputs['sign-off-environments'].default))).toEqual([
      'qa',
      'devops',
      'engineering',
      'product',
    ]);
  });

  test.each(environmentJobs)(
    '%s: check -> guard -> backup -> migrate -> promote -> record -> deploy -> smoke -> gate, then rollback, health of the restored version, finish',
    (name) => {
      const job = jobs[name];
      const ids = (job.steps ?? []).map((s) => s.id).filter((id) => id !== undefined);
      expect(ids).toEqual([
        'check',
        'guard',
        'backup',
        'migrate',
        'promote',
        'payload',
        'record',
        'deploy',
        'smoke',
        'gate',
        'rollback-plan',
        'rollback',
        'restored-smoke',
        'restored-gate',
        'finish',
      ]);
      const guard = step(job, 'guard');
      expect(ourActionName(guard.uses)).toBe('deployment');
      expect(guard.with).toEqual({
        mode: 'guard',
        environment: `\${{ inputs.${name}-environment }}`,
      });
      const backup = step(job, 'backup');
      expect(ourActionName(backup.uses)).toBe('backup-db');
      expect(backup.with).toMatchObject({
        'encrypt-to': '${{ inputs.backup-encrypt-to }}',
        'decrypt-identity': '${{ secrets.BACKUP_IDENTITY }}',
        upload: '${{ inputs.backup-upload }}',
      });
      expect(step(job, 'migrate').with?.['backup-manifest']).toBe(
        '${{ steps.backup.outputs.manifest-path }}',
      );
      // every image in one step: all promoted or none
      expect(step(job, 'promote').with?.images).toBe('${{ needs.checklist.outputs.promote }}');
      expect(step(job, 'promote').with).not.toHaveProperty('image');
      const record = step(job, 'record');
      expect(ourActionName(record.uses)).toBe('deployment');
      expect(record.with).toMatchObject({
        mode: 'start',
        payload: '${{ steps.payload.outputs.json }}',
      });
      expect(step(job, 'deploy').env).toMatchObject({
        RUNBOOK_IMAGE_REF: '${{ steps.promote.outputs.image-ref }}',
        RUNBOOK_IMAGE_REFS: '${{ steps.promote.outputs.image-refs }}',
      });
      const roll = step(job, 'rollback');
      expect(ourActionName(roll.uses)).toBe('rollback');
      expect(roll.if).toMatch(/^\(failure\(\) \|\| cancelled\(\)\) && /);
      expect(step(job, 'rollback-plan').if).toMatch(/^\(failure\(\) \|\| cancelled\(\)\) && /);
      expect(roll.with).toMatchObject({
        images: '${{ steps.rollback-plan.outputs.images }}',
        'previous-state': '${{ steps.migrate.outputs.previous-state }}',
        'backup-manifest': '${{ steps.backup.outputs.manifest-path }}',
        'promote-tag': `\${{ inputs.${name}-tag }}`,
        'previous-tag': `\${{ inputs.${name}-tag }}-previous`,
        'deploy-command': '${{ inputs.deploy-command }}',
        'decrypt-identity': '${{ secrets.BACKUP_IDENTITY }}',
      });
      expect(step(job, 'promote').with).toMatchObject({
        'promote-tag': roll.with?.['promote-tag'],
        'previous-tag': roll.with?.['previous-tag'],
      });
      const finish = step(job, 'finish');
      expect(ourActionName(finish.uses)).toBe('deployment');
      expect(finish.if).toBe("always() && steps.record.outputs.deployment-id != ''");
      expect(finish.with).toMatchObject({
        mode: 'finish',
        'deployment-id': '${{ steps.record.outputs.deployment-id }}',
      });
    },
  );

  test.each(environmentJobs)(
    '%s: one concurrency group per environment, queued, never cancelled; a job timeout below the job limit',
    (name) => {
      expect(jobs[name].concurrency).toEqual({
        group: `runbook-\${{ inputs.${name}-environment }}`,
        queue: 'max',
        'cancel-in-progress': false,
      });
      expect(jobs[name].environment).toEqual({
        name: `\${{ inputs.${name}-environment }}`,
        url: `\${{ inputs.${name}-url }}`,
        deployment: false,
      });
      expect(jobs[name]['timeout-minutes']).toBe('${{ inputs.job-timeout-minutes }}');
      expect(step(jobs[name], 'deploy')['timeout-minutes']).toBe(
        '${{ inputs.deploy-timeout-minutes }}',
      );
    },
  );

  test('the default timeouts leave the rollback time: deploy < job < 360 minutes', () => {
    const inputs = (
      deploy.doc.on as { workflow_call: { inputs: Record<string, { default?: unknown }> } }
    ).workflow_call.inputs;
    const job = Number(inputs['job-timeout-minutes'].default);
    const deployTimeout = Number(inputs['deploy-timeout-minutes'].default);
    expect(job).toBeLessThan(360);
    expect(deployTimeout).toBeLessThan(job - 15);
    for (const j of Object.values(jobs)) {
      expect(j['timeout-minutes']).toBeDefined();
      if (typeof j['timeout-minutes'] === 'number') expect(j['timeout-minutes']).toBeLessThan(360);
    }
  });

  test('the manual rollback shares the concurrency group and runs in its own environment', () => {
    const job = rollback.doc.jobs.rollback;
    expect(job.concurrency).toEqual({
      group: 'runbook-${{ inputs.environment }}',
      queue: 'max',
      'cancel-in-progress': false,
    });
    expect(job.needs).toBe('check');
    expect(job.environment).toEqual({
      name: '${{ needs.check.outputs.rollback-environment }}',
      deployment: false,
    });
    const roll = step(job, 'rollback');
    expect(roll.with).toMatchObject({
      'from-deployment': '${{ inputs.from-deployment }}',
      'backup-manifest': '${{ steps.confirm.outputs.manifest }}',
      'decrypt-identity': '${{ secrets.BACKUP_IDENTITY }}',
    });
  });
});

describe('the scripts of runbook-deploy', () => {
  const APP = JSON.stringify([
    { name: 'app', image: 'ghcr.io/acme/shop', digest: 'sha256:' + 'c'.repeat(64) },
  ]);
  const prev = (p: Record<string, string>) => JSON.stringify(p);
  const cases: [string, Record<string, string>, string][] = [
    ['nothing changed yet (the backup failed)', { MIGRATE_OUTCOME: 'skipped' }, ''],
    [
      'migrated, then the deploy failed before the tag moved',
      {
        PREVIOUS_STATE: '{"version":"0003"}',
        APPLIED_COUNT: '2',
        MIGRATE_OUTCOME: 'success',
        MIGRATE_TOOL: 'sql',
      },
      'migrations',
    ],
    [
      'the health gate failed after a promotion and migrations',
      {
        PROMOTED: 'true',
        IMAGES: APP,
        PREVIOUS_DIGESTS: prev({ app: 'sha256:' + 'a'.repeat(64) }),
        PREVIOUS_STATE: '{"version":"0003"}',
        APPLIED_COUNT: '1',
        MIGRATE_OUTCOME: 'success',
        MIGRATE_TOOL: 'alembic',
      },
      'image,migrations',
    ],
    [
      'first deploy (no previous image), nothing pending',
      {
        PROMOTED: 'true',
        IMAGES: APP,
        PREVIOUS_DIGESTS: '{}',
        PREVIOUS_STATE: '{"version":"0003"}',
        APPLIED_COUNT: '0',
        MIGRATE_OUTCOME: 'success',
      },
      '',
    ],
    [
      'prisma migrations and restore-database-on-failure',
      {
        PROMOTED: 'true',
        IMAGES: APP,
        PREVIOUS_DIGESTS: prev({ app: 'sha256:' + 'b'.repeat(64) }),
        PREVIOUS_STATE: '{"migrations":[]}',
        APPLIED_COUNT: '1',
        MIGRATE_OUTCOME: 'failure',
        MIGRATE_TOOL: 'prisma',
        MANIFEST: '/tmp/db-backups/shop.manifest.json',
        RESTORE_DATABASE: 'true',
      },
      'image,database',
    ],
  ];

  test.each(
    environmentJobs.flatMap((job) =>
      cases.map(([what, env, want]) => [job, what, env, want] as const),
    ),
  )('%s rollback-plan: %s', async (job, _what, env, want) => {
    const r = await runScript(String(step(envJob(job), 'rollback-plan').run), {
      RESTORE_DATABASE: 'false',
      ...env,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(/^targets=(.*)$/m.exec(r.output)?.[1]).toBe(want);
    const images = /^images=(.*)$/m.exec(r.output)?.[1];
    if (want.includes('image')) {
      // back to exactly the digest the promotion replaced
      const before = (JSON.parse(env.PREVIOUS_DIGESTS) as Record<string, string>).app;
      expect(JSON.parse(String(images))).toEqual([
        { name: 'app', image: 'ghcr.io/acme/shop', 'to-digest': before },
      ]);
    } else expect(images).toBeUndefined();
  });

  test.each(environmentJobs)(
    '%s rollback-plan, two images: the one deployed for the first time stays, with a warning',
    async (job) => {
      const r = await runScript(String(step(envJob(job), 'rollback-plan').run), {
        RESTORE_DATABASE: 'false',
        PROMOTED: 'true',
        IMAGES: JSON.stringify([
          { name: 'backend', image: 'ghcr.io/acme/backend', digest: 'sha256:' + '1'.repeat(64) },
          { name: 'frontend', image: 'ghcr.io/acme/frontend', digest: 'sha256:' + '2'.repeat(64) },
          { name: 'worker', image: 'ghcr.io/acme/worker', digest: 'sha256:' + '3'.repeat(64) },
        ]),
        PREVIOUS_DIGESTS: prev({
          backend: 'sha256:' + 'a'.repeat(64),
          worker: 'sha256:' + 'c'.repeat(64),
        }),
        MIGRATE_OUTCOME: 'success',
      });
      expect(r.code).toBe(0);
      expect(/^targets=(.*)$/m.exec(r.output)?.[1]).toBe('image');
      expect(JSON.parse(String(/^images=(.*)$/m.exec(r.output)?.[1]))).toEqual([
        { name: 'backend', image: 'ghcr.io/acme/backend', 'to-digest': 'sha256:' + 'a'.repeat(64) },
        { name: 'worker', image: 'ghcr.io/acme/worker', 'to-digest': 'sha256:' + 'c'.repeat(64) },
      ]);
      expect(r.stdout).toContain(
        '::warning::deployed for the first time, nothing to go back to: frontend (left as deployed)',
      );
    },
  );

  test.each(environmentJobs)(
    '%s deploy: the command sees RUNBOOK_IMAGE_REF, RUNBOOK_IMAGE_REFS and one variable per image',
    async (job) => {
      const refs = {
        backend: 'ghcr.io/acme/backend@sha256:' + '1'.repeat(64),
        'frontend-web': 'ghcr.io/acme/frontend@sha256:' + '2'.repeat(64),
      };
      const r = await runScript(String(step(envJob(job), 'deploy').run), {
        RUNBOOK_DEPLOY_COMMAND:
          'echo "one=$RUNBOOK_IMAGE_REF"; echo "be=$RUNBOOK_IMAGE_REF_BACKEND"; echo "fe=$RUNBOOK_IMAGE_REF_FRONTEND_WEB"; echo "all=$RUNBOOK_IMAGE_REFS"',
        RUNBOOK_IMAGE_REF: refs.backend,
        RUNBOOK_IMAGE_REFS: JSON.stringify(refs),
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual([
        `one=${refs.backend}`,
        `be=${refs.backend}`,
        `fe=${refs['frontend-web']}`,
        `all=${JSON.stringify(refs)}`,
      ]);
      // a failing deploy command fails the step
      const failed = await runScript(String(step(envJob(job), 'deploy').run), {
        RUNBOOK_DEPLOY_COMMAND: 'exit 3',
        RUNBOOK_IMAGE_REFS: JSON.stringify(refs),
      });
      expect(failed.code).not.toBe(0);
    },
  );

  test('a build leaves a record; the checklist job collects every image in the list order', async () => {
    const temp = scratchDir('wf-build-');
    try {
      const record = (deploy.doc.jobs.build.steps ?? []).find((s) => s.name === 'Record the build');
      const built: Record<string, string> = {
        frontend: 'sha256:' + 'e'.repeat(64),
        backend: 'sha256:' + 'c'.repeat(64),
      };
      // the matrix legs finish in any order
      for (const name of ['frontend', 'backend']) {
        const r = await runScript(String(record?.run), {
          RUNNER_TEMP: temp,
          NAME: name,
          IMAGE: `ghcr.io/acme/${name}`,
          DIGEST: built[name],
          IMAGE_REF: `ghcr.io/acme/${name}@${built[name]}`,
          TAGS: `["ghcr.io/acme/${name}:sha-f3c2a9d"]`,
        });
        expect(r.code).toBe(0);
        expect(r.output).toBe(`path=${temp}/runbook-build/${name}.json\n`);
      }
      const noDigest = await runScript(String(record?.run), {
        RUNNER_TEMP: temp,
        NAME: 'worker',
        IMAGE: 'ghcr.io/acme/worker',
        DIGEST: '',
      });
      expect(noDigest.code).toBe(1);
      expect(noDigest.stdout.trim()).toBe(
        "::error::build-push-image reported no digest for 'worker' (ghcr.io/acme/worker): nothing was pushed, so it cannot be promoted",
      );

      const collect = String(step(deploy.doc.jobs.checklist, 'images').run);
      const list = (names: string[]) =>
        JSON.stringify(names.map((name) => ({ name, image: `ghcr.io/acme/${name}` })));
      const r = await runScript(collect, {
        IMAGES: list(['backend', 'frontend']),
        RECORDS: `${temp}/runbook-build`,
      });
      expect(r.code).toBe(0);
      const out = parseCommandFile(r.output);
      expect(JSON.parse(out.promote)).toEqual([
        { name: 'backend', image: 'ghcr.io/acme/backend', digest: built.backend },
        { name: 'frontend', image: 'ghcr.io/acme/frontend', digest: built.frontend },
      ]);
      expect(JSON.parse(out.digests)).toEqual(built);
      expect(JSON.parse(out['image-refs'])).toEqual({
        backend: `ghcr.io/acme/backend@${built.backend}`,
        frontend: `ghcr.io/acme/frontend@${built.frontend}`,
      });
      expect([out.digest, out['image-ref']]).toEqual([
        built.backend,
        `ghcr.io/acme/backend@${built.backend}`,
      ]);
      expect(out.description.length).toBeLessThanOrEqual(140);
      expect(out.description).toBe(
        `backend ${built.backend.slice(0, 19)}, frontend ${built.frontend.slice(0, 19)}`,
      );
      // an image of the list without a record: the release stops here
      const missing = await runScript(collect, {
        IMAGES: list(['backend', 'frontend', 'worker']),
        RECORDS: `${temp}/runbook-build`,
      });
      expect(missing.code).toBe(1);
      expect(missing.stdout.trim()).toBe(
        '::error::no build record for worker: the build job did not push it',
      );
      expect(missing.output).toBe('');
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });

  test('the release checklist lists the images, the pending migrations and the links', async () => {
    const checklist = (deploy.doc.jobs.checklist.steps ?? []).find(
      (s) => s.name === 'Release checklist',
    );
    const r = await runScript(String(checklist?.run), {
      BUILT: JSON.stringify([
        {
          name: 'backend',
          image: 'ghcr.io/acme/backend',
          digest: 'sha256:' + 'c'.repeat(64),
          tags: ['ghcr.io/acme/backend:sha-f3c2a9d'],
        },
        {
          name: 'frontend',
          image: 'ghcr.io/acme/frontend',
          digest: 'sha256:' + 'e'.repeat(64),
          tags: ['ghcr.io/acme/frontend:sha-f3c2a9d', 'ghcr.io/acme/frontend:rc'],
        },
      ]),
      MIGRATION_TOOL: 'sql',
      PENDING: '["0004_add_orders","0005_index_orders"]',
      PENDING_COUNT: '2',
      STAGING_URL: 'https://staging.shop.example.com',
      PRODUCTION_URL: 'https://shop.example.com',
      STAGING_ENVIRONMENT: 'staging',
      PRODUCTION_ENVIRONMENT: 'production',
      SIGN_OFF: '["qa", "devops", "engineering", "product"]',
      SIGN_OFF_MODE: 'environments',
    });
    expect(r.code).toBe(0);
    expect(r.summary).toContain(
      '| backend: `ghcr.io/acme/backend` | `sha256:' +
        'c'.repeat(64) +
        '` | ghcr.io/acme/backend:sha-f3c2a9d |',
    );
    expect(r.summary).toContain(
      '| frontend: `ghcr.io/acme/frontend` | `sha256:' +
        'e'.repeat(64) +
        '` | ghcr.io/acme/frontend:sha-f3c2a9d, ghcr.io/acme/frontend:rc |',
    );
    expect(r.summary).toContain('| Pending migrations (sql) | 2 |');
    expect(r.summary).toContain('1. `0004_add_orders`\n1. `0005_index_orders`');
    expect(r.summary).toContain(
      '| Sign-off by | qa, devops, engineering, product (environments) |',
    );
    expect(r.summary).toContain('https://github.com/acme/shop/actions/runs/42');
    expect(r.summary).toContain('[`f3c2a9d`](https://github.com/acme/shop/commit/f3c2a9d');
    // no lint findings: no lint section, no lint box
    expect(r.summary).not.toContain('Migration lint');
  });

  test('the release checklist shows the migration lint findings for the approvers', async () => {
    const checklist = (deploy.doc.jobs.checklist.steps ?? []).find(
      (s) => s.name === 'Release checklist',
    );
    const findings = [
      {
        rule: 'require-concurrent-index-creation',
        severity: 'error',
        file: 'migrations/0005_index_orders.sql',
        line: 3,
        table: 'orders',
        rows: 41000000,
        fix: 'CREATE INDEX CONCURRENTLY, in a file of its own | outside a transaction',
      },
    ];
    const r = await runScript(String(checklist?.run), {
      PENDING: '["0005_index_orders"]',
      PENDING_COUNT: '1',
      SIGN_OFF: '["qa"]',
      LINT_FINDINGS: JSON.stringify(findings),
    });
    expect(r.code).toBe(0);
    expect(r.summary).toContain('### Migration lint: 1 finding(s)');
    expect(r.summary).toContain(
      '| error | `require-concurrent-index-creation` | `migrations/0005_index_orders.sql:3` | orders (41000000) | CREATE INDEX CONCURRENTLY, in a file of its own   outside a transaction |',
    );
    expect(r.summary).toContain('- [ ] The 1 migration lint finding(s) above are understood');
  });

  test('the sign-off record names the role even when the approvals cannot be read', async () => {
    const run = String(deploy.doc.jobs['sign-off'].steps?.[0].run);
    // PATH without gh: the approvals API is out of reach, the record falls back to the run page
    const r = await runScript(run, {
      ROLE: 'qa',
      IMAGE_REF: 'ghcr.io/acme/shop@sha256:1',
      SMOKE_PASSED: '5',
      GATE_VERDICT: 'pass',
    });
    expect(r.code).toBe(0);
    expect(r.summary).toContain('## Sign-off: qa');
    expect(r.summary).toContain('smoke checks passed: 5, health gate: pass');
    expect(r.summary).toContain("listed on the run page under the 'qa' deployment review");
  });

  function envJob(name: string): Job {
    return deploy.doc.jobs[name];
  }
});

describe('the values the workflows build for the actions', () => {
  const call = (
    deploy.doc.on as { workflow_call: { inputs: Record<string, { default?: unknown }> } }
  ).workflow_call;

  test.each(environmentJobs)('%s: the default health probe is a valid probes list', (name) => {
    const probes = String(step(deploy.doc.jobs[name], 'gate').with?.probes);
    // the expression's format(), evaluated the way GitHub does
    const m = /format\('(.*?)', inputs\.([\w-]+), inputs\.([\w-]+)\)/.exec(probes);
    expect(m).not.toBeNull();
    const [, template, urlInput, pathInput] = m as RegExpExecArray;
    expect([urlInput, pathInput]).toEqual([`${name}-url`, 'health-path']);
    const text = template
      .replace('{0}', 'https://shop.example.com')
      .replace('{1}', String(call.inputs['health-path'].default));
    const specs = parseProbes(parseYamlText('probes', text));
    expect(specs).toHaveLength(1);
    expect(specs[0].kind).toBe('http');
  });

  test("the example's production probes are valid for health-gate", () => {
    const example = workflow('workflows-examples/deploy.yml');
    const text = String(example.doc.jobs.release.with?.['production-probes']);
    const specs = parseProbes(parseYamlText('probes', text));
    expect(specs.map((s) => [s.name, s.kind])).toEqual([
      ['api', 'http'],
      ['error-ratio', 'prometheus'],
    ]);
  });

  test('the callers inherit environment secrets; no secret is renamed or falls back to another', () => {
    for (const path of [
      'workflows-examples/deploy.yml',
      'workflows-examples/deploy-two-images.yml',
      'workflows-examples/rollback.yml',
    ]) {
      const example = workflow(path);
      for (const job of Object.values(example.doc.jobs)) {
        if (job.uses !== undefined) expect(job.secrets).toBe('inherit');
      }
    }
    const text = [deploy, rollback].map((w) => JSON.stringify(w.doc)).join('\n');
    // one name per secret, read from the job's environment: no STAGING_/PRODUCTION_ copies
    expect(text).not.toMatch(/secrets\.(STAGING|PRODUCTION|PLAN)_/);
    // no `secrets.A || secrets.B`: an empty production secret never becomes staging's
    expect(text).not.toMatch(/secrets\.[\w-]+\s*\|\|/);
    expect(text).not.toMatch(/\|\|\s*secrets\./);
  });

  test("the two-image example's list passes the plan job; its deploy command uses the variables set", async () => {
    const example = workflow('workflows-examples/deploy-two-images.yml');
    const w = example.doc.jobs.release.with ?? {};
    const settings = (deploy.doc.jobs.plan.steps ?? []).find(
      (s) => s.name === 'Check the release settings',
    );
    const r = await runScript(String(settings?.run), {
      IMAGE: '',
      IMAGES: String(w.images),
      SIGN_OFF_MODE: 'environments',
      SIGN_OFF: String(w['sign-off-environments']),
      BACKUP_UPLOAD: 'artifact',
      BACKUP_ENCRYPT_TO: String(w['backup-encrypt-to']),
      JOB_TIMEOUT: '120',
      DEPLOY_TIMEOUT: '30',
    });
    expect(r.code).toBe(0);
    const images = JSON.parse(String(/^images=(.*)$/m.exec(r.output)?.[1])) as { name: string }[];
    expect(images.map((i) => i.name)).toEqual(['backend', 'frontend']);
    const used = [...String(w['deploy-command']).matchAll(/RUNBOOK_IMAGE_REF_([A-Z0-9_]+)/g)].map(
      (m) => m[1],
    );
    expect(used.sort()).toEqual(['BACKEND', 'FRONTEND']);
    expect(w).not.toHaveProperty('image');
  });

  test("the example's smoke checks file is the one shipped in workflows-examples/smoke", () => {
    const example = workflow('workflows-examples/deploy.yml');
    const file = String(example.doc.jobs.release.with?.['smoke-checks-file']);
    expect(file).toBe('.github/smoke/login-flow.checks.yml');
    expect(() =>
      readFileSync(join(repoRoot, 'workflows-examples/smoke/login-flow.checks.yml')),
    ).not.toThrow();
  });
});
