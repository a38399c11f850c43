import { createWriteStream, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as core from '@actions/core';
import { UserError, errorMessage, isUserError } from '../kit/errors.js';
import { redact } from '../kit/secrets.js';
import { formatSize } from '../kit/sizes.js';
import { compressionExtension, createCompressor } from './compression.js';
import {
  compareTableCounts,
  type DumpPlan,
  type EngineSession,
  type RestoreCheck,
} from './engine.js';
import { HashCounter, sha256Backup, sha256Directory } from './manifest-hash.js';
import { manifestFileName, type BackupManifest, type Engine } from './manifest.js';
import { MysqlSession } from './mysql.js';
import { PostgresSession } from './postgres.js';
import { SqliteSession } from './sqlite.js';
import type { DatabaseTarget } from './url.js';

export type VerifyLevel = 'list' | 'checksum' | 'restore';

export interface BackupOptions {
  target: DatabaseTarget;
  /** the input the target came from, for error messages */
  input: string;
  plan: DumpPlan;
  /** absolute */
  outputDir: string;
  /** the backup's name; undefined: `<database>-<yyyymmddThhmmssZ>` */
  name: string | undefined;
  verify: VerifyLevel;
  verifyTarget: DatabaseTarget | undefined;
  minSizeBytes: number;
  gitSha: string | null;
  runId: string | null;
  now?: Date;
  /** false: a caller with its own cancellation (rollback) lets the backup finish on SIGINT/SIGTERM */
  exitOnSignal?: boolean;
}

/** What is known so far; filled as the backup goes, so a failure can still report it. */
export interface BackupProgress {
  engine?: Engine;
  name?: string;
  format?: string;
  compression?: string;
  serverVersion?: string;
  database?: string;
}

export interface BackupResult {
  path: string;
  manifestPath: string;
  manifest: BackupManifest;
  /** what each verification step checked, in order */
  checks: string[];
  restore: RestoreCheck | undefined;
  durationMs: number;
}

/** `20261122T014907Z` */
export function compactTimestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** The default backup name: `<database>-<yyyymmddThhmmssZ>`, the database reduced to safe characters. */
export function defaultBackupName(engine: Engine, database: string, now: Date): string {
  const base = engine === 'sqlite' ? database.replace(/\.(sqlite3?|db3?)$/i, '') : database;
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '') || 'database';
  return `${safe}-${compactTimestamp(now)}`;
}

/** The backup's file (or directory) name for a plan. */
export function backupFileName(
  name: string,
  engine: Engine,
  plan: Pick<DumpPlan, 'format' | 'compression' | 'compressedBy'>,
): string {
  const stream = plan.compressedBy === 'stream' ? compressionExtension(plan.compression) : '';
  switch (plan.format) {
    case 'directory':
      return `${name}.dir`;
    case 'custom':
      return `${name}.dump${stream}`;
    case 'plain':
      return `${name}.sql${stream}`;
    case 'sqlite':
      return `${name}.sqlite3${stream}`;
  }
  throw new Error(`no file name for format ${String(plan.format)} (${engine})`);
}

