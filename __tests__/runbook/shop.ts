import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gunzipSync } from 'node:zlib';
import { createMigrationTool } from '../../src/migrations/index.js';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { repoRoot, scratchDir } from '../support/run-action.js';

/**
 * The demo shop of examples/demo in a scratch directory, with v1 live: its migrations
 * applied and its app started by the deploy script on a free port.
 */
export interface Shop {
  home: string;
  app: string;
  dbPath: string;
  env: Record<string, string>;
  url: string;
  checkout(ref: string): void;
  /** onStart: the CLI's pid, to send it signals */
  cli(args: string[], onStart?: (pid: number) => void): Promise<CliRun>;
  version(): Promise<string | undefined>;
  stop(): void;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  events: Array<Record<string, unknown>>;
  result: Record<string, unknown> | undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export function runCli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  onStart?: (pid: number) => void,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist/cli/index.js'), ...args], {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) onStart?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => {
      const events = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        events,
        result: events.find((e) => e.event === 'result'),
      });
    });
  });
}

export async function startShop(): Promise<Shop> {
  const home = scratchDir('runbook-shop-');
  const app = join(home, 'shop');
  cpSync(join(repoRoot, 'examples/demo'), app, { recursive: true });
  const port = await freePort();
  const dbPath = join(home, 'shop.db');
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('GITHUB_') && !k.startsWith('INPUT_')) env[k] = v;
  delete env.NODE_OPTIONS;
  Object.assign(env, {
    PATH: `${join(process.execPath, '..')}:${process.env.PATH}`,
    DEMO_HOME: home,
    DEMO_PORT: String(port),
    APP_URL: url,
    DATABASE_URL: `sqlite://${dbPath}`,
  });
  const checkout = (ref: string): void => {
    rmSync(join(app, 'migrations'), { recursive: true, force: true });
    cpSync(join(app, 'releases', ref, 'migrations'), join(app, 'migrations'), { recursive: true });
  };
  checkout('v1');
  await createMigrationTool('sql', {
    cwd: app,
    database: parseDatabaseUrl('database-url', env.DATABASE_URL, process.cwd()),
    lockWaitMs: 5000,
    timeoutMs: 30_000,
    migrationsDir: join(app, 'migrations'),
    migrationsTable: 'schema_migrations',
    python: 'python3',
    log: () => undefined,
  }).apply();
  const code = await new Promise<number>((resolve) => {
    const child = spawn('bash', ['./deploy.sh'], {
      env: { ...env, RUNBOOK_REF: 'v1' },
      cwd: app,
      stdio: 'ignore',
    });
    child.on('close', (c) => resolve(c ?? -1));
  });
  if (code !== 0)
    throw new Error(`deploying v1 exited ${code}: ${readFileSync(join(home, 'app.log'), 'utf8')}`);
  return {
    home,
    app,
    dbPath,
    env,
    url,
    checkout,
    cli: (args, onStart) => runCli(args, env, app, onStart),
    version: async () => {
      try {
        const r = await fetch(`${url}/version`);
        return ((await r.json()) as { version?: string }).version;
      } catch {
        return undefined;
      }
    },
    stop: () => {
      const pidFile = join(home, 'app.pid');
      if (!existsSync(pidFile)) return;
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
      } catch {
        // already stopped
      }
    },
  };
}

/** Per-table row count and sha256 of the rows in key order. */
export function fingerprint(path: string): Record<string, string> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = (
      db
        .prepare(
          "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all() as Array<{ name: string }>
    ).map((r) => r.name);
    const out: Record<string, string> = {};
    for (const t of tables) {
      const rows = db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).all();
      out[t] =
        `${rows.length} rows ${createHash('sha256').update(JSON.stringify(rows)).digest('hex')}`;
    }
    return out;
  } finally {
    db.close();
  }
}

/** The fingerprint of a gzip'd SQLite snapshot backup. */
export function backupFingerprint(backupPath: string, scratch: string): Record<string, string> {
  const copy = join(scratch, `backup-${Date.now()}.db`);
  writeFileSync(copy, gunzipSync(readFileSync(backupPath)));
  return fingerprint(copy);
}
