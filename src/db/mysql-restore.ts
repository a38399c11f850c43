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
import type { ServerTarget } from './url.js';

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
    await execArgv(mysqlClientArgv(tool, target, target.database, o.connectTimeoutMs), {
      env: mysqlEnv(target),
      stdin: openDecompressed(o.backupPath, o.manifest.compression),
      stdout: 'ignore',
      timeoutMs: o.timeoutMs,
      label: `${name} (restore)`,
    });
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
