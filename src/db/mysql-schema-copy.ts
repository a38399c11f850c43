import type { Connection } from 'mysql2/promise';
import { errorMessage } from '../kit/errors.js';
import { ExecError, execArgv } from '../kit/exec.js';
import { redact } from '../kit/secrets.js';
import { connectMysql } from './connection.js';
import { mysqlClientArgv, mysqlConnectionArgs, mysqlEnv, mysqlToolFlavor } from './mysql-argv.js';
import { findOnPath } from './mysql.js';
import {
  copyName,
  urlWithDatabase,
  type SchemaCopy,
  type SchemaCopyOptions,
} from './postgres-schema-copy.js';
import type { ServerTarget } from './url.js';

/**
 * The MySQL/MariaDB counterpart of postgres-schema-copy.ts: a scratch database on the same
 * server with the live one's character set and collation, its tables, views, routines and
 * triggers (mysqldump --no-data) and the rows of the migration tools' tracking tables.
 * DEFINER clauses are left out, so the objects belong to the user running the dry run (who
 * may not be allowed to name another definer). Events are not copied: they would run.
 */

const ident = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

/** `DEFINER=`user`@`host`` as mysqldump writes it (also inside version comments). */
const DEFINER = /DEFINER=`(?:[^`]|``)*`@`(?:[^`]|``)*`/g;

async function gone(conn: Connection, name: string): Promise<boolean> {
  const [rows] = await conn.query(
    'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [name],
  );
  return (rows as unknown[]).length === 0;
}

/** The first line of a tool's failure that says what went wrong. */
function firstError(lines: readonly string[], err: unknown): string {
  const line = lines.find((l) => /\bERROR\b|error:/i.test(l)) ?? lines.find((l) => l.trim());
  return redact(line?.trim() ?? errorMessage(err));
}

class CopyFailed extends Error {}

/** Makes the copy, or returns why it cannot be made; nothing is left behind in that case. */
export async function copyMysqlSchema(
  live: ServerTarget,
  opts: SchemaCopyOptions,
): Promise<SchemaCopy | string> {
  const dumpTool = findOnPath(['mariadb-dump', 'mysqldump']);
  const clientTool = findOnPath(['mariadb', 'mysql']);
  if (!dumpTool || !clientTool)
    return 'mariadb-dump/mysqldump and the mariadb/mysql client are needed for the dry run';
  const admin = await connectMysql('database-url', live, live.database, opts.connectTimeoutMs);
  let name: string | undefined;
  let handedOver = false;
  const drop = async (): Promise<boolean> => {
    try {
      if (name === undefined) return true;
      await admin.query(`DROP DATABASE IF EXISTS ${ident(name)}`);
      return await gone(admin, name);
    } finally {
      await admin.end().catch(() => undefined);
    }
  };
  const run = async (label: string, argv: string[], stdin?: string): Promise<string> => {
    const lines: string[] = [];
    try {
      const r = await execArgv(argv, {
        env: mysqlEnv(live),
        stdin,
        stdout: 'capture',
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        label,
        onStderrLine: (l) => lines.push(l),
      });
      return r.stdout;
    } catch (err) {
      if (err instanceof ExecError && !opts.signal?.aborted)
        throw new CopyFailed(`${label} failed: ${firstError(lines, err)}`);
      throw err;
    }
  };
  try {
    const [rows] = await admin.query(
      `SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co
       FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`,
      [live.database],
    );
    const props = (rows as Array<{ cs: string; co: string }>)[0];
    // names from the server's own catalog, checked all the same before they go into SQL
    const charset = [props.cs, props.co].every((x) => /^\w+$/.test(x))
      ? ` CHARACTER SET ${props.cs} COLLATE ${props.co}`
      : '';
    const [found] = await admin.query(
      `SELECT TABLE_NAME AS t FROM information_schema.TABLES
       WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME IN (?)`,
      [live.database, opts.trackingTables],
    );
    const tracking = [...new Set((found as Array<{ t: string }>).map((r) => r.t))];

    const wanted = copyName(live.database);
    try {
      await admin.query(`CREATE DATABASE ${ident(wanted)}${charset}`);
    } catch (err) {
      const e = err as { errno?: number };
      // 1044: access denied to the database name
      if (e.errno === 1044)
        return `the database user cannot create the database '${wanted}' (CREATE privilege on it), which the dry run needs`;
      throw err;
    }
    name = wanted;
    opts.log(`dry run: copying the schema of '${live.database}' into '${name}'`);
    const flavor = mysqlToolFlavor(dumpTool);
    const dumpArgs = [
      dumpTool,
      ...mysqlConnectionArgs(live, flavor),
      '--single-transaction',
      '--no-tablespaces',
      '--skip-comments',
      '--default-character-set=utf8mb4',
      ...(flavor === 'mysql' ? ['--set-gtid-purged=OFF'] : []),
    ];
    const schema = await run('mysqldump --no-data', [
      ...dumpArgs,
      '--no-data',
      '--routines',
      '--triggers',
      '--skip-events',
      live.database,
    ]);
    const data = tracking.length
      ? await run('mysqldump --no-create-info', [
          ...dumpArgs,
          '--no-create-info',
          '--skip-triggers',
          live.database,
          ...tracking,
        ])
      : '';
    const copy: ServerTarget = { ...live, database: name, url: urlWithDatabase(live.url, name) };
    await run(
      'mysql (loading the copy)',
      mysqlClientArgv(clientTool, live, name, opts.connectTimeoutMs),
      `${schema.replace(DEFINER, '')}\n${data}`,
    );
    handedOver = true;
    return { target: copy, drop };
  } catch (err) {
    if (err instanceof CopyFailed) return err.message;
    throw err;
  } finally {
    if (!handedOver) {
      const ok = await drop().catch(() => false);
      if (!ok) opts.log(`could not drop the scratch database '${name}'; drop it by hand`);
    }
  }
}
