import { join } from 'node:path';
import type { DumpPlan } from './engine.js';
import { pgTlsEnv } from './tls.js';
import type { ServerTarget } from './url.js';

/** Pure builders of the PostgreSQL tools' argv and environment (unit-tested without a server). */

/** Connection settings go through libpq's environment, so argv never holds a password or host. */
export function pgConnectionEnv(
  target: ServerTarget,
  database: string,
  connectTimeoutMs: number,
): Record<string, string | undefined> {
  return {
    PGHOST: target.host,
    PGPORT: String(target.port),
    PGUSER: target.user || undefined,
    PGPASSWORD: target.password || undefined,
    PGDATABASE: database,
    // sslmode and the certificate files, with the meaning the drivers give them (tls.ts)
    ...pgTlsEnv(target),
    PGCONNECT_TIMEOUT: String(Math.max(2, Math.ceil(connectTimeoutMs / 1000))),
    PGAPPNAME: 'runbook-backup-db',
    // a service file or passfile of the runner must not redirect the connection
    PGSERVICE: undefined,
    PGOPTIONS: undefined,
  };
}

function tool(binDir: string | undefined, name: string): string {
  return binDir ? join(binDir, name) : name;
}

/** `--compress` value for pg_dump: a level for gzip (all versions), `zstd:N` (pg_dump 16+). */
export function pgCompressArg(plan: DumpPlan): string {
  if (plan.compressedBy !== 'tool' || plan.compression === 'none') return '0';
  if (plan.compression === 'zstd') return `zstd:${plan.level ?? 3}`;
  return String(plan.level ?? 6);
}

export function pgDumpArgv(
  binDir: string | undefined,
  plan: DumpPlan,
  opts: { snapshot?: string; directory?: string } = {},
): string[] {
  const argv = [
    tool(binDir, 'pg_dump'),
    `--format=${plan.format === 'plain' ? 'plain' : plan.format}`,
    '--no-password',
  ];
  if (plan.format !== 'plain') argv.push(`--compress=${pgCompressArg(plan)}`);
  if (plan.format === 'directory') {
    if (!opts.directory) throw new Error('pgDumpArgv: directory format needs a directory');
    if (plan.jobs !== undefined) argv.push(`--jobs=${plan.jobs}`);
    argv.push(`--file=${opts.directory}`);
  }
  if (opts.snapshot) argv.push(`--snapshot=${opts.snapshot}`);
  argv.push(...plan.extraArgs);
  return argv;
}

/** `pg_restore --list` of a file, a directory, or stdin (path undefined). */
export function pgRestoreListArgv(binDir: string | undefined, path: string | undefined): string[] {
  const argv = [tool(binDir, 'pg_restore'), '--list'];
  if (path !== undefined) argv.push(path);
  return argv;
}

