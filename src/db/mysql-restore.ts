import { UserError, errorMessage } from '../kit/errors.js';
import { ExecError, execArgv } from '../kit/exec.js';
import { openDecompressed, storedAsManifest, type StoredAs } from './compression.js';
import {
  RestoreStopped,
  checkAgainstManifest,
  tablesNotIn,
  type LiveRestoreOptions,
  type LiveRestoreResult,
} from './live-restore.js';
import { connect, countMysqlTables, findOnPath } from './mysql.js';
import { mysqlClientArgv, mysqlEnv } from './mysql-argv.js';
import type { Compression } from './manifest.js';
import type { ServerTarget } from './url.js';

/**
 * Loads a plain dump into `database` with the mariadb/mysql client: the one restore of a
 * MySQL/MariaDB backup, used by backup-db's restore check and by rollback.
 */
export async function loadMysqlDump(
  tool: string,
  server: ServerTarget,
  database: string,
  backup: { path: string; stored: Compression | StoredAs },
  o: { connectTimeoutMs: number; timeoutMs: number; label: string },
): Promise<void> {
  try {
    await execArgv(mysqlClientArgv(tool, server, database, o.connectTimeoutMs), {
      env: mysqlEnv(server),
      stdin: openDecompressed(backup.path, backup.stored),
      stdout: 'ignore',
      timeoutMs: o.timeoutMs,
      label: `${tool.split('/').pop() ?? tool} (${o.label})`,
    });
  } catch (err) {
    throw err instanceof ExecError ? new ExecError(withoutEchoedRows(err), err.result) : err;
  }
}

/**
 * The client's error without the statement it echoes before it: that statement is the dump's
 * INSERT, i.e. the database's rows, which do not belong in a log. Kept: its own lines
 * (`ERROR 2013 (HY000) at line 7022: Lost connection to server during query`, `mariadb: …`).
 */
function withoutEchoedRows(err: ExecError): string {
  const own = err.result.stderrTail.filter((l) => /^(ERROR\b|(mariadb|mysql)\S*:)/.test(l));
  const head = err.message.split(' Last output: ')[0];
  return own.length > 0 ? `${head} Last output: ${own.slice(-3).join(' | ')}` : head;
}

/**
 * The error of an in-place load that failed. A client error without `at line N` came before
 * any statement ran (connecting, logging in): the database is unchanged. Otherwise the dump
 * ran part-way, and without transactional DDL its tables up to there are already replaced.
 */
function inPlaceFailure(
  database: string,
  err: unknown,
  safety: LiveRestoreOptions['safetyBackup'],
): UserError {
  const cause = errorMessage(err).replace(/\.?$/, '.');
  const own =
    err instanceof ExecError ? err.result.stderrTail.filter((l) => /^ERROR\b/.test(l)) : [];
  if (own.length > 0 && !own.some((l) => / at line \d+/.test(l)))
    return new UserError(`${cause} '${database}' is unchanged (the restore did not start).`);
  return new UserError(
    `the restore of '${database}' stopped part-way: ${cause} MySQL/MariaDB restores in place and cannot undo DDL, so the tables before the failure are already replaced from the backup and the one being loaded is incomplete. ${
      safety
        ? `The safety backup ${safety.path} (sha256 ${safety.sha256}) holds the state before the rollback; re-run the rollback to complete it, or restore the safety backup to go back.`
        : 'No safety backup was taken before it; re-run the rollback to complete it.'
    }`,
  );
}

/**
 * Rollback's MySQL/MariaDB restore, in place: the client reads the plain dump, whose
 * `DROP TABLE IF EXISTS` before each table replaces it. MariaDB has no RENAME DATABASE and
 * neither engine has transactional DDL, so there is no swap: a failure part-way (a dropped
 * connection) leaves some tables restored, and its error says so and names the safety backup
 * that holds the state before. Tables the backup does not have are left as they are and
 * reported.
 */
export async function restoreMysqlInPlace(
  o: LiveRestoreOptions,
  target: ServerTarget,
): Promise<LiveRestoreResult> {
  const tool = findOnPath(['mariadb', 'mysql']);
  if (!tool)
    throw new UserError(
      'the mariadb/mysql client is needed; install mariadb-client or mysql-client.',
    );
  const name = tool.split('/').pop() ?? tool;
  const conn = await connect('database-url', target, target.database, o.connectTimeoutMs);
  conn.on('error', () => undefined);
  try {
    const before = await countMysqlTables(conn, target.database);
    const extraTables = tablesNotIn(o.manifest, Object.keys(before));
    if (o.stop.requested)
      throw new RestoreStopped(`stopped before the restore; '${target.database}' is unchanged.`);
    const method = `${name} client (plain dump, in place)`;
    o.log(`Restoring ${o.manifest.file} with ${method} into '${target.database}'`);
    try {
      await loadMysqlDump(
        tool,
        target,
        target.database,
        { path: o.backupPath, stored: storedAsManifest(o.manifest, o.decryptIdentities) },
        { connectTimeoutMs: o.connectTimeoutMs, timeoutMs: o.timeoutMs, label: 'restore' },
      );
    } catch (err) {
      throw inPlaceFailure(target.database, err, o.safetyBackup);
    }
    const tables = await countMysqlTables(conn, target.database);
    checkAgainstManifest(o.manifest, tables, true);
    return {
      method,
      how: 'in-place',
      tables,
      extraTables,
      extraTablesKeptIn: `database ${target.database} (left as they are)`,
      warnings: [],
    };
  } finally {
    await conn.end().catch(() => undefined);
  }
}
