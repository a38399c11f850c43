import { resolve } from 'node:path';
import { runBackup, type BackupResult } from '../../db/backup.js';
import { COMPRESSION_LEVELS } from '../../db/compression.js';
import type { DumpPlan } from '../../db/engine.js';
import type { BackupFormat, Compression } from '../../db/manifest.js';
import type { DatabaseTarget } from '../../db/url.js';
import { UserError } from '../../kit/errors.js';
import type { BackupConfig } from '../types.js';

/**
 * The one place the runbook calls backup-db's library (src/db/backup.ts): the runbook's
 * `backup:` section becomes the same DumpPlan backup-db builds from its inputs.
 */

function formatFor(engine: DatabaseTarget['engine'], format: BackupConfig['format']): BackupFormat {
  if (engine === 'postgres') return format === 'auto' ? 'custom' : format;
  if (format !== 'auto' && format !== 'plain')
    throw new UserError(
      `backup.format ${format} is for PostgreSQL only; this database is ${engine}.`,
    );
  if (engine === 'mysql') return 'plain';
  return format === 'plain' ? 'plain' : 'sqlite';
}

export function dumpPlan(
  engine: DatabaseTarget['engine'],
  c: BackupConfig,
  timeoutMs: number,
): DumpPlan {
  const format = formatFor(engine, c.format);
  const compression: Compression = c.compression === 'auto' ? 'gzip' : c.compression;
  return {
    format,
    compression,
    compressedBy: format === 'custom' || format === 'directory' ? 'tool' : 'stream',
    level: compression === 'none' ? undefined : COMPRESSION_LEVELS[compression].default,
    jobs: undefined,
    extraArgs: [],
    connectTimeoutMs: 10_000,
    timeoutMs,
  };
}

export async function takeBackup(opts: {
  target: DatabaseTarget;
  config: BackupConfig;
  baseDir: string;
  timeoutMs: number;
  gitSha: string | null;
}): Promise<BackupResult> {
  if (opts.config.encryptTo) {
    // backup-db's library has no encryption yet; refusing beats an unencrypted copy
    throw new UserError(
      'backup.encrypt-to is not supported by this build of backup-db yet; remove it or upgrade.',
    );
  }
  return runBackup({
    target: opts.target,
    input: 'database.url-env',
    plan: dumpPlan(opts.target.engine, opts.config, opts.timeoutMs),
    outputDir: resolve(opts.baseDir, opts.config.outputDir),
    name: undefined,
    verify: opts.config.verify,
    verifyTarget: undefined,
    minSizeBytes: 1,
    gitSha: opts.gitSha,
    runId: process.env.GITHUB_RUN_ID || null,
  });
}
