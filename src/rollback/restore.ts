import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError, errorMessage } from '../kit/errors.js';
import { execArgv } from '../kit/exec.js';
import { redact } from '../kit/secrets.js';
import { openDecompressed } from '../db/compression.js';
import { compareTableCounts, randomSuffix } from '../db/engine.js';
import { compressedBy, type BackupManifest } from '../db/manifest.js';
import { connectMysql, connectPostgres } from '../db/connection.js';
import { countMysqlTables, findOnPath } from '../db/mysql.js';
import { mysqlClientArgv, mysqlEnv } from '../db/mysql-argv.js';
import { countPgTables, findClient } from '../db/postgres.js';
import { pgConnectionEnv, pgMajorOfVersionNum } from '../db/postgres-argv.js';
import { countSqliteTables, sqliteLoadArgv } from '../db/sqlite.js';
import type { DatabaseTarget, ServerTarget, SqliteTarget } from '../db/url.js';
import {
  pgRollbackRestoreArgv,
  plainCleanPreamble,
  psqlRollbackRestoreArgv,
  schemasCreatedBy,
  sqliteStagingPath,
} from './restore-argv.js';

/**
 * Restores a verified backup over the live database, then compares per-table row counts
 * with the manifest's `tables`. Each engine's restore is all-or-nothing where the engine
 * allows it: one transaction on PostgreSQL, an atomic file rename on SQLite.
 */

export interface RestoreOptions {
  target: DatabaseTarget;
  manifest: BackupManifest;
  backupPath: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  log: (line: string) => void;
}

export interface RestoreResult {
  /** the tool that restored, for the summary */
  method: string;
  tables: Record<string, number>;
  /** tables the database has that the backup does not (created after it; left alone) */
  extraTables: string[];
  durationMs: number;
}

const INPUT = 'database-url';

export async function restoreBackup(o: RestoreOptions): Promise<RestoreResult> {
  const started = Date.now();
  const t = o.target;
  const { method, tables } =
    t.engine === 'sqlite'
      ? await restoreSqlite(o, t)
      : t.engine === 'postgres'
        ? await restorePostgres(o, t)
        : await restoreMysql(o, t);

  const problems = compareTableCounts(o.manifest.tables, tables);
  const extraTables = Object.keys(tables).filter((t) => !(t in o.manifest.tables));
  const real = problems.filter((p) => !p.endsWith('restored but not in the source'));
  if (real.length > 0) {
    throw new UserError(
      `after the restore the row counts differ from the backup's manifest: ${real.slice(0, 5).join('; ')}${real.length > 5 ? `; and ${real.length - 5} more` : ''}.`,
    );
  }
  return { method, tables, extraTables, durationMs: Date.now() - started };
}

// ---------- PostgreSQL

async function pgConnect(target: ServerTarget, timeoutMs: number): Promise<import('pg').Client> {
  return connectPostgres(INPUT, target, target.database, timeoutMs, 'runbook-rollback');
}

/** Schemas a plain dump creates, read in one streamed pass before the restore. */
async function plainDumpSchemas(path: string, m: BackupManifest): Promise<string[]> {
  const lines = createInterface({
    input: openDecompressed(path, m.compression),
    crlfDelay: Infinity,
  });
  const found: string[] = [];
  for await (const line of lines) {
    const s = schemasCreatedBy(line);
    if (s !== undefined) found.push(s);
  }
  return found;
}

