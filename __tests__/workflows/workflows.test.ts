import { describe, expect, test } from '@jest/globals';
import { copy, ctx, deploy, rollback, step, workflow, workflows } from './load.js';
import { lintWorkflow, ourActionName, type Workflow } from './workflow-lint.js';

/**
 * Every workflow of .github/workflows and workflows-examples, checked against the actions'
 * action.yml and against each other (inputs, outputs, needs, secrets, callers); and proof that
 * the checker finds each kind of mistake, on copies broken on purpose.
 */

describe('every workflow file', () => {
  test('the reusable workflows and the examples are all found', () => {
    expect(workflows.map((w) => w.path)).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/runbook-deploy.yml',
        '.github/workflows/runbook-rollback.yml',
        'workflows-examples/deploy.yml',
        'workflows-examples/rollback.yml',
        'workflows-examples/smoke/smoke-staging.yml',
      ]),
    );
    // check files (*.checks.yml) are not workflows
    expect(workflows.some((w) => w.path.endsWith('.checks.yml'))).toBe(false);
  });

  test.each(workflows.map((w) => [w.path, w] as const))(
    '%s: inputs, outputs, needs, secrets and callers agree',
    (_path, file) => {
      expect(lintWorkflow(file, ctx)).toEqual([]);
    },
  );

  test('every action step uses one of our actions that exists', () => {
    const uses = workflows.flatMap((w) =>
      Object.values(w.doc.jobs).flatMap((j) => (j.steps ?? []).map((s) => s.uses)),
    );
    const ours = uses.map(ourActionName).filter((n): n is string => n !== undefined);
    expect(new Set(ours)).toEqual(
      new Set([
        'backup-db',
        'migrate',
        'build-push-image',
        'smoke-test',
        'health-gate',
        'rollback',
        'deployment',
        'sign-off',
      ]),
    );
    for (const name of ours) expect(ctx.actions.has(name)).toBe(true);
  });

  test('the reusable workflows reference the actions with one owner and one ref', () => {
    for (const file of [deploy, rollback]) {
      const refs = Object.values(file.doc.jobs)
        .flatMap((j) => j.steps ?? [])
        .map((s) => s.uses)
        .filter((u): u is string => ourActionName(u) !== undefined);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) {
        expect(ref).toMatch(/^runbook-actions\/runbook-actions\/actions\/[a-z-]+@v1$/);
      }
    }
  });

  test('no run script of a reusable workflow expands ${{ }} (values go through env)', () => {
    for (const file of [deploy, rollback]) {
      for (const job of Object.values(file.doc.jobs)) {
        for (const s of job.steps ?? []) {
          if (typeof s.run === 'string') expect(s.run).not.toContain('${{');
        }
      }
    }
  });
});

