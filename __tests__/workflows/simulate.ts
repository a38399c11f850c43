import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { runScript } from './run-script.js';
import type { Job, Step } from './workflow-lint.js';

/**
 * A small model of how the runner decides what runs, with GitHub's own expression evaluator
 * (@actions/expressions) for every `if:`: a condition without a status function gets an
 * implicit success(); success()/failure()/cancelled() read the job's status so far (steps) or
 * the needed jobs' results (jobs); a continue-on-error step that fails leaves the job green.
 */

export type Outcome = 'success' | 'failure' | 'cancelled' | 'skipped';
type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const STATUS = /\b(success|failure|cancelled|always)\s*\(/;

function evaluate(
  expr: string,
  context: Record<string, Json>,
  status: StatusFns,
): data.ExpressionData {
  const lexed = new Lexer(expr).lex();
  const fns: FunctionDefinition[] = [
    { name: 'success', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status.success()) },
    { name: 'failure', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status.failure()) },
    {
      name: 'cancelled',
      minArgs: 0,
      maxArgs: 0,
      call: () => new data.BooleanData(status.cancelled()),
    },
    { name: 'always', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(true) },
  ];
  const ast = new Parser(lexed.tokens, Object.keys(context), fns).parse();
  const ctx = JSON.parse(JSON.stringify(context), data.reviver) as data.Dictionary;
  return new Evaluator(ast, ctx, new Map(fns.map((f) => [f.name, f]))).evaluate();
}

interface StatusFns {
  success(): boolean;
  failure(): boolean;
  cancelled(): boolean;
}

/** An `if:` as GitHub evaluates it (with the implicit success() when it has no status function). */
export function condition(
  expr: string | undefined,
  context: Record<string, Json>,
  status: StatusFns,
): boolean {
  const text = (expr ?? 'success()').replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1');
  const full = STATUS.test(text) ? text : `success() && (${text})`;
  return truthy(evaluate(full, context, status));
}

/** A value with `${{ }}` templates, as a string. */
export function template(value: unknown, context: Record<string, Json>, status: StatusFns): string {
  return String(value ?? '').replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const v = evaluate(expr, context, status);
    return v.kind === data.Kind.Null ? '' : v.coerceString();
  });
}

export interface StepScenario {
  /** what the step does when it runs (default success); cancelled: the job is cancelled during it */
  outcome?: 'success' | 'failure' | 'cancelled';
  outputs?: Record<string, string>;
}

export interface JobRun {
  result: Outcome;
  /** step id -> outcome (skipped when its if: was false) */
  steps: Record<string, Outcome>;
  outputs: Record<string, Record<string, string>>;
  /** the with: of a step that ran, its templates evaluated */
  inputsOf(id: string): Record<string, string>;
}

/**
 * Runs a job's steps in order. `run` steps whose id is in `realScripts` run their real bash
 * script with their env evaluated; the others take their outcome and outputs from scenario.
 */
export async function simulateJob(
  job: Job,
  inputs: Record<string, Json>,
  needs: Record<string, { result: Outcome; outputs: Record<string, string> }>,
  scenario: Record<string, StepScenario>,
  realScripts: string[] = [],
): Promise<JobRun> {
  let status: 'success' | 'failure' | 'cancelled' = 'success';
  const steps: Record<string, Outcome> = {};
  const outputs: Record<string, Record<string, string>> = {};
  const withs: Record<string, Record<string, string>> = {};
  const fns: StatusFns = {
    success: () => status === 'success',
    failure: () => status === 'failure',
    cancelled: () => status === 'cancelled',
  };
  const context = (): Record<string, Json> => ({
    inputs,
    needs,
    job: { status },
    github: { token: '***', actor: 'alice' },
    runner: { temp: '/tmp' },
    secrets: { DATABASE_URL: 'postgres://x', BACKUP_IDENTITY: 'AGE-SECRET-KEY-1X' },
    steps: Object.fromEntries(
      Object.keys({ ...steps }).map((id) => [
        id,
        { outcome: steps[id], conclusion: steps[id], outputs: outputs[id] ?? {} },
      ]),
    ),
  });
  for (const [index, step] of (job.steps ?? []).entries()) {
    const id = step.id ?? `#${index}`;
    if (!condition(step.if, context(), fns)) {
      steps[id] = 'skipped';
      continue;
    }
    withs[id] = Object.fromEntries(
      Object.entries(step.with ?? {}).map(([k, v]) => [k, template(v, context(), fns)]),
    );
    let outcome: Outcome = scenario[id]?.outcome ?? 'success';
    outputs[id] = { ...(scenario[id]?.outputs ?? {}) };
    if (step.run !== undefined && realScripts.includes(id)) {
      const env = Object.fromEntries(
        Object.entries((step.env as Record<string, unknown>) ?? {}).map(([k, v]) => [
          k,
          template(v, context(), fns),
        ]),
      );
      const r = await runScript(step.run, env);
      outcome = r.code === 0 ? 'success' : 'failure';
      for (const line of r.output.split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) outputs[id][line.slice(0, eq)] = line.slice(eq + 1);
      }
    }
    steps[id] = outcome;
    if (outcome === 'cancelled') status = 'cancelled';
    else if (outcome === 'failure' && !(step as Step)['continue-on-error'] && status === 'success')
      status = 'failure';
  }
  return {
    result: status,
    steps,
    outputs,
    inputsOf: (id) => {
      const w = withs[id];
      if (!w) throw new Error(`step ${id} did not run`);
      return w;
    },
  };
}

/** Whether a job starts, given the results of the jobs it needs (its if:, GitHub's rules). */
export function jobRuns(
  job: Job,
  inputs: Record<string, Json>,
  needs: Record<string, { result: Outcome; outputs?: Record<string, string> }>,
  runCancelled = false,
): boolean {
  const results = Object.values(needs).map((n) => n.result);
  const fns: StatusFns = {
    // a job's success(): every needed job succeeded (a skipped one is not a success)
    success: () => !runCancelled && results.every((r) => r === 'success'),
    failure: () => results.some((r) => r === 'failure'),
    cancelled: () => runCancelled,
  };
  const ctx: Record<string, Json> = {
    inputs,
    needs: Object.fromEntries(
      Object.entries(needs).map(([k, v]) => [k, { result: v.result, outputs: v.outputs ?? {} }]),
    ),
    github: { actor: 'alice' },
  };
  return condition(job.if, ctx, fns);
}
