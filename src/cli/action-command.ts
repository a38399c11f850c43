import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ArgsError } from './args.js';
import { packageRoot, node24 } from './paths.js';

/**
 * `runbook action <name> --with key=value …`: runs one of the six action bundles the way
 * the runner does — every input of actions/<name>/action.yml with its default as INPUT_*,
 * the command files in a temporary directory — and prints the outputs it set.
 */
export const ACTIONS = [
  'backup-db',
  'migrate',
  'build-push-image',
  'smoke-test',
  'health-gate',
  'rollback',
];

interface ActionYml {
  inputs?: Record<string, { default?: unknown; required?: boolean }>;
}

export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** `name=value` lines and `name<<DELIM` heredocs of a GITHUB_OUTPUT file. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== heredoc[2]) value.push(lines[i++]);
      out[heredoc[1]] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

export function actionEnv(
  name: string,
  withs: readonly string[],
  dir: string,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const root = packageRoot();
  const yml = join(root, 'actions', name, 'action.yml');
  if (!ACTIONS.includes(name) || !existsSync(yml))
    throw new ArgsError(`no action '${name}'; known: ${ACTIONS.join(', ')}`);
  const meta = parseYaml(readFileSync(yml, 'utf8')) as ActionYml;
  const declared = meta.inputs ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (v !== undefined && !k.startsWith('INPUT_')) out[k] = v;
  for (const [k, spec] of Object.entries(declared))
    out[inputEnvName(k)] = spec.default === undefined ? '' : String(spec.default);
  for (const w of withs) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new ArgsError(`--with ${w}: write --with key=value`);
    const key = w.slice(0, eq);
    if (!(key in declared))
      throw new ArgsError(
        `${name} has no input '${key}'; inputs: ${Object.keys(declared).join(', ')}`,
      );
    out[inputEnvName(key)] = w.slice(eq + 1);
  }
  const temp = join(dir, 'runner-temp');
  mkdirSync(temp, { recursive: true });
  for (const f of ['output', 'summary', 'state', 'env', 'path']) writeFileSync(join(dir, f), '');
  Object.assign(out, {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
    RUNNER_TEMP: temp,
    GITHUB_WORKSPACE: env.GITHUB_WORKSPACE || process.cwd(),
    GITHUB_ACTIONS: env.GITHUB_ACTIONS || 'false',
  });
  return out;
}

export interface ActionResult {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
}

/** Runs the bundle; its log goes to `log` line by line (stdout and stderr). */
export async function runActionBundle(
  name: string,
  withs: readonly string[],
  log: (line: string, stream: 'stdout' | 'stderr') => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ActionResult> {
  const dir = mkdtempSync(join(tmpdir(), `runbook-action-${name}-`));
  try {
    const childEnv = actionEnv(name, withs, dir, env);
    const entry = join(packageRoot(), 'dist', name, 'index.js');
    if (!existsSync(entry)) throw new ArgsError(`no bundle at ${entry}; run npm run build`);
    const child = spawn(node24(), [entry], {
      env: childEnv,
      cwd: childEnv.GITHUB_WORKSPACE,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const forward = (stream: 'stdout' | 'stderr') => {
      let partial = '';
      return (chunk: Buffer): void => {
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        for (const p of parts) log(p, stream);
      };
    };
    child.stdout.on('data', forward('stdout'));
    child.stderr.on('data', forward('stderr'));
    const exitCode = await new Promise<number>((resolve) =>
      child.on('close', (code) => resolve(code ?? 1)),
    );
    return {
      exitCode,
      outputs: parseCommandFile(readFileSync(childEnv.GITHUB_OUTPUT, 'utf8')),
      summary: readFileSync(childEnv.GITHUB_STEP_SUMMARY, 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
