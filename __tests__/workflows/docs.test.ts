import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../support/run-action.js';
import { ctx } from './load.js';
import { lintWorkflow, ourActionName, type Step, type Workflow } from './workflow-lint.js';

/**
 * The YAML examples users copy from the READMEs and docs are checked like the workflows:
 * every step that uses one of our actions passes only inputs that action declares, all its
 * required inputs, and reads only outputs it declares.
 */

function docFiles(): string[] {
  const files = [join(repoRoot, 'README.md')];
  for (const dir of ['docs', 'actions']) {
    const base = join(repoRoot, dir);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(base, entry.name, 'README.md'))) {
        files.push(join(base, entry.name, 'README.md'));
      } else if (entry.name.endsWith('.md')) {
        files.push(join(base, entry.name));
      }
    }
  }
  return files;
}

interface Example {
  where: string;
  workflow: Workflow;
  /** a list of steps cut from a larger job: it may read steps and jobs it does not show */
  fragment: boolean;
}

const OUTSIDE_FRAGMENT = [
  /: no step with id '[\w-]+' in this job$/,
  /: '[\w-]+' is not in this job's needs$/,
];

function asSteps(doc: unknown): Step[] | undefined {
  // a lone `uses:` line shows a reference, not a step
  if (!Array.isArray(doc) && !(typeof doc === 'object' && doc !== null && 'with' in doc))
    return undefined;
  const list = Array.isArray(doc) ? doc : [doc];
  if (!list.every((s) => typeof s === 'object' && s !== null && !Array.isArray(s)))
    return undefined;
  const steps = list as Step[];
  return steps.some((s) => ourActionName(s.uses) !== undefined) ? steps : undefined;
}

function examples(): Example[] {
  const out: Example[] = [];
  for (const file of docFiles()) {
    const text = readFileSync(file, 'utf8');
    const blocks = text.matchAll(/```ya?ml\n([\s\S]*?)```/g);
    for (const m of blocks) {
      const line = text.slice(0, m.index).split('\n').length;
      const where = `${relative(repoRoot, file)}:${line}`;
      let doc: unknown;
      try {
        doc = parse(m[1]);
      } catch {
        continue; // fragments such as a single input value are not workflows
      }
      if (typeof doc === 'object' && doc !== null && 'jobs' in doc) {
        out.push({ where, workflow: doc as Workflow, fragment: false });
        continue;
      }
      const steps = asSteps(doc);
      if (steps) {
        const workflow = { jobs: { example: { 'runs-on': 'ubuntu-latest', steps } } };
        out.push({ where, workflow, fragment: true });
      }
    }
  }
  return out;
}

const all = examples();

describe('examples in the documentation', () => {
  test('there are examples for every action', () => {
    const used = new Set(
      all.flatMap((e) =>
        Object.values(e.workflow.jobs).flatMap((j) =>
          (j.steps ?? []).map((s) => ourActionName(s.uses)),
        ),
      ),
    );
    for (const action of ctx.actions.keys()) expect(used).toContain(action);
  });

  test.each(all.map((e) => [e.where, e] as const))(
    '%s agrees with the action.yml files',
    (where, e) => {
      const problems = lintWorkflow({ path: where, doc: e.workflow }, ctx).filter(
        (p) => !e.fragment || !OUTSIDE_FRAGMENT.some((re) => re.test(p)),
      );
      expect(problems).toEqual([]);
    },
  );
});
