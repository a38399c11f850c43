import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseCheckFile } from '../../src/http/check-schema.js';
import { planChecks } from '../../src/http/plan.js';
import { repoRoot } from '../support/run-action.js';

/** The example workflow only uses inputs the action declares, and the check files are valid. */

const dir = join(repoRoot, 'workflows-examples/smoke');

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}

describe('workflows-examples/smoke', () => {
  test('every smoke-test step uses declared inputs and existing check files', () => {
    const action = parse(readFileSync(join(repoRoot, 'actions/smoke-test/action.yml'), 'utf8')) as {
      inputs: Record<string, { required?: boolean }>;
    };
    const workflow = parse(readFileSync(join(dir, 'smoke-staging.yml'), 'utf8')) as {
      jobs: Record<string, { steps: Step[] }>;
    };
    const steps = Object.values(workflow.jobs)
      .flatMap((j) => j.steps)
      .filter((s) => s.uses?.includes('/actions/smoke-test@'));
    expect(steps.length).toBeGreaterThanOrEqual(2);
    for (const step of steps) {
      const inputs = Object.keys(step.with ?? {});
      expect(inputs.filter((i) => !(i in action.inputs))).toEqual([]);
      expect(inputs).toContain('base-url');
      const file = String(step.with?.['checks-file']).replace('.github/smoke/', '');
      expect(readdirSync(dir)).toContain(file);
    }
  });

  test.each(['login-flow.checks.yml', 'job-flow.checks.yml'])(
    '%s is a valid check file',
    (file) => {
      const parsed = parseCheckFile(readFileSync(join(dir, file), 'utf8'));
      expect(parsed.checks.length).toBeGreaterThanOrEqual(4);
      expect(parsed.checks.some((c) => c.captures.some((x) => x.secret))).toBe(true);
    },
  );

  test('the check file of the README is valid and plans', () => {
    const readme = readFileSync(join(repoRoot, 'actions/smoke-test/README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Check files'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const file = parseCheckFile(yaml);
    const plan = planChecks(file.checks, {
      variables: new Set(Object.keys(file.variables)),
      secrets: new Set(['password']),
      env: { GITHUB_RUN_ID: '1' },
    });
    expect(plan.map((p) => p.spec.name)).toEqual(['login', 'profile', 'status']);
    expect(plan.map((p) => p.deps)).toEqual([[], [0], [1]]);
  });
});
