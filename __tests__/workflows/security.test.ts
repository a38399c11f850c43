import { describe, expect, test } from '@jest/globals';
import { deploy, rollback, workflow, workflows } from './load.js';
import type { Job } from './workflow-lint.js';

/**
 * Least privilege and supply chain, for every workflow of the repository and every example:
 * no job without its own permissions in the reusable workflows, no token left in
 * .git/config, the artifact and checkout actions on their current majors, no id-token.
 */

const steps = (job: Job) => job.steps ?? [];
const allJobs = workflows.flatMap((w) =>
  Object.entries(w.doc.jobs).map(([name, job]) => [`${w.path} ${name}`, job] as const),
);
const CURRENT: Record<string, string> = {
  'actions/checkout': 'v7',
  'actions/upload-artifact': 'v7',
  'actions/download-artifact': 'v8',
  'actions/setup-node': 'v6',
};

describe('least privilege', () => {
  test.each([deploy, rollback, workflow('.github/workflows/release.yml')])(
    '$path: nothing at the top, and each job asks for its own permissions',
    (file) => {
      const doc = file.doc as { permissions?: unknown };
      expect(doc.permissions).toEqual({});
      for (const [name, job] of Object.entries(file.doc.jobs)) {
        expect([name, typeof job.permissions]).toEqual([name, 'object']);
      }
    },
  );

  test('write permissions only where they are used', () => {
    const perms = (job: Job) => (job.permissions ?? {}) as Record<string, string>;
    const jobs = deploy.doc.jobs;
    expect(perms(jobs.plan)).toEqual({
      contents: 'read',
      actions: 'read',
      deployments: 'read',
    });
    // only the build legs push, and only they can write packages before the sign-off
    expect(perms(jobs.build)).toEqual({ contents: 'read', packages: 'write' });
    expect(perms(jobs.checklist)).toEqual({});
    for (const name of ['staging', 'production']) {
      expect(perms(jobs[name])).toEqual({
        contents: 'read',
        packages: 'write',
        deployments: 'write',
      });
    }
    expect(perms(jobs['sign-off'])).toEqual({ actions: 'read' });
    expect(perms(jobs['sign-off-issue'])).toEqual({ contents: 'read', issues: 'write' });
    expect(perms(jobs.notify)).toEqual({});
    expect(perms(rollback.doc.jobs.check)).toEqual({});
    // no job anywhere asks for an OIDC token: nothing uses one
    expect(JSON.stringify(workflows.map((w) => w.doc))).not.toContain('id-token');
  });

  test.each(allJobs)('%s: every checkout leaves no credentials behind', (_name, job) => {
    for (const s of steps(job)) {
      if (s.uses?.startsWith('actions/checkout@')) {
        expect(s.with?.['persist-credentials']).toBe(false);
      }
    }
  });

  test('every GitHub action is on its current major (node24)', () => {
    const uses = allJobs.flatMap(([, job]) => steps(job).map((s) => s.uses ?? ''));
    const theirs = uses.filter((u) => u.startsWith('actions/'));
    expect(theirs.length).toBeGreaterThan(10);
    for (const u of theirs) {
      const [name, ref] = u.split('@');
      expect([name, ref]).toEqual([name, CURRENT[name]]);
    }
  });

  test('every environment job and the rollback job have a timeout below the job limit', () => {
    for (const [, job] of allJobs) {
      if (job.uses !== undefined) continue; // a call: the called jobs have theirs
      expect(job['timeout-minutes']).toBeDefined();
    }
  });

  test('the callers grant their reusable workflow no more than its jobs ask', () => {
    const union = (jobs: Record<string, Job>) => {
      const out: Record<string, string> = {};
      for (const job of Object.values(jobs)) {
        for (const [k, v] of Object.entries((job.permissions ?? {}) as Record<string, string>)) {
          if (out[k] !== 'write') out[k] = v;
        }
      }
      return out;
    };
    const deployUnion = union(deploy.doc.jobs);
    const callerDeploy = workflow('workflows-examples/deploy.yml').doc.jobs.release.permissions;
    // issues: write only for sign-off-mode: issue, which the example does not use
    const { issues: _issues, ...withoutIssues } = deployUnion;
    expect(callerDeploy).toEqual(withoutIssues);
    const callerRollback = workflow('workflows-examples/rollback.yml').doc.jobs.rollback
      .permissions;
    expect(callerRollback).toEqual(union(rollback.doc.jobs));
  });
});