describe('the checker catches mistakes', () => {
  test('an input the action does not declare, and a missing required one', () => {
    const broken = copy(deploy);
    const backup = step(broken.doc.jobs.staging, 'backup');
    backup.with = { ...backup.with, verfy: 'list' };
    delete backup.with['database-url'];
    expect(lintWorkflow(broken, ctx)).toEqual([
      ".github/workflows/runbook-deploy.yml: jobs.staging.steps[4] (backup): with.verfy: actions/backup-db/action.yml declares no input 'verfy'",
      '.github/workflows/runbook-deploy.yml: jobs.staging.steps[4] (backup): with.database-url: required by actions/backup-db/action.yml but not given',
    ]);
  });

  test('a step output that the action does not declare, or of a step that runs later', () => {
    const broken = copy(deploy);
    const migrate = step(broken.doc.jobs.production, 'migrate');
    migrate.with = { ...migrate.with, 'backup-manifest': '${{ steps.backup.outputs.manifest }}' };
    const backup = step(broken.doc.jobs.production, 'backup');
    backup.with = { ...backup.with, name: '${{ steps.smoke.outputs.passed }}' };
    const problems = lintWorkflow(broken, ctx);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /jobs\.production\.steps\[4\] \(backup\): steps\.smoke: the step 'smoke' runs later/,
    );
    expect(problems[1]).toMatch(
      /jobs\.production\.steps\[5\] \(migrate\): steps\.backup\.outputs\.manifest: actions\/backup-db\/action\.yml declares no output 'manifest'/,
    );
  });

  test('a step id that does not exist, and a run step that never writes the output', () => {
    const broken = copy(deploy);
    const roll = step(broken.doc.jobs.staging, 'rollback');
    roll.if = "failure() && steps.rollback-plan.outputs.target != ''";
    roll.with = { ...roll.with, 'previous-state': '${{ steps.migration.outputs.previous-state }}' };
    const problems = lintWorkflow(broken, ctx);
    expect(problems).toEqual([
      ".github/workflows/runbook-deploy.yml: jobs.staging.steps[13] (rollback): steps.migration: no step with id 'migration' in this job",
      ".github/workflows/runbook-deploy.yml: jobs.staging.steps[13] (rollback): steps.rollback-plan.outputs.target: the run script of 'rollback-plan' never writes target= to $GITHUB_OUTPUT",
    ]);
  });

  test('a needs output that the job does not declare, and a job not in needs', () => {
    const broken = copy(deploy);
    const promote = step(broken.doc.jobs.production, 'promote');
    promote.with = { ...promote.with, digest: '${{ needs.plan.outputs.image-digest }}' };
    broken.doc.jobs.production.needs = ['plan', 'checklist', 'sign-off'];
    const problems = lintWorkflow(broken, ctx);
    expect(problems).toContain(
      ".github/workflows/runbook-deploy.yml: jobs.production.steps[6] (promote): needs.plan.outputs.image-digest: job 'plan' declares no such output",
    );
    // the job's if: reads the results of the jobs dropped from needs
    expect(problems).toEqual(
      expect.arrayContaining([
        ".github/workflows/runbook-deploy.yml: jobs.production: needs.staging: 'staging' is not in this job's needs",
        ".github/workflows/runbook-deploy.yml: jobs.production: needs.sign-off-issue: 'sign-off-issue' is not in this job's needs",
      ]),
    );
    expect(problems).toHaveLength(3);
    // staging is still read through needs by the sign-off job, not by production: drop it there
    broken.doc.jobs['sign-off'].needs = ['plan'];
    expect(lintWorkflow(broken, ctx)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /jobs\.sign-off\.steps\[0\].*needs\.staging: 'staging' is not in this job's needs/,
        ),
      ]),
    );
  });

  test('inputs, secrets and workflow outputs that are not declared', () => {
    const broken = copy(deploy);
    const doc = broken.doc as Workflow & {
      on: { workflow_call: { outputs: Record<string, { value: string }> } };
    };
    const gate = step(broken.doc.jobs.staging, 'gate');
    gate.with = { ...gate.with, interval: '${{ inputs.gate-intervall }}' };
    const smoke = step(broken.doc.jobs.production, 'smoke');
    smoke.with = { ...smoke.with, secrets: '${{ secrets.PRODUCTION_SMOKE_SECRETS }}' };
    doc.on.workflow_call.outputs.digest.value = '${{ jobs.plan.outputs.digests }}';
    expect(lintWorkflow(broken, ctx)).toEqual([
      '.github/workflows/runbook-deploy.yml: on.workflow_call.outputs.digest: jobs.plan.outputs.digests: the job declares no such output',
      '.github/workflows/runbook-deploy.yml: jobs.staging.steps[11] (gate): inputs.gate-intervall: not declared in on.workflow_call / on.workflow_dispatch',
      '.github/workflows/runbook-deploy.yml: jobs.production.steps[10] (smoke): secrets.PRODUCTION_SMOKE_SECRETS: not declared in on.workflow_call.secrets',
    ]);
  });

  test('a caller passing an undeclared input or secret, a wrong type, or leaving out a required input', () => {
    const broken = copy(workflow('workflows-examples/deploy.yml'));
    const job = broken.doc.jobs.release;
    const given = { ...job.with };
    delete given['deploy-command'];
    job.with = { ...given, 'staging-ulr': 'https://x', 'rollback-on-failure': 'yes' };
    expect(job.secrets).toBe('inherit');
    job.secrets = { STAGING_DATABASE_URL: '${{ secrets.X }}' };
    expect(lintWorkflow(broken, ctx)).toEqual([
      "workflows-examples/deploy.yml: jobs.release: with.staging-ulr: runbook-deploy.yml declares no input 'staging-ulr'",
      'workflows-examples/deploy.yml: jobs.release: with.rollback-on-failure: runbook-deploy.yml declares it as boolean, got "yes"',
      'workflows-examples/deploy.yml: jobs.release: with.deploy-command: required by runbook-deploy.yml but not given',
      "workflows-examples/deploy.yml: jobs.release: secrets.STAGING_DATABASE_URL: runbook-deploy.yml declares no secret 'STAGING_DATABASE_URL'",
    ]);
  });

  test('a matrix key that does not exist, and a call to a workflow that is not there', () => {
    const broken = copy(deploy);
    broken.doc.jobs['sign-off'].environment = '${{ matrix.roles }}';
    expect(lintWorkflow(broken, ctx)).toEqual([
      ".github/workflows/runbook-deploy.yml: jobs.sign-off: matrix.roles: not a key of the job's matrix",
    ]);
    const caller = copy(workflow('workflows-examples/rollback.yml'));
    caller.doc.jobs.rollback.uses =
      'runbook-actions/runbook-actions/.github/workflows/runbook-undo.yml@v1';
    expect(lintWorkflow(caller, ctx)).toEqual([
      'workflows-examples/rollback.yml: jobs.rollback: uses runbook-actions/runbook-actions/.github/workflows/runbook-undo.yml@v1: .github/workflows/runbook-undo.yml is not a reusable workflow of this repository',
    ]);
  });
});
