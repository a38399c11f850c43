import { UserError } from '../kit/errors.js';
import { execArgv } from '../kit/exec.js';
import { openDecompressed } from './compression.js';
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
  backup: { path: string; compression: Compression },
  o: { connectTimeoutMs: number; timeoutMs: number; label: string },
): Promise<void> {
  await execArgv(mysqlClientArgv(tool, server, database, o.connectTimeoutMs), {
    env: mysqlEnv(server),
    stdin: openDecompressed(backup.path, backup.compression),
    stdout: 'ignore',
    timeoutMs: o.timeoutMs,
    label: `${tool.split('/').pop() ?? tool} (${o.label})`,
  });
}

/**
 * Rollback's MySQL/MariaDB restore, in place: the client reads the plain dump, whose
 * `DROP TABLE IF EXISTS` before each table replaces it. MariaDB has no RENAME DATABASE and
 * neither engine has transactional DDL, so there is no swap: a failure part-way leaves some
 * tables restored (the safety backup holds the state before). Tables the backup does not
 * have are left as they are and reported.
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
    await loadMysqlDump(
      tool,
      target,
      target.database,
      { path: o.backupPath, compression: o.manifest.compression },
      { connectTimeoutMs: o.connectTimeoutMs, timeoutMs: o.timeoutMs, label: 'restore' },
    );
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
