import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  describeRun,
  parseCommandFile,
  repoRoot,
  runAction,
  inputEnvName,
  scratchDir,
} from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';

const fixtureDir = join(repoRoot, '__tests__/fixtures/echo-action');
let entry = '';

function run(inputs: Record<string, string>, env: Record<string, string> = {}) {
  return runAction('echo', inputs, { actionYml: join(fixtureDir, 'action.yml'), entry, env });
}

beforeAll(() => {
  // The fixture is bundled exactly like a real action, so the harness runs a real ncc ESM bundle.
  const out = scratchDir('echo-action-');
  execFileSync(
    join(repoRoot, 'node_modules/.bin/ncc'),
    ['build', join(fixtureDir, 'main.ts'), '-o', out, '--quiet'],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  );
  entry = join(out, 'index.js');
});

describe('harness runAction', () => {
  test('fills defaults from action.yml, reads outputs in both forms, the summary and GITHUB_ENV', async () => {
    const r = await run({ greeting: 'hi' });
    expect(r.exitCode).toBe(0);
    // count defaults to '2' in action.yml
    expect(r.outputs.message).toBe('hi hi');
    // a multi-line output is written as a heredoc by @actions/core
    expect(r.outputs.lines).toBe('first\nsecond 2');
    expect(r.outputs['token-length']).toBe('0');
    expect(r.summary).toContain('<h2>Echo</h2>');
    expect(r.summary).toContain('hi hi');
    expect(r.exportedEnv.ECHO_DONE).toBe('yes');
    expect(r.stdout).toContain('echo: hi hi');
  });

  test('a bad input fails with exit code 1 and one error line naming the input', async () => {
    const r = await run({ greeting: 'hi', count: '9' });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toEqual([
      "Input 'count': 9 is out of range; expected a whole number from 1 to 5.",
    ]);
    expect(r.outputs.message).toBeUndefined();
    expect(r.stdout).not.toContain('    at ');
  });

  test('a missing required input is reported by name', async () => {
    const r = await run({});
    expect(r.exitCode).toBe(1);
    expect(r.errors[0]).toBe("Input 'greeting': is required and was not set.");
  });

  test('a bug is reported as unexpected; the stack only with RUNNER_DEBUG=1', async () => {
    const quiet = await run({ greeting: 'x', crash: 'true' });
    expect(quiet.exitCode).toBe(1);
    expect(quiet.errors[0]).toBe('Unexpected error: fixture crashed on purpose');
    expect(quiet.stdout).not.toMatch(/TypeError: fixture crashed[\s\S]*at /);
    const loud = await run({ greeting: 'x', crash: 'true' }, { RUNNER_DEBUG: '1' });
    expect(loud.exitCode).toBe(1);
    expect(loud.stdout).toMatch(/::debug::TypeError: fixture crashed on purpose.*%0A\s+at /);
  });

  test('a secret input is masked: registered with add-mask, absent from logs, summary and outputs', async () => {
    const token = 'tok-Zx9@q:w%2F-ünï';
    const r = await run({ greeting: 'hey', token });
    expect(r.exitCode).toBe(0);
    expect(r.masks).toContain(token);
    expect(r.stdout).toContain('(token ***)');
    expect(r.summary).toContain('***');
    expectNoSecret(r, [token]);
    expect(() => expectNoSecret({ ...r, stdout: `leak ${token}` }, [token])).toThrow(
      /secret appears in stdout/,
    );
  });

  test('the input names follow the runner: upper case, spaces to _, hyphens kept', () => {
    expect(inputEnvName('database-url')).toBe('INPUT_DATABASE-URL');
    expect(inputEnvName('my input')).toBe('INPUT_MY_INPUT');
  });

  test('command files: name=value and heredoc', () => {
    expect(parseCommandFile('a=1\nb<<EOF_X\nline1\nline2\nEOF_X\nc=x=y\n')).toEqual({
      a: '1',
      b: 'line1\nline2',
      c: 'x=y',
    });
    expect(() => parseCommandFile('b<<D\nnever closed\n')).toThrow(/unterminated heredoc/);
  });

  test('describeRun shows the exit code and errors', async () => {
    const r = await run({ greeting: 'hi', count: 'x' });
    expect(describeRun(r)).toContain('Input \'count\': "x" is not a whole number');
  });
});