/** A conninfo naming only the database: `--dbname` is read as conninfo when it holds `=`. */
export function pgDbnameConninfo(database: string): string {
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Restores an archive into a database with its owners and grants (the restoring user must be
 * able to act as every owner: see postgres-restore.ts, which filters the rest out).
 */
export function pgRestoreArgv(
  binDir: string | undefined,
  database: string,
  path: string | undefined,
  opts: { jobs?: number; singleTransaction?: boolean } = {},
): string[] {
  const argv = [
    tool(binDir, 'pg_restore'),
    '--no-password',
    '--exit-on-error',
    `--dbname=${pgDbnameConninfo(database)}`,
  ];
  if (opts.singleTransaction) argv.push('--single-transaction');
  // parallel restore needs a seekable archive: a file or directory, not stdin
  else if (opts.jobs !== undefined && opts.jobs > 1 && path !== undefined)
    argv.push(`--jobs=${opts.jobs}`);
  if (path !== undefined) argv.push(path);
  return argv;
}

/** pg_restore writing the archive as a SQL script to stdout (read from `path`, or stdin). */
export function pgRestoreScriptArgv(
  binDir: string | undefined,
  path: string | undefined,
  opts: { schemaOnly: boolean },
): string[] {
  const argv = [tool(binDir, 'pg_restore'), '--file=-'];
  if (opts.schemaOnly) argv.push('--schema-only');
  if (path !== undefined) argv.push(path);
  return argv;
}

/** psql reading a plain SQL dump from stdin into a database, stopping at the first error. */
export function psqlRestoreArgv(binDir: string | undefined, database: string): string[] {
  return [
    tool(binDir, 'psql'),
    '--no-password',
    '--no-psqlrc',
    '--quiet',
    '--set=ON_ERROR_STOP=1',
    '--single-transaction',
    '--output=/dev/null',
    `--dbname=${pgDbnameConninfo(database)}`,
  ];
}

/** Options of extra-args that would fight what backup-db controls. */
const PG_RESERVED = [
  '-f',
  '--file',
  '-F',
  '--format',
  '-Z',
  '--compress',
  '-j',
  '--jobs',
  '--snapshot',
  '-d',
  '--dbname',
  '-h',
  '--host',
  '-p',
  '--port',
  '-U',
  '--username',
  '-W',
  '--password',
  '-w',
  '--no-password',
];

/** The first extra argument that backup-db sets itself, or undefined. */
export function reservedExtraArg(
  args: readonly string[],
  reserved: readonly string[] = PG_RESERVED,
): string | undefined {
  for (const a of args) {
    const name = a.startsWith('--')
      ? a.split('=')[0]
      : a.startsWith('-')
        ? a.slice(0, 2)
        : undefined;
    if (name !== undefined && reserved.includes(name)) return name;
  }
  return undefined;
}

/** Version numbers from `pg_dump --version` output: `pg_dump (PostgreSQL) 15.18 (Debian ...)`. */
export function parsePgToolVersion(text: string): { version: string; major: number } | undefined {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  const first = Number(m[1]);
  const major = first >= 10 ? first : Number(`${m[1]}.${m[2] ?? 0}`);
  return { version: [m[1], m[2], m[3]].filter((x) => x !== undefined).join('.'), major };
}

/** `server_version_num` (150018) to its major version (15; 9.6 for 90624). */
export function pgMajorOfVersionNum(num: number): number {
  return num >= 100000
    ? Math.floor(num / 10000)
    : Number(`${Math.floor(num / 10000)}.${Math.floor(num / 100) % 100}`);
}

export interface PgClientCandidate {
  /** undefined: found on PATH */
  binDir: string | undefined;
  version: string;
  major: number;
}

/**
 * The pg_dump to use for a server: the one of the server's major version, else the oldest
 * newer one (pg_dump dumps older servers, never newer). Returns an error text naming both
 * versions when only older clients exist.
 */
export function choosePgClient(
  serverMajor: number,
  serverVersion: string,
  candidates: readonly PgClientCandidate[],
): PgClientCandidate | string {
  if (candidates.length === 0) {
    return `no pg_dump was found (looked in /usr/lib/postgresql/*/bin and PATH); install the PostgreSQL ${serverMajor} client, e.g. apt-get install postgresql-client-${serverMajor}.`;
  }
  const exact = candidates.find((c) => c.major === serverMajor);
  if (exact) return exact;
  const newer = candidates.filter((c) => c.major > serverMajor).sort((a, b) => a.major - b.major);
  if (newer.length > 0) return newer[0];
  const best = [...candidates].sort((a, b) => b.major - a.major)[0];
  return `pg_dump ${best.version}${best.binDir ? ` (${best.binDir})` : ''} is older than the server (PostgreSQL ${serverVersion}) and cannot dump it; install the PostgreSQL ${serverMajor} client, e.g. apt-get install postgresql-client-${serverMajor}.`;
}

/** Whether `pg_restore --list` output holds the data entry of a table. */
export function tocHasTableData(listText: string, schema: string, table: string): boolean {
  const needle = ` TABLE DATA ${schema} ${table} `;
  return listText.split('\n').some((line) => !line.startsWith(';') && line.includes(needle));
}
