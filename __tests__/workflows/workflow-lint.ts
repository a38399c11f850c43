import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse } from 'yaml';

/**
 * A static check of the workflow files against the actions' action.yml and against each
 * other: what GitHub itself only reports when a run reaches the step (an unknown input is a
 * warning in the log, a misspelt output is an empty string, a missing secret is an empty
 * string), found before anything runs.
 */

export interface ActionSpec {
  inputs: Record<string, { required: boolean }>;
  outputs: Set<string>;
}

type Mapping = Record<string, unknown>;

export interface Step extends Mapping {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Mapping;
  if?: string;
}

export interface Job extends Mapping {
  needs?: string | string[];
  uses?: string;
  with?: Mapping;
  secrets?: 'inherit' | Mapping;
  outputs?: Mapping;
  steps?: Step[];
  strategy?: { matrix?: Mapping | string; 'fail-fast'?: boolean };
  if?: string;
}

export interface WorkflowParam {
  type?: string;
  required?: boolean;
  default?: unknown;
  value?: string;
}

export interface Triggers {
  workflow_call?: {
    inputs?: Record<string, WorkflowParam>;
    secrets?: Record<string, WorkflowParam>;
    outputs?: Record<string, WorkflowParam>;
  } | null;
  workflow_dispatch?: { inputs?: Record<string, WorkflowParam> } | null;
}

export interface Workflow {
  on?: Triggers | string | string[];
  jobs: Record<string, Job>;
}

export interface WorkflowFile {
  /** relative to the repository root */
  path: string;
  doc: Workflow;
}

export interface LintContext {
  actions: Map<string, ActionSpec>;
  /** reusable workflows by file name (the workflows of .github/workflows) */
  reusable: Map<string, WorkflowFile>;
}

/** `OWNER/REPO/actions/<name>@ref` or `./actions/<name>`: one of this repository's actions. */
const OUR_ACTION = /^(?:\.\/actions\/([\w-]+)\/?|[\w.-]+\/[\w.-]+\/actions\/([\w-]+)@[\w./-]+)$/;
/** `OWNER/REPO/.github/workflows/<file>@ref` or `./.github/workflows/<file>`. */
const OUR_WORKFLOW =
  /^(?:\.\/\.github\/workflows\/([\w.-]+)|[\w.-]+\/[\w.-]+\/\.github\/workflows\/([\w.-]+)@[\w./-]+)$/;

export function ourActionName(uses: string | undefined): string | undefined {
  const m = uses === undefined ? null : OUR_ACTION.exec(uses);
  return m ? (m[1] ?? m[2]) : undefined;
}

export function ourWorkflowName(uses: string | undefined): string | undefined {
  const m = uses === undefined ? null : OUR_WORKFLOW.exec(uses);
  return m ? (m[1] ?? m[2]) : undefined;
}

