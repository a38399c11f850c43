import { runBackup, compactTimestamp, type BackupResult } from '../db/backup.js';
import type { DumpPlan } from '../db/engine.js';
import type { DatabaseTarget } from '../db/url.js';

/**
 * The backup taken just before the restore, so the rollback itself can be undone: the
 * same backup backup-db takes with its defaults (postgres custom, mysql plain SQL, sqlite
 * snapshot; gzip), structurally checked, with its manifest beside it.
 */
export function safetyDumpPlan(
  engine: DatabaseTarget['engine'],
  connectTimeoutMs: number,
  timeoutMs: number,
): DumpPlan {
  const format = engine === 'postgres' ? 'custom' : engine === 'mysql' ? 'plain' : 'sqlite';
  return {
    format,
    compression: 'gzip',
    compressedBy: format === 'custom' ? 'tool' : 'stream',
    level: 6,
    jobs: undefined,
    extraArgs: [],
    connectTimeoutMs,
    timeoutMs,
  };
}

/** `<database>-pre-rollback-<yyyymmddThhmmssZ>`, the database reduced to safe characters. */
export function safetyBackupName(database: string, now: Date): string {
  const base = database.replace(/\.(sqlite3?|db3?)$/i, '');
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '') || 'database';
  return `${safe}-pre-rollback-${compactTimestamp(now)}`;
}

export async function takeSafetyBackup(opts: {
  target: DatabaseTarget;
  outputDir: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  gitSha: string | null;
  runId: string | null;
  now?: Date;
}): Promise<BackupResult> {
  const now = opts.now ?? new Date();
  return runBackup({
    target: opts.target,
    input: 'database-url',
    plan: safetyDumpPlan(opts.target.engine, opts.connectTimeoutMs, opts.timeoutMs),
    outputDir: opts.outputDir,
    name: safetyBackupName(opts.target.database, now),
    verify: 'list',
    verifyTarget: undefined,
    minSizeBytes: 1,
    gitSha: opts.gitSha,
    runId: opts.runId,
    now,
    // rollback's own cancellation lets the safety backup finish, then stops before the restore
    exitOnSignal: false,
  });
}
