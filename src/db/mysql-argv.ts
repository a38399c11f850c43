import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import type { DumpPlan } from './engine.js';
import { mysqlTlsArgs, type MysqlToolFlavor } from './tls.js';
import type { ServerTarget } from './url.js';

/** Pure builders of the MySQL/MariaDB tools' argv and environment (unit-tested without a server). */

/** The password goes through MYSQL_PWD, never argv. */
export function mysqlEnv(target: ServerTarget): Record<string, string | undefined> {
  return {
    MYSQL_PWD: target.password || undefined,
    MYSQL_HOST: undefined,
    MYSQL_TCP_PORT: undefined,
  };
}

/**
 * MariaDB's tools (`mariadb`, `mariadb-dump`, and Debian's `mysql` links to them) or
 * Oracle's mysql 8 tools, which spell the TLS options differently: told by the file the
 * name resolves to.
 */
export function mysqlToolFlavor(tool: string): MysqlToolFlavor {
  let real = tool;
  try {
    real = realpathSync(tool);
  } catch {
    // not a path we can resolve (a bare name in tests): its own name decides
  }
  return /mariadb/i.test(basename(real)) ? 'mariadb' : 'mysql';
}

/**
 * Connection options shared by the dump and the client; `--no-defaults` keeps ~/.my.cnf out.
 * TLS options carry certificate paths only.
 */
export function mysqlConnectionArgs(
  target: ServerTarget,
  flavor: MysqlToolFlavor = 'mariadb',
): string[] {
  const args = [
    '--no-defaults',
    '--protocol=TCP',
    `--host=${target.host}`,
    `--port=${target.port}`,
  ];
  if (target.user) args.push(`--user=${target.user}`);
  args.push(...mysqlTlsArgs(target, flavor));
  return args;
}

/** mysqldump/mariadb-dump of one database as plain SQL, consistent through one transaction. */
export function mysqlDumpArgv(tool: string, target: ServerTarget, plan: DumpPlan): string[] {
  return [
    tool,
    // mysqldump has no connect timeout; the server already answered our own connection
    ...mysqlConnectionArgs(target, mysqlToolFlavor(tool)),
    '--single-transaction',
    '--quick',
    '--routines',
    '--triggers',
    '--hex-blob',
    '--no-tablespaces',
    '--default-character-set=utf8mb4',
    ...plan.extraArgs,
    target.database,
  ];
}

/** The client reading a plain dump from stdin into `database`. */
export function mysqlClientArgv(
  tool: string,
  target: ServerTarget,
  database: string,
  connectTimeoutMs: number,
): string[] {
  return [
    tool,
    ...mysqlConnectionArgs(target, mysqlToolFlavor(tool)),
    `--connect-timeout=${Math.max(1, Math.ceil(connectTimeoutMs / 1000))}`,
    '--batch',
    '--default-character-set=utf8mb4',
    database,
  ];
}

export const MYSQL_RESERVED = [
  '-r',
  '--result-file',
  '-B',
  '--databases',
  '-A',
  '--all-databases',
  '-p',
  '--password',
  '-h',
  '--host',
  '-P',
  '--port',
  '-u',
  '--user',
  '-S',
  '--socket',
  '--protocol',
  '-X',
  '--xml',
  '-T',
  '--tab',
  '--defaults-file',
  '--defaults-extra-file',
  '--no-defaults',
];

/** `mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, ...` -> `10.11.19-MariaDB`; mysqldump 8 -> `8.0.36`. */
export function parseMysqlToolVersion(text: string): string | undefined {
  const distrib = /Distrib\s+([^\s,]+)/.exec(text);
  if (distrib) return distrib[1];
  const ver = /Ver\s+([^\s,]+)/.exec(text);
  return ver ? ver[1] : undefined;
}

/** mysqldump's last line unless comments are switched off. */
export const MYSQL_DUMP_MARKER = '-- Dump completed';

export function mysqlDumpHasMarker(extraArgs: readonly string[]): boolean {
  return !extraArgs.some(
    (a) =>
      a === '--skip-comments' ||
      a === '--compact' ||
      a === '--comments=0' ||
      a === '--comments=false',
  );
}
