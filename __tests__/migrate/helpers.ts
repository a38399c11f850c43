import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, expect } from '@jest/globals';
import { DatabaseSync } from 'node:sqlite';
import { runAction, describeRun, repoRoot, type ActionRun } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';
import { tempDir } from '../support/services/common.js';
import type { PostgresServer } from '../support/services/postgres.js';
import type { MariaDbServer } from '../support/services/mariadb.js';
import type { BackupManifest, Engine } from '../../src/db/manifest.js';
import { parseDatabaseUrl as parseTarget } from '../../src/db/url.js';

/** database-url parsed as migrate parses it (relative sqlite paths from `cwd`). */
const parseDatabaseUrl = (url: string, cwd = process.cwd()): ReturnType<typeof parseTarget> =>
  parseTarget('database-url', url, cwd);
import {
  createMigrationTool,
  parseStateText,
  type RevertResult,
  type ToolName,
} from '../../src/migrations/index.js';

export const FIXTURES = resolve(repoRoot, '__tests__/migrate/fixtures');
export const PYTHON = '/usr/bin/python3';

const created: string[] = [];
/** Every workspace and run directory of a test file goes when the file is done. */
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function workspace(prefix: string): string {
  const dir = tempDir(prefix);
  created.push(dir);
  return dir;
}

/** A fresh workspace holding a copy of a fixture project. */
export function copyFixture(name: string): string {
  const ws = workspace(`migrate-${name}`);
  cpSync(join(FIXTURES, name), ws, { recursive: true });
  return ws;
}

/** A workspace with `migrations/<file>` for each entry. */
export function sqlWorkspace(files: Record<string, string>, dir = 'migrations'): string {
  const ws = workspace('migrate-sql');
  mkdirSync(join(ws, dir), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(ws, dir, name), text);
  return ws;
}

/** Runs the migrate bundle and checks that no secret leaked anywhere. */
export async function migrate(
  inputs: Record<string, string | number | boolean>,
  workspace: string,
  secrets: ReadonlyArray<string | undefined> = [],
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const run = await runAction('migrate', inputs, { workspace, timeoutMs: 180_000, env });
  created.push(run.dir);
  expectNoSecret(run, secrets);
  return run;
}

export function expectOk(run: ActionRun): void {
  expect({ exit: run.exitCode, errors: run.errors }).toEqual({ exit: 0, errors: [] });
  if (run.exitCode !== 0) throw new Error(describeRun(run));
}

/** One error line, containing every fragment. */
export function expectFailure(run: ActionRun, ...fragments: Array<string | RegExp>): string {
  expect(run.exitCode).toBe(1);
  expect(run.errors).toHaveLength(1);
  for (const f of fragments) expect(run.errors[0]).toMatch(f);
  return run.errors[0];
}

export const json = (run: ActionRun, output: string): unknown =>
  JSON.parse(run.outputs[output] ?? 'null');

/** A backup file plus its manifest (the shared type), as backup-db writes them. */
export function writeManifest(
  dir: string,
  opts: { engine: Engine; database: string; createdAt?: Date; content?: string },
): { manifestPath: string; backupPath: string } {
  mkdirSync(dir, { recursive: true });
  const content = opts.content ?? `-- backup of ${opts.database}\n`;
  const file = `${opts.database}-backup.sql`;
  const backupPath = join(dir, file);
  writeFileSync(backupPath, content);
  const manifest: BackupManifest = {
    version: 1,
    engine: opts.engine,
    database: opts.database,
    server_version: 'test',
    client_version: 'test',
    format: 'plain',
    compression: 'none',
    file,
    size_bytes: Buffer.byteLength(content),
    sha256: createHash('sha256').update(content).digest('hex'),
    created_at: (opts.createdAt ?? new Date()).toISOString(),
    git_sha: null,
    run_id: null,
    tables: {},
  };
  const manifestPath = join(dir, `${opts.database}-backup.manifest.json`);
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return { manifestPath, backupPath };
}

/** The schema (no data) of a database, for before/after comparisons. */
export async function schemaDump(
  target: { pg?: PostgresServer; maria?: MariaDbServer; sqlite?: string },
  db?: string,
): Promise<string> {
  if (target.pg && db) {
    const pg = target.pg;
    return (
      execFileSync(
        join(pg.binDir, 'pg_dump'),
        ['--schema-only', '--no-owner', '--no-privileges', '-d', db],
        {
          env: {
            ...process.env,
            PGHOST: '127.0.0.1',
            PGPORT: String(pg.port),
            PGUSER: 'postgres',
            PGPASSWORD: pg.password,
          },
          encoding: 'utf8',
        },
      )
        .replace(/^-- Dumped (from|by) .*$/gm, '')
        // pg_dump 15.14+ wraps the dump in \restrict <random key>
        .replace(/^\\(un)?restrict .*$/gm, '')
    );
  }
  if (target.maria && db) {
    const tables = await target.maria.query<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name',
      [db],
    );
    const out: string[] = [];
    for (const t of tables) {
      const rows = await target.maria.query<Record<string, string>>(
        `SHOW CREATE TABLE \`${t.name}\``,
        [],
        db,
      );
      out.push(String(rows[0]['Create Table']).replace(/ AUTO_INCREMENT=\d+/, ''));
    }
    return out.join(';\n');
  }
  if (target.sqlite) {
    if (!existsSync(target.sqlite)) return '(no database file)';
    const d = new DatabaseSync(target.sqlite, { readOnly: true });
    try {
      return d
        .prepare(
          `SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`,
        )
        .all()
        .map((r) => `${String(r.type)} ${String(r.name)}: ${String(r.sql)}`)
        .join('\n');
    } finally {
      d.close();
    }
  }
  throw new Error('schemaDump: no target');
}

export function sqliteRows(path: string, sql: string): Array<Record<string, unknown>> {
  const d = new DatabaseSync(path, { readOnly: true });
  try {
    return d.prepare(sql).all() as Array<Record<string, unknown>>;
  } finally {
    d.close();
  }
}

/** rollback's path: the library's revertTo with the previous-state output. */
export async function revert(
  tool: ToolName,
  workspace: string,
  databaseUrl: string,
  previousState: string,
  extra: { python?: string; migrationsDir?: string } = {},
): Promise<RevertResult> {
  return createMigrationTool(tool, {
    cwd: workspace,
    database: parseDatabaseUrl(databaseUrl, workspace),
    lockWaitMs: 10_000,
    timeoutMs: 120_000,
    migrationsDir: extra.migrationsDir ?? 'migrations',
    migrationsTable: 'schema_migrations',
    python: extra.python ?? PYTHON,
    log: () => undefined,
  }).revertTo(parseStateText(previousState));
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}
