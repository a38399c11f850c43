import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../support/run-action.js';
import { workflows } from './load.js';

/**
 * Every workflow of the repository and every workflow example of the docs, parsed by GitHub's
 * own workflow parser (@actions/workflow-parser): unknown keys, contexts used where GitHub
 * does not allow them (`secrets` in `if:`), `needs` of jobs that do not exist, invalid
 * values. Its errors fail the test; copies with mistakes planted on purpose prove it looks.
 */

interface Source {
  name: string;
  content: string;
}

/** Runs the parser in a plain Node child (see parse-workflows.mjs): name -> errors. */
async function githubParse(files: Source[]): Promise<Record<string, string[]>> {
  const script = join(repoRoot, '__tests__/support/github-parser/parse-workflows.mjs');
  const child = spawn(process.execPath, [script], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '' }, // no NODE_OPTIONS: no vm-modules flags of jest
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(JSON.stringify(files));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the workflow parser exited with ${code}: ${stderr}`);
  return JSON.parse(stdout) as Record<string, string[]>;
}

const workflowSources: Source[] = workflows.map((w) => ({
  name: w.path,
  content: readFileSync(join(repoRoot, w.path), 'utf8'),
}));

/** The Markdown files with examples: the README, docs/ and each action's README. */
function markdownFiles(): string[] {
  const files = ['README.md', ...readdirSync(join(repoRoot, 'docs')).map((f) => `docs/${f}`)];
  for (const action of readdirSync(join(repoRoot, 'actions'))) {
    if (existsSync(join(repoRoot, 'actions', action, 'README.md')))
      files.push(`actions/${action}/README.md`);
  }
  return files.filter((f) => f.endsWith('.md'));
}

/**
 * Each ```yaml block that is a workflow, a job calling a reusable workflow, or a list of
 * steps, as a whole workflow (the fragments wrapped in the least GitHub requires). Blocks of
 * other files (smoke checks, probes, environments files) are not workflows and are left out.
 */
function docExamples(): Source[] {
  const examples: Source[] = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    let index = 0;
    for (const m of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
      index += 1;
      const doc: unknown = parse(m[1]);
      const name = `${file} (yaml block ${index})`;
      const wrap = (jobs: unknown) =>
        stringify({ on: 'workflow_dispatch', jobs }, { lineWidth: 0 });
      if (isMapping(doc) && 'jobs' in doc) {
        examples.push({ name, content: 'on' in doc ? m[1] : `on: workflow_dispatch\n${m[1]}` });
      } else if (isMapping(doc) && 'uses' in doc) {
        examples.push({ name, content: wrap({ example: doc }) });
      } else if (
        Array.isArray(doc) &&
        doc.every((s) => isMapping(s) && ('uses' in s || 'run' in s))
      ) {
        examples.push({
          name,
          content: wrap({ example: { 'runs-on': 'ubuntu-latest', steps: doc } }),
        });
      }
    }
  }
  return examples;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

describe("GitHub's workflow parser", () => {
  test('accepts every workflow of .github/workflows and workflows-examples', async () => {
    expect(workflowSources.length).toBeGreaterThanOrEqual(6);
    const errors = await githubParse(workflowSources);
    expect(Object.keys(errors).sort()).toEqual(workflowSources.map((s) => s.name).sort());
    expect(Object.entries(errors).filter(([, e]) => e.length > 0)).toEqual([]);
  });

  test('accepts every workflow example of the README, docs/ and the actions READMEs', async () => {
    const examples = docExamples();
    // the README's, docs/workflows.md's and at least one per action README with examples
    expect(examples.some((e) => e.name.startsWith('README.md'))).toBe(true);
    expect(examples.some((e) => e.name.startsWith('docs/workflows.md'))).toBe(true);
    expect(examples.length).toBeGreaterThanOrEqual(20);
    const errors = await githubParse(examples);
    expect(Object.entries(errors).filter(([, e]) => e.length > 0)).toEqual([]);
  });

  describe('finds mistakes planted in runbook-deploy.yml', () => {
    const original = readFileSync(join(repoRoot, '.github/workflows/runbook-deploy.yml'), 'utf8');

    function planted(from: string, to: string): Source {
      expect(original).toContain(from);
      return { name: 'runbook-deploy.yml', content: original.replace(from, to) };
    }

    async function errorsOf(source: Source): Promise<string[]> {
      return (await githubParse([source]))[source.name];
    }

    test('secrets in an if:', async () => {
      const errors = await errorsOf(
        planted(
          "        if: inputs.setup-command != ''\n",
          "        if: secrets.DEPLOY_SECRET != ''\n",
        ),
      );
      expect(errors).toEqual([expect.stringMatching(/Unrecognized named-value: 'secrets'/)]);
    });

    test('an unknown key', async () => {
      const errors = await errorsOf(
        planted(
          '    timeout-minutes: ${{ inputs.job-timeout-minutes }}\n',
          '    timeout-minute: 30\n',
        ),
      );
      expect(errors).toEqual([expect.stringMatching(/Unexpected value 'timeout-minute'/)]);
    });

    test('a needs of a job that does not exist', async () => {
      const errors = await errorsOf(
        planted(
          'needs: [plan, checklist, staging, sign-off, sign-off-issue]',
          'needs: [plan, checklist, staging, signoff, sign-off-issue]',
        ),
      );
      // (GitHub then also reports the jobs after it as unreachable)
      expect(errors[0]).toMatch(/Job 'production' depends on unknown job 'signoff'/);
    });

    test('a concurrency queue value GitHub does not know', async () => {
      const errors = await errorsOf(planted('      queue: max\n', '      queue: unlimited\n'));
      expect(errors).toEqual([expect.stringMatching(/Unexpected value 'unlimited'/)]);
    });
  });
});
