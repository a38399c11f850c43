import { createReadStream, createWriteStream, existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DatabaseSync } from 'node:sqlite';
import * as core from '@actions/core';
import { InputError, UserError, errorMessage } from '../kit/errors.js';
import { execArgv } from '../kit/exec.js';
import { openDecompressed, scanDecompressed } from './compression.js';
import {
  randomSuffix,
  type BackupOnDisk,
  type DumpPlan,
  type DumpTarget,
  type EngineSession,
  type RestoreCheck,
} from './engine.js';
import { findOnPath } from './mysql.js';
import type { DatabaseTarget, SqliteTarget } from './url.js';

/** Pure argv builders for the sqlite3 CLI (plain format). */
export function sqliteDumpArgv(tool: string, snapshotPath: string): string[] {
  return [tool, '-batch', '-bail', '-readonly', snapshotPath, '.dump'];
}

export function sqliteLoadArgv(tool: string, dbPath: string): string[] {
  return [tool, '-batch', '-bail', dbPath];
}

/** SQL string literal (VACUUM INTO takes the target as an expression, not a parameter in every version). */
export function sqliteString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

async function openDb(
  path: string,
  opts: { readOnly: boolean; timeoutMs?: number },
): Promise<DatabaseSync> {
  const { DatabaseSync: Db } = await import('node:sqlite');
  return new Db(path, { readOnly: opts.readOnly, timeout: opts.timeoutMs ?? 0 });
}

