import { describe, expect, test } from '@jest/globals';
import { deploy } from './load.js';
import { jobRuns, simulateJob, type Outcome, type StepScenario } from './simulate.js';
import type { WorkflowParam } from './workflow-lint.js';

/**
 * Every `if:` of runbook-deploy.yml evaluated by GitHub's expression evaluator under the
 * scenarios that matter: staging's smoke test fails, production's health gate fails, the
 * production job is cancelled mid-deploy, one sign-off is rejected. Which rollback steps run,
 * what the deployment record is finished with, and that production never runs after a
 * rejection. The rollback plan is the real script, fed by the evaluated expressions.
 */

const jobs = deploy.doc.jobs;
const declared = (deploy.doc.on as { workflow_call: { inputs: Record<string, WorkflowParam> } })
  .workflow_call.inputs;

function inputs(overrides: Record<string, string | number | boolean> = {}) {
  const values: Record<string, string | number | boolean> = {};
  for (const [name, spec] of Object.entries(declared)) {
    if (spec.default !== undefined) values[name] = spec.default as string | number | boolean;
  }
  return {
    ...values,
    image: 'ghcr.io/acme/shop',
    'staging-url': 'https://staging.shop.example.com',
    'production-url': 'https://shop.example.com',
    'deploy-command': './deploy.sh',
    'smoke-checks-file': '.github/smoke/login.checks.yml',
    'backup-encrypt-to': 'age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg',
    ...overrides,
  };
}

const plan = { result: 'success' as Outcome, outputs: {} };
const checklist = {
  result: 'success' as Outcome,
  outputs: {
    promote: JSON.stringify([
      { name: 'app', image: 'ghcr.io/acme/shop', digest: 'sha256:' + 'c'.repeat(64) },
    ]),
    digest: 'sha256:' + 'c'.repeat(64),
    'image-ref': 'ghcr.io/acme/shop@sha256:c',
  },
};

/** Steps that changed something: a promoted tag and two applied migrations. */
const changed: Record<string, StepScenario> = {
  backup: {
    outputs: { 'manifest-path': '/tmp/db-backups/shop.manifest.json', sha256: 'd'.repeat(64) },
  },
  migrate: {
    outputs: { 'previous-state': '{"version":"0003"}', 'applied-count': '2', tool: 'sql' },
  },
  promote: {
    outputs: {
      promoted: 'true',
      'previous-digests': JSON.stringify({ app: 'sha256:' + 'b'.repeat(64) }),
      'image-refs': JSON.stringify({ app: 'x' }),
    },
  },
  record: { outputs: { 'deployment-id': '1001' } },
};

const real = ['check', 'rollback-plan'];

async function run(job: 'staging' | 'production', scenario: Record<string, StepScenario>) {
  const needs: Record<string, { result: Outcome; outputs: Record<string, string> }> =
    job === 'staging'
      ? { plan, checklist }
      : { plan, checklist, staging: { result: 'success', outputs: {} } };
  return simulateJob(jobs[job], inputs(), needs, { ...changed, ...scenario }, real);
}

const ROLLBACK_STEPS = ['rollback-plan', 'rollback', 'restored-smoke', 'restored-gate'];

describe('every step of an environment job passes', () => {
  test.each(['staging', 'production'] as const)(
    '%s: no rollback step runs; the record is finished success',
    async (job) => {
      const r = await run(job, {});
      expect(r.result).toBe('success');
      for (const id of ROLLBACK_STEPS) expect(r.steps[id]).toBe('skipped');
      expect(r.steps.finish).toBe('success');
      expect(r.inputsOf('finish')).toMatchObject({ state: 'success', 'deployment-id': '1001' });
    },
  );
});