export function loadActions(root: string): Map<string, ActionSpec> {
  const actions = new Map<string, ActionSpec>();
  for (const name of readdirSync(join(root, 'actions'))) {
    const file = join(root, 'actions', name, 'action.yml');
    if (!existsSync(file)) continue;
    const doc = parse(readFileSync(file, 'utf8')) as {
      inputs?: Record<string, { required?: boolean | string; default?: unknown }>;
      outputs?: Record<string, unknown>;
    };
    const inputs: ActionSpec['inputs'] = {};
    for (const [input, spec] of Object.entries(doc.inputs ?? {})) {
      const required = spec.required === true || spec.required === 'true';
      inputs[input] = { required: required && (spec.default === undefined || spec.default === '') };
    }
    actions.set(name, { inputs, outputs: new Set(Object.keys(doc.outputs ?? {})) });
  }
  return actions;
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

/** Every workflow (a YAML file with `jobs`) of .github/workflows and workflows-examples. */
export function loadWorkflows(root: string): WorkflowFile[] {
  return [join(root, '.github/workflows'), join(root, 'workflows-examples')]
    .flatMap(yamlFiles)
    .map((path) => ({ path: relative(root, path), doc: parse(readFileSync(path, 'utf8')) }))
    .filter((f): f is WorkflowFile => isMapping(f.doc) && isMapping(f.doc.jobs))
    .sort((a, b) => a.path.localeCompare(b.path));
}

export function lintContext(root: string, workflows: WorkflowFile[]): LintContext {
  const reusable = new Map<string, WorkflowFile>();
  for (const w of workflows) {
    if (w.path.startsWith('.github/workflows/')) reusable.set(basename(w.path), w);
  }
  return { actions: loadActions(root), reusable };
}

function isMapping(v: unknown): v is Mapping {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function triggers(w: Workflow): Triggers {
  return isMapping(w.on) ? (w.on as Triggers) : {};
}

/** The bodies of the `${{ }}` expressions in any string below `value`. */
export function expressions(value: unknown): string[] {
  if (typeof value === 'string') {
    return [...value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]);
  }
  if (Array.isArray(value)) return value.flatMap(expressions);
  if (isMapping(value)) return Object.values(value).flatMap(expressions);
  return [];
}

/** `if:` is an expression with or without `${{ }}`. */
function conditionExpressions(condition: unknown): string[] {
  if (typeof condition !== 'string') return [];
  return condition.includes('${{') ? expressions(condition) : [condition];
}

/** Expression text without its string literals, so `'steps.x'` in a literal is not a reference. */
function withoutLiterals(expr: string): string {
  return expr.replace(/'(?:[^']|'')*'/g, "''");
}

function refs(exprs: string[], pattern: RegExp): RegExpMatchArray[] {
  return exprs.flatMap((e) => [...withoutLiterals(e).matchAll(pattern)]);
}

const STEP_REF = /(?<![\w.-])steps\.([\w-]+)\.(outputs\.([\w-]+)|outcome|conclusion)?/g;
const NEEDS_REF = /(?<![\w.-])needs\.([\w-]+)\.(outputs\.([\w-]+)|result)?/g;
const INPUT_REF = /(?<![\w.-])inputs\.([\w-]+)/g;
const SECRET_REF = /(?<![\w.-])secrets\.([\w-]+)/g;
const MATRIX_REF = /(?<![\w.-])matrix\.([\w-]+)/g;
const JOB_OUTPUT_REF = /(?<![\w.-])jobs\.([\w-]+)\.outputs\.([\w-]+)/g;

function needsList(job: Job): string[] {
  if (job.needs === undefined) return [];
  return Array.isArray(job.needs) ? job.needs : [job.needs];
}

/** The outputs a job offers to `needs.<job>.outputs`: its own, or its called workflow's. */
function jobOutputs(job: Job, ctx: LintContext): Set<string> | undefined {
  const called = ourWorkflowName(job.uses);
  if (called !== undefined) {
    const w = ctx.reusable.get(called);
    return w ? new Set(Object.keys(triggers(w.doc).workflow_call?.outputs ?? {})) : undefined;
  }
  return new Set(Object.keys(job.outputs ?? {}));
}

function stepLabel(step: Step, index: number): string {
  return `steps[${index}]${step.id ? ` (${step.id})` : step.name ? ` (${step.name})` : ''}`;
}

/** Does the run script write `name=` to $GITHUB_OUTPUT? */
function runWritesOutput(run: string, name: string): boolean {
  const escaped = name.replace(/[-]/g, '\\-');
  return run.includes('GITHUB_OUTPUT') && new RegExp(`(^|[\\s"'])${escaped}=`, 'm').test(run);
}

