import { expect } from '@jest/globals';
import { runAction, describeRun, type ActionRun, type RunOptions } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';

type Inputs = Record<string, string | number | boolean>;

/** Runs a bundle (rollback, or another action to set the scene) and checks no secret leaked. */
export async function runChecked(
  action: string,
  inputs: Inputs,
  secrets: ReadonlyArray<string | undefined>,
  opts: RunOptions = {},
): Promise<ActionRun> {
  const run = await runAction(action, inputs, { timeoutMs: 180_000, ...opts });
  expectNoSecret(run, secrets);
  return run;
}

export function rollback(
  inputs: Inputs,
  secrets: ReadonlyArray<string | undefined>,
  opts: RunOptions = {},
): Promise<ActionRun> {
  return runChecked('rollback', inputs, secrets, opts);
}

export function expectOk(run: ActionRun): void {
  if (run.exitCode !== 0) throw new Error(`the action failed:\n${describeRun(run)}`);
  expect(run.errors).toEqual([]);
}

/** One error line matching every fragment, no stack trace. */
export function expectFailure(run: ActionRun, ...fragments: Array<string | RegExp>): string {
  expect(run.exitCode).toBe(1);
  expect(run.errors).toHaveLength(1);
  for (const f of fragments) expect(run.errors[0]).toMatch(f);
  expect(run.stdout).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
  return run.errors[0];
}

export const rolledBack = (run: ActionRun): unknown =>
  JSON.parse(run.outputs['rolled-back'] ?? 'null');
