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

/**
 * Inputs the workflows pass that belong to the encrypted-backups interface (backup-db
 * `encrypt-to`, `decrypt-identity`; rollback `decrypt-identity`, docs/workflows.md), added to
 * the action.yml specs only while an action.yml does not declare them yet: once it does, the
 * action.yml alone is the reference and this adds nothing.
 */
const ENCRYPTION_INTERFACE: Record<string, string[]> = {
  'backup-db': ['encrypt-to', 'decrypt-identity'],
  rollback: ['decrypt-identity'],
};
for (const [action, inputs] of Object.entries(ENCRYPTION_INTERFACE)) {
  const spec = ctx.actions.get(action);
  for (const input of inputs) {
    if (spec && !(input in spec.inputs)) spec.inputs[input] = { required: false };
  }
}

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