describe('staging: the smoke test fails', () => {
  test('the gate is skipped, the image and migrations are rolled back, the restored version is checked', async () => {
    const r = await run('staging', {
      smoke: { outcome: 'failure' },
      rollback: { outputs: { 'rolled-back': '["image","migrations"]' } },
    });
    expect(r.result).toBe('failure');
    expect(r.steps.gate).toBe('skipped');
    expect(r.steps['rollback-plan']).toBe('success');
    expect(r.outputs['rollback-plan'].targets).toBe('image,migrations');
    expect(r.steps.rollback).toBe('success');
    expect(r.inputsOf('rollback').targets).toBe('image,migrations');
    expect(r.steps['restored-smoke']).toBe('success');
    expect(r.steps['restored-gate']).toBe('success');
    expect(r.inputsOf('finish').state).toBe('failure');
  });

  test('nothing after staging runs: no sign-off, no production; notify still reports', () => {
    const staging = { result: 'failure' as Outcome, outputs: {} };
    expect(jobRuns(jobs['sign-off'], inputs(), { plan, staging })).toBe(false);
    expect(
      jobRuns(jobs['sign-off-issue'], inputs({ 'sign-off-mode': 'issue' }), { plan, staging }),
    ).toBe(false);
    const skipped = { result: 'skipped' as Outcome, outputs: {} };
    expect(
      jobRuns(jobs.production, inputs(), {
        plan,
        staging,
        'sign-off': skipped,
        'sign-off-issue': skipped,
      }),
    ).toBe(false);
    expect(jobRuns(jobs.notify, inputs(), { plan, staging, production: skipped })).toBe(true);
    expect(jobRuns(jobs['notify-sign-off'], inputs(), { plan, staging })).toBe(false);
  });
});

describe('production: the health gate fails', () => {
  test('the image and the migrations are rolled back; the database only when asked', async () => {
    const r = await run('production', { gate: { outcome: 'failure' } });
    expect(r.result).toBe('failure');
    expect(r.outputs['rollback-plan'].targets).toBe('image,migrations');
    expect(r.steps.rollback).toBe('success');
    expect(r.inputsOf('rollback')['decrypt-identity']).toBe('AGE-SECRET-KEY-1X');
    // the image goes back to exactly the digest the promotion replaced
    expect(JSON.parse(r.inputsOf('rollback').images)).toEqual([
      { name: 'app', image: 'ghcr.io/acme/shop', 'to-digest': 'sha256:' + 'b'.repeat(64) },
    ]);
    expect(r.inputsOf('finish').state).toBe('failure');
    const restore = await simulateJob(
      jobs.production,
      inputs({ 'restore-database-on-failure': true }),
      { plan, checklist, staging: { result: 'success', outputs: {} } },
      { ...changed, gate: { outcome: 'failure' } },
      real,
    );
    expect(restore.outputs['rollback-plan'].targets).toBe('image,migrations,database');
  });

  test('rollback-on-failure: false leaves everything as it is', async () => {
    const r = await simulateJob(
      jobs.production,
      inputs({ 'rollback-on-failure': false }),
      { plan, checklist, staging: { result: 'success', outputs: {} } },
      { ...changed, gate: { outcome: 'failure' } },
      real,
    );
    for (const id of ROLLBACK_STEPS) expect(r.steps[id]).toBe('skipped');
    expect(r.steps.finish).toBe('success');
  });
});

