/**
 * Shared pieces of the test service fixtures: free ports, temp dirs, polling, the Debian
 * package check, tools; and (re-exported from managed-process.ts) the managed server process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { poll, sleep } from './managed-process.js';

export * from './managed-process.js';

export const repoRoot = resolve(new URL('../../..', import.meta.url).pathname);

/** A TCP port that was free on 127.0.0.1 a moment ago (the kernel picked it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: no TCP address'));
        return;
      }
      const { port } = address;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * The base for temp dirs: unix sockets live in them, and a socket path must stay under
 * ~107 bytes, so a long TMPDIR falls back to /tmp.
 */
function tempBase(): string {
  const base = tmpdir();
  return base.length <= 40 ? base : '/tmp';
}

/** A fresh private directory `<tmp>/<prefix>-XXXXXX`. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tempBase(), `${prefix}-`));
}

/**
 * Polls `check` every 100 ms until it returns true. A thrown error counts as "not yet";
 * the last one is quoted when the wait times out.
 */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  await poll(check, timeoutMs, what, () => false);
}

export type ServiceName =
  | 'postgres'
  | 'mariadb'
  | 'sqlite'
  | 'compression'
  | 'age'
  | 'registry'
  | 'dockerd'
  | 'buildah'
  | 'prometheus'
  | 'alembic'
  | 'django'
  | 'psycopg2';

const ensured = new Set<string>();
const INSTALL_LOCK = '/tmp/runbook-actions-install-services.lock';

/**
 * Makes sure the Debian packages behind a service are installed (scripts/install-services.mjs
 * installs them as root with apt, or fails naming them). Synchronous, so awaiting it is optional.
 */
export function ensureService(name: ServiceName): void {
  if (ensured.has(name)) return;
  const install = [process.execPath, join(repoRoot, 'scripts/install-services.mjs'), name];
  // parallel jest workers must not run apt-get at the same time
  const argv = existsSync('/usr/bin/flock')
    ? ['/usr/bin/flock', INSTALL_LOCK, ...install]
    : install;
  try {
    execFileSync(argv[0], argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const text = (e.stderr || e.stdout || e.message).trim();
    // a crash of the script: its error line, not the stack
    const detail = /^Error: (.+)$/m.exec(text)?.[1] ?? text;
    throw new Error(`service '${name}' is not available: ${detail}`, { cause: err });
  }
  ensured.add(name);
}

/** Looks a user up in /etc/passwd. */
export function systemUser(name: string): { uid: number; gid: number } {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new Error(`system user '${name}' does not exist`);
}

/** Removes a fixture's temp dir (retrying briefly: a server may still be closing files). */
export async function removeDir(dir: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      if (!existsSync(dir)) return;
    } catch (err) {
      if (i >= 20) throw err;
    }
    if (i >= 20) throw new Error(`could not remove ${dir}`);
    await sleep(100);
  }
}

/** A random password with URL-special characters, to keep url() honest. */
export function randomPassword(): string {
  return `p@ss:w/rd%?#&+${randomBytes(9).toString('hex')}`;
}

export interface ToolOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** written to the tool's stdin */
  input?: string;
  timeoutMs?: number;
}

/** Runs a tool and resolves with its stdout; on failure, an error with its last stderr lines. */
export function runTool(
  command: string,
  args: string[],
  options: ToolOptions = {},
): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${command}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) {
        resolveRun(stdout);
        return;
      }
      const stderr = Buffer.concat(err).toString('utf8');
      const detail = (stderr.trim() || stdout.trim()).split('\n').slice(-20).join('\n');
      reject(
        new Error(
          `${command} ${args.join(' ')} failed (code ${code}, signal ${signal}):\n${detail}`,
        ),
      );
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export type PlainObject = Record<string, unknown>;

function isPlainObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `base` with `extra` merged in: objects recursively, anything else (arrays too) replaced. */
export function deepMerge(base: PlainObject, extra: PlainObject | undefined): PlainObject {
  const out: PlainObject = { ...base };
  for (const [key, value] of Object.entries(extra ?? {})) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** Resolves true when `url` answers with one of `statuses` (any, by default). */
export async function httpAnswers(url: string, statuses?: number[]): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return statuses === undefined || statuses.includes(res.status);
}