async function restorePostgres(
  o: RestoreOptions,
  target: ServerTarget,
): Promise<{ method: string; tables: Record<string, number> }> {
  const client = await pgConnect(target, o.connectTimeoutMs);
  try {
    const r = await client.query<{ num: string; v: string }>(
      `SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS v`,
    );
    const tool = await findClient(
      pgMajorOfVersionNum(Number(r.rows[0].num)),
      r.rows[0].v.split(' ')[0],
    );
    const env = {
      ...pgConnectionEnv(target, target.database, o.connectTimeoutMs),
      PGAPPNAME: 'runbook-rollback',
    };
    const m = o.manifest;
    let method: string;
    if (m.format === 'plain') {
      const schemas = await plainDumpSchemas(o.backupPath, m);
      const preamble = plainCleanPreamble(schemas);
      const dump = openDecompressed(o.backupPath, m.compression);
      const stdin = Readable.from(
        (async function* () {
          yield Buffer.from(preamble);
          for await (const chunk of dump) yield chunk as Buffer;
        })(),
      );
      method = `psql ${tool.version} (plain dump, one transaction)`;
      o.log(`Restoring ${m.file} with ${method} into '${target.database}'`);
      await execArgv(psqlRollbackRestoreArgv(tool.binDir, target.database), {
        env,
        stdin,
        stdout: 'ignore',
        timeoutMs: o.timeoutMs,
        label: 'psql (restore)',
      });
    } else {
      const streamed = compressedBy(m) === 'stream' && m.compression !== 'none';
      method = `pg_restore ${tool.version} --clean --if-exists --single-transaction`;
      o.log(`Restoring ${m.file} with ${method} into '${target.database}'`);
      await execArgv(
        pgRollbackRestoreArgv(tool.binDir, target.database, streamed ? undefined : o.backupPath),
        {
          env,
          stdin: streamed ? openDecompressed(o.backupPath, m.compression) : undefined,
          stdout: 'ignore',
          timeoutMs: o.timeoutMs,
          label: 'pg_restore',
        },
      );
    }
    return { method, tables: (await countPgTables(client)).counts };
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------- MySQL / MariaDB

async function restoreMysql(
  o: RestoreOptions,
  target: ServerTarget,
): Promise<{ method: string; tables: Record<string, number> }> {
  const tool = findOnPath(['mariadb', 'mysql']);
  if (!tool)
    throw new UserError(
      'the mariadb/mysql client is needed; install mariadb-client or mysql-client.',
    );
  const name = tool.split('/').pop() ?? tool;
  const method = `${name} client (plain dump)`;
  o.log(`Restoring ${o.manifest.file} with ${method} into '${target.database}'`);
  await execArgv(mysqlClientArgv(tool, target, target.database, o.connectTimeoutMs), {
    env: mysqlEnv(target),
    stdin: openDecompressed(o.backupPath, o.manifest.compression),
    stdout: 'ignore',
    timeoutMs: o.timeoutMs,
    label: `${name} (restore)`,
  });
  const conn = await connectMysql(INPUT, target, target.database, o.connectTimeoutMs);
  try {
    return { method, tables: await countMysqlTables(conn, target.database) };
  } finally {
    await conn.end().catch(() => undefined);
  }
}

// ---------- SQLite

async function openSqlite(path: string): Promise<import('node:sqlite').DatabaseSync> {
  const { DatabaseSync } = await import('node:sqlite');
  return new DatabaseSync(path, { timeout: 10_000 });
}

function removeWithSidecars(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    rmSync(`${path}${suffix}`, { force: true });
}

/**
 * Builds the restored copy beside the database, checks it, then renames it over the
 * database file: readers see the old file or the new one, never half of each. The old
 * file's WAL is checkpointed and removed first, so it cannot be replayed onto the new file.
 */
async function restoreSqlite(
  o: RestoreOptions,
  target: SqliteTarget,
): Promise<{ method: string; tables: Record<string, number> }> {
  const m = o.manifest;
  const staging = sqliteStagingPath(target.path, randomSuffix());
  let method: string;
  try {
    if (m.format === 'plain') {
      const cli = findOnPath(['sqlite3']);
      if (!cli)
        throw new UserError(
          'restoring a sqlite .dump needs the sqlite3 command-line tool; install sqlite3.',
        );
      method = 'sqlite3 CLI (.dump loaded into a new file, renamed over the database)';
      await execArgv(sqliteLoadArgv(cli, staging), {
        stdin: openDecompressed(o.backupPath, m.compression),
        stdout: 'ignore',
        timeoutMs: o.timeoutMs,
        label: 'sqlite3 (restore)',
      });
    } else {
      method = 'snapshot copied beside the database and renamed over it';
      await pipeline(
        openDecompressed(o.backupPath, m.compression),
        createWriteStream(staging, { flags: 'wx' }),
      );
    }
    let tables: Record<string, number>;
    const copy = await openSqlite(staging);
    try {
      const rows = copy.prepare('PRAGMA integrity_check').all() as Array<{
        integrity_check: string;
      }>;
      const result = rows.map((r) => r.integrity_check).join('; ');
      if (result !== 'ok')
        throw new UserError(`PRAGMA integrity_check of the restored copy: ${result.slice(0, 300)}`);
      // the copy must not depend on a WAL file that the rename would leave behind
      copy.exec('PRAGMA journal_mode = DELETE');
      tables = countSqliteTables(copy);
    } finally {
      copy.close();
    }
    if (existsSync(target.path)) {
      try {
        const live = await openSqlite(target.path);
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
      for (const suffix of ['-wal', '-shm']) rmSync(`${target.path}${suffix}`, { force: true });
    }
    o.log(`Replacing ${target.path} with the restored copy of ${m.file}`);
    renameSync(staging, target.path);
    return { method, tables };
  } finally {
    removeWithSidecars(staging);
  }
}
