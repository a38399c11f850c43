import { createWriteStream, existsSync, linkSync, renameSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { DatabaseSync } from 'node:sqlite';
import { UserError, errorMessage } from '../kit/errors.js';
import { execArgv } from '../kit/exec.js';
import { redact } from '../kit/secrets.js';
import { compactTimestamp } from './backup.js';
import { openDecompressed, storedAsManifest, type StoredAs } from './compression.js';
import { randomSuffix } from './engine.js';
import {
  RestoreStopped,
  checkAgainstManifest,
  tablesNotIn,
  type LiveRestoreOptions,
  type LiveRestoreResult,
} from './live-restore.js';
import type { BackupFormat, Compression } from './manifest.js';
import { expiredKeptFiles, sqliteKeptPath } from './kept-copies.js';
import { findOnPath } from './mysql.js';
import { countSqliteTables, readHeader, sqliteLoadArgv, type SqliteHeader } from './sqlite.js';
import type { SqliteTarget } from './url.js';

/**
 * The one restore of a SQLite backup into a new file, used by backup-db's restore check and
 * by rollback, which then renames the file over the database. The header settings apps rely
 * on — journal_mode (WAL), user_version, application_id — travel inside the backup: the
 * snapshot file carries them, and a plain dump starts with the PRAGMAs that set them (see
 * sqlitePragmaPreamble in sqlite.ts), so the restored file has them whatever the format.
 */

export interface SqliteBackup {
  path: string;
  format: BackupFormat;
  /** compression and encryption around the backup's bytes */
  stored: Compression | StoredAs;
}

async function openFile(path: string, timeoutMs = 10_000): Promise<DatabaseSync> {
  const { DatabaseSync: Db } = await import('node:sqlite');
  return new Db(path, { timeout: timeoutMs });
}

export function removeWithSidecars(path: string): boolean {
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    rmSync(`${path}${suffix}`, { force: true });
  return !existsSync(path);
}

/**
 * Writes the backup as a database file at `dest` (which must not exist), checks it with
 * PRAGMA integrity_check and returns its row counts and header settings. The file is closed
 * cleanly, so a WAL-mode copy leaves no -wal file behind.
 */
export async function restoreSqliteFile(
  backup: SqliteBackup,
  dest: string,
  timeoutMs: number,
): Promise<{ tables: Record<string, number>; header: SqliteHeader; method: string }> {
  let method: string;
  if (backup.format === 'plain') {
    const cli = findOnPath(['sqlite3']);
    if (!cli)
      throw new UserError(
        'restoring a sqlite .dump needs the sqlite3 command-line tool; install sqlite3.',
      );
    method = 'sqlite3 CLI (.dump loaded into a new file)';
    await execArgv(sqliteLoadArgv(cli, dest), {
      stdin: openDecompressed(backup.path, backup.stored),
      stdout: 'ignore',
      timeoutMs,
      label: 'sqlite3 (restore)',
    });
  } else {
    method = 'snapshot copied into a new file';
    await pipeline(
      openDecompressed(backup.path, backup.stored),
      createWriteStream(dest, { flags: 'wx' }),
    );
  }
  const db = await openFile(dest);
  try {
    const rows = db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>;
    const result = rows.map((r) => r.integrity_check).join('; ');
    if (result !== 'ok')
      throw new UserError(`PRAGMA integrity_check of the restored copy: ${result.slice(0, 300)}`);
    return { tables: countSqliteTables(db), header: readHeader(db), method };
  } finally {
    db.close();
  }
}

/** sqlite: the temporary file a restored copy is built in, beside the target (same file system). */
export function sqliteStagingPath(targetPath: string, suffix: string): string {
  const slash = targetPath.lastIndexOf('/');
  return `${targetPath.slice(0, slash + 1)}.${targetPath.slice(slash + 1)}.rollback-${suffix}`;
}

/**
 * Builds the restored copy beside the database, checks it against the manifest, then
 * renames it over the database file: readers see the old file or the new one, never a mix.
 * The old file's WAL is checkpointed into it first, and the old file is kept (hard link)
 * as an undo when asked.
 */
export async function replaceSqlite(
  o: LiveRestoreOptions,
  target: SqliteTarget,
): Promise<LiveRestoreResult> {
  const m = o.manifest;
  const staging = sqliteStagingPath(target.path, randomSuffix());
  try {
    let liveTables: string[] = [];
    if (existsSync(target.path)) {
      const live = await openFile(target.path);
      try {
        liveTables = Object.keys(countSqliteTables(live));
      } finally {
        live.close();
      }
    }
    const extraTables = tablesNotIn(m, liveTables);
    const r = await restoreSqliteFile(
      { path: o.backupPath, format: m.format, stored: storedAsManifest(m, o.decryptIdentities) },
      staging,
      o.timeoutMs,
    );
    checkAgainstManifest(m, r.tables, false);
    o.log(
      `restored copy: journal_mode=${r.header.journal_mode}, user_version=${r.header.user_version}, application_id=${r.header.application_id}`,
    );
    if (o.stop.requested)
      throw new RestoreStopped(`stopped before the swap; ${target.path} is unchanged.`);
    let kept: string | undefined;
    if (existsSync(target.path)) {
      try {
        const live = await openFile(target.path);
        try {
          live.exec('PRAGMA wal_checkpoint(TRUNCATE)');
        } finally {
          live.close();
        }
      } catch (err) {
        throw new UserError(
          `cannot checkpoint ${target.path} before replacing it: ${redact(errorMessage(err))}`,
        );
      }
      if (o.keepReplaced) {
        kept = sqliteKeptPath(target.path, compactTimestamp(o.now));
        try {
          linkSync(target.path, kept);
        } catch {
          await copyFile(target.path, kept);
        }
      }
      for (const suffix of ['-wal', '-shm']) rmSync(`${target.path}${suffix}`, { force: true });
    }
    o.log(`Replacing ${target.path} with the restored copy of ${m.file}`);
    renameSync(staging, target.path);
    // keep-replaced: <duration>: the copies earlier rollbacks kept go once older than that
    const expiredDropped =
      o.keepReplaced && o.keptMaxAgeMs !== undefined
        ? expiredKeptFiles(target.path, o.now, o.keptMaxAgeMs).filter((f) => f !== kept)
        : [];
    for (const f of expiredDropped) rmSync(f, { force: true });
    if (expiredDropped.length > 0)
      o.log(
        `removed ${expiredDropped.length} copy(ies) kept by earlier rollbacks, older than keep-replaced: ${expiredDropped.join(', ')}`,
      );
    return {
      method: `${r.method}, renamed over the database`,
      how: 'swap',
      tables: r.tables,
      extraTables,
      extraTablesKeptIn: kept ? kept : 'the safety backup',
      replaced: kept,
      expiredDropped,
      warnings: [],
    };
  } finally {
    removeWithSidecars(staging);
  }
}
