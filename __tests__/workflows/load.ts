import { repoRoot } from '../support/run-action.js';
import {
  lintContext,
  loadWorkflows,
  type Job,
  type Step,
  type WorkflowFile,
} from './workflow-lint.js';

/** The workflow files of the repository, loaded once per test file. */

export const workflows = loadWorkflows(repoRoot);
export const ctx = lintContext(repoRoot, workflows);

export function workflow(path: string): WorkflowFile {
  const w = workflows.find((f) => f.path === path);
  if (!w) throw new Error(`${path} was not found among ${workflows.map((f) => f.path).join(', ')}`);
  return w;
}

/** A deep copy to break on purpose. */
export function copy(file: WorkflowFile): WorkflowFile {
  return { path: file.path, doc: structuredClone(file.doc) };
}

export function step(job: Job, id: string): Step {
  const s = (job.steps ?? []).find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

export const deploy = workflow('.github/workflows/runbook-deploy.yml');
export const rollback = workflow('.github/workflows/runbook-rollback.yml');
export const environmentJobs = ['staging', 'production'] as const;
