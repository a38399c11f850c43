import { UserError } from '../kit/errors.js';
import { compareTableCounts } from './engine.js';
import type { BackupManifest } from './manifest.js';
import type { DatabaseTarget } from './url.js';

/**
 * The contract every engine's restore over a live database keeps (rollback's `database`
 * target): the backup is restored beside the live database and checked against the
 * manifest's row counts, then swapped in by a rename (`swap`), or — where the engine or the
 * user's rights allow no second database — restored in place in one transaction where the
 * engine has transactional DDL (`in-place`; MySQL/MariaDB has none, so a failure part-way
 * says so and names the safety backup). Tables the live database has and the backup does not
 * are reported by name.
 */

export type RestoreMode = 'auto' | 'swap' | 'in-place';

/** A request to stop (SIGINT/SIGTERM): the restore stops before the swap, or finishes it. */
export interface StopRequest {
  readonly requested: boolean;
  /** calls `cb` when a stop is requested (at once if it already was); returns an unsubscribe */
  onRequest(cb: () => void): () => void;
}

export class RestoreStopped extends UserError {
  constructor(what: string) {
    super(`cancelled: ${what}`);
    this.name = 'RestoreStopped';
  }
}

export interface LiveRestoreOptions {
  target: DatabaseTarget;
  manifest: BackupManifest;
  backupPath: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  mode: RestoreMode;
  /** keep the replaced database (or file) after a swap, as an instant undo */
  keepReplaced: boolean;
  /**
   * with keepReplaced: the copies earlier rollbacks kept of this database are dropped once
   * older than this (keep-replaced: <duration>); undefined keeps them all
   */
  keptMaxAgeMs?: number;
  stop: StopRequest;
  now: Date;
  /** decrypt-identity: the age identities of an encrypted backup */
  decryptIdentities?: string[];
  /**
   * the safety backup of the live state taken just before (rollback's `safety-backup`);
   * undefined: none was. Named in the error of an in-place restore that stops part-way.
   */
  safetyBackup?: { path: string; sha256: string };
  log: (line: string) => void;
}

export interface LiveRestoreResult {
  /** how the backup was restored, one line for the summary */
  method: string;
  how: 'swap' | 'in-place';
  /** row counts of the restored tables */
  tables: Record<string, number>;
  /** tables the live database had that the backup does not */
  extraTables: string[];
  /** where those tables (and everything else replaced) still are */
  extraTablesKeptIn: string;
  /** the replaced database (PostgreSQL) or file (SQLite) kept after a swap */
  replaced?: string;
  /** copies kept by earlier rollbacks that were dropped as older than keptMaxAgeMs */
  expiredDropped?: string[];
  warnings: string[];
}

/** Throws when the restored row counts differ from the manifest's (before any swap). */
export function checkAgainstManifest(
  manifest: BackupManifest,
  restored: Record<string, number>,
  ignoreExtra: boolean,
): void {
  const problems = compareTableCounts(manifest.tables, restored).filter(
    (p) => !ignoreExtra || !p.endsWith('restored but not in the source'),
  );
  if (problems.length > 0) {
    throw new UserError(
      `after the restore the row counts differ from the backup's manifest: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}.`,
    );
  }
}

/** Tables of the live database that the backup does not have, sorted. */
export function tablesNotIn(manifest: BackupManifest, live: readonly string[]): string[] {
  return live.filter((t) => !(t in manifest.tables)).sort();
}

/** Restores the backup over the live database with the engine's own module. */
export async function restoreLive(o: LiveRestoreOptions): Promise<LiveRestoreResult> {
  const t = o.target;
  if (t.engine === 'postgres') {
    const { replacePostgres } = await import('./postgres-replace.js');
    return replacePostgres(o, t);
  }
  if (t.engine === 'sqlite') {
    const { replaceSqlite } = await import('./sqlite-restore.js');
    return replaceSqlite(o, t);
  }
  const { restoreMysqlInPlace } = await import('./mysql-restore.js');
  return restoreMysqlInPlace(o, t);
}