function checkStepRefs(
  exprs: string[],
  steps: Step[],
  before: number,
  ctx: LintContext,
  report: (msg: string) => void,
): void {
  for (const m of refs(exprs, STEP_REF)) {
    const [, id, , output] = m;
    const index = steps.findIndex((s) => s.id === id);
    if (index < 0) {
      report(`steps.${id}: no step with id '${id}' in this job`);
      continue;
    }
    if (index >= before) {
      report(`steps.${id}: the step '${id}' runs later, so its result is not known here`);
      continue;
    }
    if (output === undefined) continue;
    const target = steps[index];
    const action = ourActionName(target.uses);
    if (action !== undefined) {
      const spec = ctx.actions.get(action);
      if (spec && !spec.outputs.has(output)) {
        report(
          `steps.${id}.outputs.${output}: actions/${action}/action.yml declares no output '${output}' (it has: ${[...spec.outputs].join(', ')})`,
        );
      }
    } else if (typeof target.run === 'string') {
      if (!runWritesOutput(target.run, output)) {
        report(
          `steps.${id}.outputs.${output}: the run script of '${id}' never writes ${output}= to $GITHUB_OUTPUT`,
        );
      }
    } else {
      report(
        `steps.${id}.outputs.${output}: '${target.uses}' is not one of our actions; its outputs cannot be checked`,
      );
    }
  }
}

function checkActionStep(step: Step, ctx: LintContext, report: (msg: string) => void): void {
  const name = ourActionName(step.uses);
  if (name === undefined) return;
  const spec = ctx.actions.get(name);
  if (!spec) {
    report(`uses ${step.uses}: there is no actions/${name}/action.yml`);
    return;
  }
  const given = step.with ?? {};
  for (const input of Object.keys(given)) {
    if (!(input in spec.inputs)) {
      report(`with.${input}: actions/${name}/action.yml declares no input '${input}'`);
    }
  }
  for (const [input, { required }] of Object.entries(spec.inputs)) {
    const value = given[input];
    if (required && (value === undefined || value === null || value === '')) {
      report(`with.${input}: required by actions/${name}/action.yml but not given`);
    }
  }
}

