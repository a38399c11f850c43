import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseProbes } from '../../src/gate/probe-config.js';
import { parseYamlText } from '../../src/kit/yaml-input.js';
import { repoRoot } from '../support/run-action.js';
import { deploy, environmentJobs, rollback, step, workflow } from './load.js';
import { ourActionName, type Job } from './workflow-lint.js';

/**
 * The shape of the release (plan -> staging -> sign-off matrix -> production), the shell
 * scripts of its steps run with bash, and the values it builds for the actions.
 */

describe('runbook-deploy', () => {
  const jobs = deploy.doc.jobs;

  test('plan -> staging -> sign-off -> production', () => {
    expect(Object.keys(jobs)).toEqual(['plan', 'staging', 'sign-off', 'production']);
    expect(jobs.staging.needs).toBe('plan');
    expect(jobs['sign-off'].needs).toEqual(['plan', 'staging']);
    expect(jobs.production.needs).toEqual(['plan', 'staging', 'sign-off']);
    expect(jobs.production.if).toBeUndefined(); // every role must have approved
  });

  test('the plan job builds without promoting, plans the migrations and writes the checklist', () => {
    const image = step(jobs.plan, 'image');
    expect(ourActionName(image.uses)).toBe('build-push-image');
    expect(image.with).not.toHaveProperty('promote-tag');
    expect(image.with).not.toHaveProperty('digest');
    const plan = step(jobs.plan, 'migrations');
    expect(ourActionName(plan.uses)).toBe('migrate');
    expect(plan.with?.mode).toBe('plan');
    const checklist = (jobs.plan.steps ?? []).find((s) => s.name === 'Release checklist');
    expect(checklist?.run).toContain('GITHUB_STEP_SUMMARY');
    expect(checklist?.if).toBe('always()');
  });

  test('the sign-off job is a matrix over the role environments, one environment per role', () => {
    const signOff = jobs['sign-off'];
    expect(signOff.strategy?.matrix).toEqual({
      role: '${{ fromJSON(inputs.sign-off-environments) }}',
    });
    expect(signOff.environment).toBe('${{ matrix.role }}');
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
    '%s: backup -> migrate -> promote -> deploy -> smoke -> gate, then rollback on failure',
    (name) => {
      const job = jobs[name];
      const ids = (job.steps ?? []).map((s) => s.id).filter((id) => id !== undefined);
      expect(ids).toEqual([
        'backup',
        'migrate',
        'promote',
        'deploy',
        'smoke',
        'gate',
        'rollback-plan',
        'rollback',
      ]);
      expect(ourActionName(step(job, 'backup').uses)).toBe('backup-db');
      expect(step(job, 'migrate').with?.['backup-manifest']).toBe(
        '${{ steps.backup.outputs.manifest-path }}',
      );
      expect(step(job, 'promote').with?.digest).toBe('${{ needs.plan.outputs.digest }}');
      expect(step(job, 'deploy').env).toMatchObject({
        RUNBOOK_IMAGE_REF: '${{ steps.promote.outputs.image-ref }}',
      });
      const roll = step(job, 'rollback');
      expect(ourActionName(roll.uses)).toBe('rollback');
      expect(roll.if).toMatch(/^failure\(\) && /);
      expect(roll.with).toMatchObject({
        'previous-state': '${{ steps.migrate.outputs.previous-state }}',
        'backup-manifest': '${{ steps.backup.outputs.manifest-path }}',
        'promote-tag': `\${{ inputs.${name}-tag }}`,
        'previous-tag': `\${{ inputs.${name}-tag }}-previous`,
        'deploy-command': '${{ inputs.deploy-command }}',
      });
      expect(step(job, 'promote').with).toMatchObject({
        'promote-tag': roll.with?.['promote-tag'],
        'previous-tag': roll.with?.['previous-tag'],
      });
    },
  );

  test.each(environmentJobs)(
    '%s: one concurrency group per environment, never cancelled',
    (name) => {
      expect(jobs[name].concurrency).toEqual({
        group: `runbook-\${{ inputs.${name}-environment }}`,
        'cancel-in-progress': false,
      });
      expect(jobs[name].environment).toEqual({
        name: `\${{ inputs.${name}-environment }}`,
        url: `\${{ inputs.${name}-url }}`,
      });
    },
  );

  test('the manual rollback shares the concurrency group of the deploy jobs', () => {
    expect(rollback.doc.jobs.rollback.concurrency).toEqual({
      group: 'runbook-${{ inputs.environment }}',
      'cancel-in-progress': false,
    });
    expect(rollback.doc.jobs.rollback.environment).toBe('${{ inputs.environment }}');
  });
});

/** Runs a step's script the way the runner runs `shell: bash`, with the given environment. */
function runScript(
  script: string,
  env: Record<string, string>,
): { code: number; output: string; summary: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wf-script-'));
  try {
    const output = join(dir, 'output');
    const summary = join(dir, 'summary');
    writeFileSync(output, '');
    writeFileSync(summary, '');
    const file = join(dir, 'script.sh');
    writeFileSync(file, script);
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
      env: {
        PATH: '/usr/bin:/bin',
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_RUN_ID: '42',
        GITHUB_SHA: 'f3c2a9d0000000000000000000000000000000ff',
        GITHUB_ACTOR: 'alice',
        ...env,
      },
      encoding: 'utf8',
    });
    return {
      code: r.status ?? 1,
      output: readFileSync(output, 'utf8'),
      summary: readFileSync(summary, 'utf8'),
      stderr: r.stderr,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the scripts of runbook-deploy', () => {
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
        PREVIOUS_DIGEST: 'sha256:' + 'a'.repeat(64),
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
        PREVIOUS_DIGEST: '',
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
        PREVIOUS_DIGEST: 'sha256:' + 'b'.repeat(64),
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
  )('%s rollback-plan: %s', (job, _what, env, want) => {
    const r = runScript(String(step(envJob(job), 'rollback-plan').run), {
      RESTORE_DATABASE: 'false',
      ...env,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.output).toBe(`targets=${want}\n`);
  });

  test('the release checklist lists the image, the pending migrations and the links', () => {
    const checklist = (deploy.doc.jobs.plan.steps ?? []).find(
      (s) => s.name === 'Release checklist',
    );
    const r = runScript(String(checklist?.run), {
      IMAGE_REF: 'ghcr.io/acme/shop@sha256:' + 'c'.repeat(64),
      DIGEST: 'sha256:' + 'c'.repeat(64),
      TAGS: '["ghcr.io/acme/shop:sha-f3c2a9d"]',
      MIGRATION_TOOL: 'sql',
      PENDING: '["0004_add_orders","0005_index_orders"]',
      PENDING_COUNT: '2',
      STAGING_URL: 'https://staging.shop.example.com',
      PRODUCTION_URL: 'https://shop.example.com',
      STAGING_ENVIRONMENT: 'staging',
      PRODUCTION_ENVIRONMENT: 'production',
      SIGN_OFF: '["qa", "devops", "engineering", "product"]',
    });
    expect(r.code).toBe(0);
    expect(r.summary).toContain('| Digest | `sha256:' + 'c'.repeat(64) + '` |');
    expect(r.summary).toContain('| Tags | ghcr.io/acme/shop:sha-f3c2a9d |');
    expect(r.summary).toContain('| Pending migrations (sql) | 2 |');
    expect(r.summary).toContain('1. `0004_add_orders`\n1. `0005_index_orders`');
    expect(r.summary).toContain('| Sign-off by | qa, devops, engineering, product |');
    expect(r.summary).toContain('https://github.com/acme/shop/actions/runs/42');
    expect(r.summary).toContain('[`f3c2a9d`](https://github.com/acme/shop/commit/f3c2a9d');
  });

  test('the sign-off record names the role even when the approvals cannot be read', () => {
    const run = String(deploy.doc.jobs['sign-off'].steps?.[0].run);
    // PATH without gh: the approvals API is out of reach, the record falls back to the run page
    const r = runScript(run, {
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

  test("the example's smoke secrets become a YAML map whatever the password holds", () => {
    const example = workflow('workflows-examples/deploy.yml');
    const secrets = example.doc.jobs.release.secrets as Record<string, string>;
    const expr = secrets.STAGING_SMOKE_SECRETS;
    expect(expr).toBe("${{ format('password: {0}', toJSON(secrets.STAGING_SMOKE_PASSWORD)) }}");
    for (const password of ['plain', 'a: b # c', '"quoted" \\ {x}', "it's\nmultiline"]) {
      const text = `password: ${JSON.stringify(password)}`; // format + toJSON
      expect(parse(text)).toEqual({ password });
    }
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