describe('production: the job is cancelled during the deploy command (by hand or by a timeout)', () => {
  test('smoke and gate are skipped; the rollback runs anyway; the record is finished failure', async () => {
    const r = await run('production', {
      deploy: { outcome: 'cancelled' },
      rollback: { outputs: { 'rolled-back': '["image","migrations"]' } },
    });
    expect(r.result).toBe('cancelled');
    expect(r.steps.smoke).toBe('skipped');
    expect(r.steps.gate).toBe('skipped');
    expect(r.steps['rollback-plan']).toBe('success');
    expect(r.outputs['rollback-plan'].targets).toBe('image,migrations');
    expect(r.steps.rollback).toBe('success');
    expect(r.steps['restored-smoke']).toBe('success');
    expect(r.steps.finish).toBe('success');
    expect(r.inputsOf('finish').state).toBe('failure');
    expect(r.inputsOf('finish').description).toBe(
      'not released (cancelled); rolled back ["image","migrations"]',
    );
  });

  test('with `if: failure() && ...` (the old condition) nothing would have been rolled back', async () => {
    const old = structuredClone(jobs.production);
    for (const s of old.steps ?? []) {
      if (typeof s.if === 'string') s.if = s.if.replace('(failure() || cancelled())', 'failure()');
    }
    const r = await simulateJob(
      old,
      inputs(),
      { plan, checklist, staging: { result: 'success', outputs: {} } },
      {
        ...changed,
        deploy: { outcome: 'cancelled' },
      },
      real,
    );
    expect(r.steps['rollback-plan']).toBe('skipped');
    expect(r.steps.rollback).toBe('skipped');
  });

  test('cancelled before anything changed (during the backup): the plan is run, it finds nothing to undo', async () => {
    const r = await run('production', {
      backup: { outcome: 'cancelled' },
      migrate: {},
      promote: {},
      record: {},
    });
    expect(r.steps.migrate).toBe('skipped');
    expect(r.steps['rollback-plan']).toBe('success');
    expect(r.outputs['rollback-plan'].targets).toBe('');
    expect(r.steps.rollback).toBe('skipped');
    expect(r.steps.finish).toBe('skipped'); // no deployment was recorded
  });
});

describe('sign-off', () => {
  const staging = { result: 'success' as Outcome, outputs: {} };
  const ok = { result: 'success' as Outcome, outputs: {} };
  const failed = { result: 'failure' as Outcome, outputs: {} };
  const skipped = { result: 'skipped' as Outcome, outputs: {} };

  test('the approvers are told once staging passed', () => {
    expect(jobRuns(jobs['notify-sign-off'], inputs(), { plan, staging })).toBe(true);
  });

  test('environments mode: the role matrix runs, the issue job does not', () => {
    expect(jobRuns(jobs['sign-off'], inputs(), { plan, staging })).toBe(true);
    expect(jobRuns(jobs['sign-off-issue'], inputs(), { plan, staging })).toBe(false);
  });

  test('issue mode: the issue job runs, the role matrix does not', () => {
    const i = inputs({ 'sign-off-mode': 'issue' });
    expect(jobRuns(jobs['sign-off'], i, { plan, staging })).toBe(false);
    expect(jobRuns(jobs['sign-off-issue'], i, { plan, staging })).toBe(true);
  });

  test.each([
    ['environments', 'success', 'skipped', false, true],
    ['environments', 'failure', 'skipped', false, false], // one role rejected: the matrix fails
    ['environments', 'skipped', 'success', false, false], // an issue approval does not count here
    ['issue', 'skipped', 'success', false, true],
    ['issue', 'skipped', 'failure', false, false], // /reject <role>
    ['issue', 'success', 'skipped', false, false],
    ['environments', 'success', 'skipped', true, false], // the run was cancelled
  ] as const)(
    'mode %s, role jobs %s, issue job %s, run cancelled %s: production runs %s',
    (mode, signOff, signOffIssue, cancelled, runs) => {
      expect(
        jobRuns(
          jobs.production,
          inputs({ 'sign-off-mode': mode }),
          {
            plan,
            staging,
            'sign-off': { result: signOff, outputs: {} },
            'sign-off-issue': { result: signOffIssue, outputs: {} },
          },
          cancelled,
        ),
      ).toBe(runs);
    },
  );

  test('staging failed but a sign-off says success: production still does not run', () => {
    expect(
      jobRuns(jobs.production, inputs(), {
        plan,
        staging: failed,
        'sign-off': ok,
        'sign-off-issue': skipped,
      }),
    ).toBe(false);
  });
});
