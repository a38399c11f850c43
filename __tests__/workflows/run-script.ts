import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../support/run-action.js';

export interface ScriptResult {
  code: number;
  output: string;
  summary: string;
  stdout: string;
  stderr: string;
}

/**
 * Runs a step's script the way the runner runs `shell: bash`, with the given environment.
 * Asynchronous, so that a test may serve HTTP (a webhook) to the script meanwhile.
 */
export async function runScript(
  script: string,
  env: Record<string, string>,
): Promise<ScriptResult> {
  const dir = scratchDir('wf-script-');
  try {
    const output = join(dir, 'output');
    const summary = join(dir, 'summary');
    writeFileSync(output, '');
    writeFileSync(summary, '');
    const file = join(dir, 'script.sh');
    writeFileSync(file, script);
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
      env: {
        PATH: '/usr/bin:/bin',
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_RUN_ID: '42',
        GITHUB_SHA: 'f3c2a9d0000000000000000000000000000000ff',
        GITHUB_ACTOR: 'alice',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number>((resolve) =>
      child.on('close', (c: number | null) => resolve(c ?? 1)),
    );
    return {
      code,
      output: readFileSync(output, 'utf8'),
      summary: readFileSync(summary, 'utf8'),
      stdout,
      stderr,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