/** Row counts of every user table (sqlite_* internals and virtual tables left out). */
export function countSqliteTables(db: DatabaseSync): Record<string, number> {
  const rows = db
    .prepare(
      `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
       AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`,
    )
    .all() as Array<{ name: string }>;
  const counts: Record<string, number> = {};
  for (const { name } of rows) {
    const r = db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(name)}`).get() as { n: number };
    counts[name] = Number(r.n);
  }
  return counts;
}

/** The header settings apps rely on, which VACUUM INTO (journal_mode) and .dump (all) lose. */
export interface SqliteHeader {
  journal_mode: string;
  user_version: number;
  application_id: number;
}

export function readHeader(db: DatabaseSync): SqliteHeader {
  const get = (p: string): string | number =>
    Object.values(db.prepare(`PRAGMA ${p}`).get() as Record<string, string | number>)[0];
  return {
    journal_mode: String(get('journal_mode')),
    user_version: Number(get('user_version')),
    application_id: Number(get('application_id')),
  };
}

/**
 * PRAGMAs written before a plain `.dump` so that loading it restores the header settings
 * (outside the dump's transaction, where journal_mode can change). Only non-defaults.
 */
export function sqlitePragmaPreamble(h: SqliteHeader): string {
  const lines: string[] = [];
  if (h.journal_mode === 'wal') lines.push('PRAGMA journal_mode=WAL;');
  if (h.user_version !== 0) lines.push(`PRAGMA user_version=${Math.trunc(h.user_version)};`);
  if (h.application_id !== 0) lines.push(`PRAGMA application_id=${Math.trunc(h.application_id)};`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function integrityCheck(db: DatabaseSync): string {
  const rows = db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>;
  return rows.map((r) => r.integrity_check).join('; ');
}

function removeDbFiles(path: string): boolean {
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    rmSync(`${path}${suffix}`, { force: true });
  return !existsSync(path);
}

export class SqliteSession implements EngineSession {
  readonly engine = 'sqlite' as const;
  readonly database: string;
  private readonly cli: string | undefined;

  private constructor(
    private readonly target: SqliteTarget,
    private readonly db: DatabaseSync,
    readonly serverVersion: string,
    private readonly connectTimeoutMs: number,
  ) {
    this.database = target.database;
    this.cli = findOnPath(['sqlite3']);
  }

  private plainFormat = false;

  get clientVersion(): string {
    return this.plainFormat ? 'sqlite3 CLI .dump' : `node:sqlite ${this.serverVersion} VACUUM INTO`;
  }

  static async open(
    input: string,
    target: SqliteTarget,
    connectTimeoutMs: number,
  ): Promise<SqliteSession> {
    if (!existsSync(target.path)) {
      throw new InputError(input, `sqlite database file ${target.path} does not exist.`);
    }
    if (!statSync(target.path).isFile())
      throw new InputError(input, `${target.path} is not a file.`);
    let db: DatabaseSync;
    try {
      db = await openDb(target.path, { readOnly: true, timeoutMs: connectTimeoutMs });
      db.prepare('PRAGMA schema_version').get();
    } catch (err) {
      throw new InputError(
        input,
        `${target.path} cannot be opened as a sqlite database: ${errorMessage(err)}`,
      );
    }
    const v = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
    return new SqliteSession(target, db, v.v, connectTimeoutMs);
  }

  resolvePlan(plan: DumpPlan): DumpPlan {
    this.plainFormat = plan.format === 'plain';
    if (this.plainFormat && !this.cli) {
      throw new UserError(
        'format: plain for sqlite needs the sqlite3 command-line tool; install sqlite3 or use format: auto.',
      );
    }
    return { ...plan, compressedBy: 'stream' };
  }

  /**
   * VACUUM INTO writes a consistent copy inside one read transaction, so writers on other
   * connections neither corrupt it nor starve it (the backup API restarts on every write).
   */
  async dump(plan: DumpPlan, target: DumpTarget, tempDir: string): Promise<Record<string, number>> {
    if (target.kind !== 'stream') throw new Error('sqlite dumps are single files');
    const snapshot = join(tempDir, `snapshot-${randomSuffix()}.sqlite3`);
    try {
      try {
        this.db.exec(`VACUUM INTO ${sqliteString(snapshot)}`);
      } catch (err) {
        throw new UserError(`VACUUM INTO failed: ${errorMessage(err)}`);
      }
      const snap = await openDb(snapshot, { readOnly: true });
      let counts: Record<string, number>;
      try {
        counts = countSqliteTables(snap);
      } finally {
        snap.close();
      }
      const header = readHeader(this.db);
      if (plan.format === 'plain') {
        core.info(`Running sqlite3 .dump of the snapshot`);
        const preamble = sqlitePragmaPreamble(header);
        if (preamble !== '') target.sink.write(preamble);
        await execArgv(sqliteDumpArgv(this.cli ?? 'sqlite3', snapshot), {
          stdout: target.sink,
          timeoutMs: plan.timeoutMs,
          label: 'sqlite3 .dump',
        });
      } else {
        // VACUUM INTO keeps user_version and application_id but writes a rollback-journal file
        if (header.journal_mode === 'wal') {
          const copy = await openDb(snapshot, { readOnly: false });
          try {
            copy.exec('PRAGMA journal_mode = WAL');
          } finally {
            copy.close();
          }
        }
        await pipeline(createReadStream(snapshot, { highWaterMark: 1024 * 1024 }), target.sink);
      }
      return counts;
    } finally {
      removeDbFiles(snapshot);
    }
  }

  /** The backup as a database file: the file itself, or decompressed into tempDir. */
  private async materialize(backup: BackupOnDisk, dest: string): Promise<void> {
    await pipeline(
      openDecompressed(backup.path, backup.plan.compression),
      createWriteStream(dest, { flags: 'wx' }),
    );
  }

  async verifyStructure(
    backup: BackupOnDisk,
    _tables: Record<string, number>,
    tempDir: string,
  ): Promise<{ checked: string; missing: string[] }> {
    const { plan } = backup;
    if (plan.format === 'plain') {
      const scan = await scanDecompressed(backup.path, plan.compression);
      const tail = scan.tail.trimEnd();
      if (!tail.endsWith('COMMIT;') || tail.includes('ROLLBACK; -- due to errors')) {
        throw new UserError(
          'the sqlite .dump does not end with COMMIT; it is incomplete or hit errors.',
        );
      }
      return {
        checked: `${plan.compression === 'none' ? 'SQL' : `${plan.compression} stream`} read whole, ends with COMMIT`,
        missing: [],
      };
    }
    const file = join(tempDir, `check-${randomSuffix()}.sqlite3`);
    try {
      await this.materialize(backup, file);
      const db = await openDb(file, { readOnly: true });
      try {
        const result = integrityCheck(db);
        if (result !== 'ok')
          throw new UserError(`PRAGMA integrity_check of the backup: ${result.slice(0, 300)}`);
      } finally {
        db.close();
      }
      return {
        checked: `${plan.compression === 'none' ? '' : `${plan.compression} stream read whole, `}PRAGMA integrity_check ok`,
        missing: [],
      };
    } finally {
      removeDbFiles(file);
    }
  }

  async verifyRestore(
    backup: BackupOnDisk,
    scratch: DatabaseTarget | undefined,
    tempDir: string,
  ): Promise<RestoreCheck> {
    const file =
      scratch && scratch.engine === 'sqlite'
        ? scratch.path
        : join(tempDir, `restore-${randomSuffix()}.sqlite3`);
    if (existsSync(file)) {
      throw new InputError(
        'verify-database-url',
        `${file} already exists; name a file that does not exist (backup-db creates it and deletes it).`,
      );
    }
    let removed = false;
    try {
      // the same restore as rollback's (sqlite-restore.ts), so this check proves what it does
      const { restoreSqliteFile } = await import('./sqlite-restore.js');
      const { tables: counts } = await restoreSqliteFile(
        { path: backup.path, format: backup.plan.format, compression: backup.plan.compression },
        file,
        backup.plan.timeoutMs,
      );
      removed = removeDbFiles(file);
      return { scratch: scratch ? file : 'a temporary file', tables: counts, dropped: removed };
    } finally {
      if (!removed) removeDbFiles(file);
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