function typeMatches(value: unknown, type: string | undefined): boolean {
  if (typeof value === 'string' && /^\s*\$\{\{[\s\S]*\}\}\s*$/.test(value)) return true;
  if (type === 'boolean') return typeof value === 'boolean';
  if (type === 'number') return typeof value === 'number';
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function checkWorkflowCall(job: Job, ctx: LintContext, report: (msg: string) => void): void {
  const called = ourWorkflowName(job.uses);
  if (called === undefined) return;
  const target = ctx.reusable.get(called);
  const call = target ? triggers(target.doc).workflow_call : undefined;
  if (!target || !call) {
    report(
      `uses ${job.uses}: .github/workflows/${called} is not a reusable workflow of this repository`,
    );
    return;
  }
  const declaredInputs = call.inputs ?? {};
  const given = job.with ?? {};
  for (const [input, value] of Object.entries(given)) {
    const spec = declaredInputs[input];
    if (!spec) {
      report(`with.${input}: ${called} declares no input '${input}'`);
    } else if (!typeMatches(value, spec.type)) {
      report(`with.${input}: ${called} declares it as ${spec.type}, got ${JSON.stringify(value)}`);
    }
  }
  for (const [input, spec] of Object.entries(declaredInputs)) {
    if (spec.required === true && spec.default === undefined && !(input in given)) {
      report(`with.${input}: required by ${called} but not given`);
    }
  }
  if (job.secrets === 'inherit') return;
  const declaredSecrets = call.secrets ?? {};
  const secrets = isMapping(job.secrets) ? job.secrets : {};
  for (const secret of Object.keys(secrets)) {
    if (!(secret in declaredSecrets))
      report(`secrets.${secret}: ${called} declares no secret '${secret}'`);
  }
  for (const [secret, spec] of Object.entries(declaredSecrets)) {
    if (spec?.required === true && !(secret in secrets)) {
      report(`secrets.${secret}: required by ${called} but not passed`);
    }
  }
}

/** Every problem of one workflow file, one line each, prefixed with where it is. */
export function lintWorkflow(file: WorkflowFile, ctx: LintContext): string[] {
  const problems: string[] = [];
  const on = triggers(file.doc);
  const call = on.workflow_call;
  const inputs = new Set([
    ...Object.keys(call?.inputs ?? {}),
    ...Object.keys(on.workflow_dispatch?.inputs ?? {}),
  ]);
  const hasInputs = call !== undefined || on.workflow_dispatch !== undefined;
  const secrets = new Set([...Object.keys(call?.secrets ?? {}), 'GITHUB_TOKEN']);

  const checkContexts = (exprs: string[], report: (msg: string) => void): void => {
    for (const [, input] of refs(exprs, INPUT_REF)) {
      if (!hasInputs)
        report(`inputs.${input}: the workflow has no workflow_call or workflow_dispatch inputs`);
      else if (!inputs.has(input))
        report(`inputs.${input}: not declared in on.workflow_call / on.workflow_dispatch`);
    }
    if (call === undefined) return; // a caller's secrets are the repository's: not checkable here
    for (const [, secret] of refs(exprs, SECRET_REF)) {
      if (!secrets.has(secret))
        report(`secrets.${secret}: not declared in on.workflow_call.secrets`);
    }
  };

  for (const [name, param] of Object.entries(call?.outputs ?? {})) {
    const report = (msg: string) =>
      problems.push(`${file.path}: on.workflow_call.outputs.${name}: ${msg}`);
    for (const [, job, output] of refs(expressions(param?.value), JOB_OUTPUT_REF)) {
      const target = file.doc.jobs[job];
      if (!target) report(`jobs.${job}: no such job`);
      else if (!jobOutputs(target, ctx)?.has(output))
        report(`jobs.${job}.outputs.${output}: the job declares no such output`);
    }
  }

  for (const [jobName, job] of Object.entries(file.doc.jobs)) {
    const at = `${file.path}: jobs.${jobName}`;
    const steps = job.steps ?? [];
    const needs = needsList(job);
    const matrix = isMapping(job.strategy?.matrix) ? Object.keys(job.strategy.matrix) : undefined;

    const checkNeedsAndMatrix = (exprs: string[], report: (msg: string) => void): void => {
      for (const [, dep, , output] of refs(exprs, NEEDS_REF)) {
        if (!needs.includes(dep)) {
          report(`needs.${dep}: '${dep}' is not in this job's needs`);
        } else if (!file.doc.jobs[dep]) {
          report(`needs.${dep}: no such job`);
        } else if (output !== undefined) {
          const outputs = jobOutputs(file.doc.jobs[dep], ctx);
          if (outputs && !outputs.has(output))
            report(`needs.${dep}.outputs.${output}: job '${dep}' declares no such output`);
        }
      }
      for (const [, key] of refs(exprs, MATRIX_REF)) {
        if (matrix === undefined) report(`matrix.${key}: the job has no matrix`);
        else if (!matrix.includes(key)) report(`matrix.${key}: not a key of the job's matrix`);
      }
    };

    for (const dep of needs) {
      if (!file.doc.jobs[dep]) problems.push(`${at}: needs '${dep}': no such job`);
    }

    // Job-level keys (everything but the steps); `outputs` may read any step of the job.
    const { steps: _steps, ...jobLevel } = job;
    const jobExprs = [
      ...expressions({ ...jobLevel, if: undefined }),
      ...conditionExpressions(job.if),
    ];
    const reportJob = (msg: string) => problems.push(`${at}: ${msg}`);
    checkContexts(jobExprs, reportJob);
    checkNeedsAndMatrix(jobExprs, reportJob);
    checkStepRefs(expressions(job.outputs ?? {}), steps, steps.length, ctx, reportJob);
    checkWorkflowCall(job, ctx, reportJob);

    const ids = new Set<string>();
    steps.forEach((step, index) => {
      const report = (msg: string) => problems.push(`${at}.${stepLabel(step, index)}: ${msg}`);
      if (step.id !== undefined) {
        if (ids.has(step.id)) report(`the id '${step.id}' is used twice in this job`);
        ids.add(step.id);
      }
      const exprs = [...expressions({ ...step, if: undefined }), ...conditionExpressions(step.if)];
      checkContexts(exprs, report);
      checkNeedsAndMatrix(exprs, report);
      checkStepRefs(exprs, steps, index, ctx, report);
      checkActionStep(step, ctx, report);
    });
  }
  return problems;
}
