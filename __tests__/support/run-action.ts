import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

const runDirs: string[] = [];

/** Removes the temporary directories of every run so far (called after each test file). */
export function removeRunDirs(): void {
  for (const dir of runDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A temporary directory removed with the run directories after the test file. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  runDirs.push(dir);
  return dir;
}

export const repoRoot = resolve(new URL('../..', import.meta.url).pathname);

export interface ActionRun {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
  /** the `::error::` lines, unescaped */
  errors: string[];
  /**
   * values registered with `::add-mask::`. The runner swallows those command lines, so they
   * are removed from stdout here; stdout is otherwise left unmasked, so that a test sees
   * what the action itself printed.
   */
  masks: string[];
  /** the environment the step exported through GITHUB_ENV */
  exportedEnv: Record<string, string>;
  durationMs: number;
  /** the temporary directory holding RUNNER_TEMP, the workspace and the command files */
  dir: string;
  runnerTemp: string;
  workspace: string;
}

export interface RunOptions {
  /** extra environment (added to a clean copy of process.env) */
  env?: Record<string, string | undefined>;
  /** the workspace (GITHUB_WORKSPACE and the cwd); a fresh directory by default */
  workspace?: string;
  /** the action.yml to read defaults from; default actions/<name>/action.yml */
  actionYml?: string;
  /** the bundle to run; default dist/<name>/index.js */
  entry?: string;
  /** kill the action after this long; the test fails with what it printed */
  timeoutMs?: number;
  /** called with the child's pid as soon as it started */
  onStart?: (pid: number) => void;
}

interface ActionYml {
  inputs?: Record<string, { default?: unknown }>;
}

/** The INPUT_ variable name the runner uses: upper-cased, spaces to `_`, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Parses a GITHUB_OUTPUT/GITHUB_ENV file: `name=value` lines and `name<<DELIM` heredocs. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delim) value.push(lines[i++]);
      if (i >= lines.length)
        throw new Error(`unterminated heredoc for ${name} (delimiter ${delim})`);
      out[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`malformed command file line: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function unescapeCommand(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/**
 * Runs dist/<name>/index.js the way the GitHub runner does: every input of action.yml
 * with its default, INPUT_* variables, the command files and the runner's variables.
 */
export async function runAction(
  name: string,
  inputs: Record<string, string | number | boolean> = {},
  opts: RunOptions = {},
): Promise<ActionRun> {
  const actionYml = opts.actionYml ?? join(repoRoot, 'actions', name, 'action.yml');
  const entry = opts.entry ?? join(repoRoot, 'dist', name, 'index.js');
  if (!existsSync(entry)) throw new Error(`no bundle at ${entry}; run npm run build`);
  const meta = parseYaml(readFileSync(actionYml, 'utf8')) as ActionYml;
  const declared = meta.inputs ?? {};
  for (const key of Object.keys(inputs)) {
    if (!(key in declared)) throw new Error(`input '${key}' is not declared in ${actionYml}`);
  }

  const dir = mkdtempSync(join(tmpdir(), `run-${name}-`));
  runDirs.push(dir);
  const runnerTemp = join(dir, 'runner-temp');
  const workspace = opts.workspace ?? join(dir, 'workspace');
  mkdirSync(runnerTemp, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_PATH: join(dir, 'path'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // never leak the outer runner's inputs or Actions service settings into the step
    if (
      v === undefined ||
      k.startsWith('INPUT_') ||
      k.startsWith('ACTIONS_') ||
      k.startsWith('GITHUB_')
    )
      continue;
    env[k] = v;
  }
  delete env.NODE_OPTIONS;
  delete env.RUNNER_DEBUG;
  Object.assign(env, files, {
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: workspace,
    GITHUB_SHA: 'f3c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_ACTIONS: 'true',
    RUNNER_OS: 'Linux',
  });
  for (const [input, spec] of Object.entries(declared)) {
    const given = inputs[input];
    const value =
      given !== undefined ? String(given) : spec?.default !== undefined ? String(spec.default) : '';
    env[inputEnvName(input)] = value;
  }
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }

  const started = Date.now();
  const child = spawn(process.execPath, [entry], {
    cwd: workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) opts.onStart?.(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 300_000);
  const exitCode = await new Promise<number>((res) => child.on('close', (code) => res(code ?? -1)));
  clearTimeout(timer);
  if (timedOut) {
    throw new Error(
      `action ${name} did not finish in ${opts.timeoutMs ?? 300_000}ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
    );
  }

  const masks: string[] = [];
  stdout = stdout
    .split('\n')
    .filter((l) => {
      if (!l.startsWith('::add-mask::')) return true;
      masks.push(unescapeCommand(l.slice('::add-mask::'.length)));
      return false;
    })
    .join('\n');
  const errors = stdout
    .split('\n')
    .filter((l) => l.startsWith('::error'))
    .map((l) => unescapeCommand(l.replace(/^::error[^:]*::/, '')));
  return {
    exitCode,
    outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    exportedEnv: parseCommandFile(readFileSync(files.GITHUB_ENV, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    stdout,
    stderr,
    errors,
    masks,
    durationMs: Date.now() - started,
    dir,
    runnerTemp,
    workspace,
  };
}

/** A short description of a run, for assertion messages. */
export function describeRun(run: ActionRun): string {
  return `exit ${run.exitCode}\nerrors: ${run.errors.join(' | ')}\nstdout:\n${run.stdout.slice(-4000)}\nstderr:\n${run.stderr.slice(-2000)}`;
}