export async function openSession(
  target: DatabaseTarget,
  input: string,
  connectTimeoutMs: number,
): Promise<EngineSession> {
  if (target.engine === 'postgres') return PostgresSession.open(input, target, connectTimeoutMs);
  if (target.engine === 'mysql') return MysqlSession.open(input, target, connectTimeoutMs);
  if (target.engine === 'sqlite') return SqliteSession.open(input, target, connectTimeoutMs);
  throw new Error(`unknown engine ${String((target as { engine: unknown }).engine)}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function ioProblem(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOTDIR: 'a part of the path is a file, not a directory',
    EEXIST: 'it already exists',
  };
  return (e.code && reasons[e.code]) ?? errorMessage(err);
}

/** Writes the dump through compression and hashing into `partial`; returns sha256, size and counts. */
async function writeDump(
  session: EngineSession,
  plan: DumpPlan,
  partial: string,
  workDir: string,
): Promise<{ sha256: string; bytes: number; tables: Record<string, number> }> {
  if (plan.format === 'directory') {
    const tables = await session.dump(plan, { kind: 'directory', path: partial }, workDir);
    const h = await sha256Directory(partial);
    return { sha256: h.sha256, bytes: h.bytes, tables };
  }
  const entry = new PassThrough({ highWaterMark: 1024 * 1024 });
  const hasher = new HashCounter();
  const file = createWriteStream(partial, { flags: 'wx', highWaterMark: 1024 * 1024 });
  const stages =
    plan.compressedBy === 'stream' && plan.compression !== 'none'
      ? pipeline(entry, createCompressor(plan.compression, plan.level ?? 6), hasher, file)
      : pipeline(entry, hasher, file);
  const [dumped, written] = await Promise.allSettled([
    session.dump(plan, { kind: 'stream', sink: entry }, workDir),
    stages,
  ]);
  // a failed write is the root cause: the dump tool then only saw its pipe close
  if (written.status === 'rejected')
    throw new UserError(`writing the backup failed: ${ioProblem(written.reason)}`);
  if (dumped.status === 'rejected') throw dumped.reason;
  return { sha256: hasher.hash.digest('hex'), bytes: hasher.bytes, tables: dumped.value };
}

/**
 * Dumps, checks and only then publishes a backup: everything is written under a hidden
 * work directory inside output-dir and renamed to its final name after every check passed.
 */
export async function runBackup(
  opts: BackupOptions,
  progress: BackupProgress = {},
): Promise<BackupResult> {
  const started = Date.now();
  const now = opts.now ?? new Date();
  const session = await openSession(opts.target, opts.input, opts.plan.connectTimeoutMs);
  let workDir: string | undefined;
  const cleanup = (): void => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  let stage = 'preparing';
  try {
    progress.engine = session.engine;
    progress.database = session.database;
    progress.serverVersion = session.serverVersion;
    const plan = session.resolvePlan(opts.plan);
    progress.format = plan.format;
    progress.compression = plan.compression;
    const name = opts.name ?? defaultBackupName(session.engine, session.database, now);
    progress.name = name;
    const fileName = backupFileName(name, session.engine, plan);
    const finalPath = join(opts.outputDir, fileName);
    const manifestPath = join(opts.outputDir, manifestFileName(name));

    try {
      await mkdir(opts.outputDir, { recursive: true });
    } catch (err) {
      throw new UserError(`output-dir ${opts.outputDir} cannot be created: ${ioProblem(err)}.`);
    }
    for (const p of [finalPath, manifestPath]) {
      if (await exists(p))
        throw new UserError(`${p} already exists; choose another name or output-dir.`);
    }
    try {
      workDir = await mkdtemp(join(opts.outputDir, `.${name}.partial-`));
    } catch (err) {
      throw new UserError(`cannot write in output-dir ${opts.outputDir}: ${ioProblem(err)}.`);
    }
    if (opts.exitOnSignal !== false) {
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }
    const partial = join(workDir, fileName);

    core.info(
      `Backing up ${session.engine} database '${session.database}' (server ${session.serverVersion}) as ${fileName}`,
    );
    stage = 'the dump';
    const dumped = await writeDump(session, plan, partial, workDir);
    const tables = dumped.tables;
    core.info(`Wrote ${formatSize(dumped.bytes)}, sha256 ${dumped.sha256}`);

    if (dumped.bytes < opts.minSizeBytes) {
      throw new UserError(
        `the backup is ${formatSize(dumped.bytes)} (${dumped.bytes} bytes), below min-size ${formatSize(opts.minSizeBytes)}; it was not kept.`,
      );
    }

    const backup = { path: partial, plan };
    const checks: string[] = [];
    stage = 'the structural check';
    const structure = await session.verifyStructure(backup, tables, workDir);
    if (structure.missing.length > 0) {
      if (plan.extraArgs.length === 0) {
        throw new UserError(
          `the archive lacks the data of ${structure.missing.length} table(s): ${structure.missing.slice(0, 5).join(', ')}.`,
        );
      }
      // extra-args excluded them: the manifest lists what the backup holds
      for (const t of structure.missing) delete tables[t];
      checks.push(`${structure.missing.length} table(s) left out by extra-args`);
    }
    checks.unshift(structure.checked);

    if (opts.verify === 'checksum' || opts.verify === 'restore') {
      const again = await sha256Backup(partial);
      if (again.sha256 !== dumped.sha256 || again.bytes !== dumped.bytes) {
        throw new UserError(
          `re-reading the backup gave sha256 ${again.sha256} (${again.bytes} bytes), not ${dumped.sha256}; the disk did not keep what was written.`,
        );
      }
      checks.push('sha256 re-read and matched');
    }

    let restore: RestoreCheck | undefined;
    if (opts.verify === 'restore') {
      stage = 'the restore check';
      restore = await session.verifyRestore(backup, opts.verifyTarget, workDir);
      const problems = compareTableCounts(tables, restore.tables);
      if (problems.length > 0) {
        throw new UserError(
          `the restored copy differs from the source: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}.`,
        );
      }
      if (!restore.dropped) core.warning(`the scratch ${restore.scratch} could not be removed`);
      checks.push(
        `restored into ${restore.scratch}: ${Object.keys(restore.tables).length} tables, row counts match${restore.dropped ? ', scratch dropped' : ''}`,
      );
    }

    const manifest: BackupManifest = {
      version: 1,
      engine: session.engine,
      database: session.database,
      server_version: session.serverVersion,
      client_version: session.clientVersion,
      format: plan.format,
      compression: plan.compression,
      compressed_by: plan.compressedBy,
      file: fileName,
      size_bytes: dumped.bytes,
      sha256: dumped.sha256,
      created_at: now.toISOString(),
      git_sha: opts.gitSha,
      run_id: opts.runId,
      tables,
    };
    const manifestPartial = join(workDir, manifestFileName(name));
    stage = 'publishing the backup';
    await writeFile(manifestPartial, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
    await rename(partial, finalPath);
    try {
      await rename(manifestPartial, manifestPath);
    } catch (err) {
      await rm(finalPath, { recursive: true, force: true });
      throw err;
    }
    return {
      path: finalPath,
      manifestPath,
      manifest,
      checks,
      restore,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    // driver and file system errors are the environment's, not bugs: one line with the stage
    if (!isUserError(err) && typeof (err as { code?: unknown }).code === 'string') {
      throw new UserError(`${stage} failed: ${redact(errorMessage(err))}`, { cause: err });
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    cleanup();
    await session.close();
  }
}
