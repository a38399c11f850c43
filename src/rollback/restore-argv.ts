import { pgRestoreArgv, psqlRestoreArgv } from '../db/postgres-argv.js';

/**
 * Pure argv builders for restoring a backup over the live database (rollback), next to the
 * ones backup-db uses for its scratch restore check. Connection settings go through the
 * environment (pgConnectionEnv, mysqlEnv), never argv.
 */

/**
 * pg_restore of a custom or directory archive over an existing database: every object of
 * the archive is dropped (if it exists) and recreated, all in one transaction, so a failure
 * leaves the database as it was. `path` undefined: the archive comes on stdin.
 */
export function pgRollbackRestoreArgv(
  binDir: string | undefined,
  database: string,
  path: string | undefined,
): string[] {
  const argv = pgRestoreArgv(binDir, database, undefined);
  argv.push('--clean', '--if-exists', '--single-transaction');
  if (path !== undefined) argv.push(path);
  return argv;
}

/** psql reading a plain dump on stdin, ON_ERROR_STOP, one transaction. */
export function psqlRollbackRestoreArgv(binDir: string | undefined, database: string): string[] {
  return psqlRestoreArgv(binDir, database);
}

/** A PostgreSQL string literal. */
function pgLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * SQL run before a plain dump, inside psql's single transaction: a plain pg_dump has no
 * DROP statements, so the schemas it creates are emptied first. Every schema the dump
 * names in CREATE SCHEMA is dropped with its contents; `public` (which pg_dump does not
 * usually create) is emptied and recreated. If the restore then fails, the transaction rolls all
 * of it back.
 */
export function plainCleanPreamble(schemas: readonly string[]): string {
  const list = [...new Set([...schemas, 'public'])].sort().map(pgLiteral).join(', ');
  // when the dump creates public itself, recreating it here would make that statement fail
  const recreatePublic = schemas.includes('public')
    ? []
    : ['  CREATE SCHEMA IF NOT EXISTS public;'];
  return [
    'SET client_min_messages = warning;',
    'DO $runbook$',
    'DECLARE s text;',
    'BEGIN',
    `  FOR s IN SELECT nspname FROM pg_namespace WHERE nspname IN (${list}) LOOP`,
    "    EXECUTE format('DROP SCHEMA %I CASCADE', s);",
    '  END LOOP;',
    ...recreatePublic,
    'END',
    '$runbook$;',
    '',
  ].join('\n');
}

/** The schemas a plain dump creates: `CREATE SCHEMA name;` lines (quoted names unquoted). */
export function schemasCreatedBy(line: string): string | undefined {
  const m = /^CREATE SCHEMA (?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*));/.exec(line);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2];
}

/** sqlite: the temporary file a restored copy is built in, beside the target (same file system). */
export function sqliteStagingPath(targetPath: string, suffix: string): string {
  const slash = targetPath.lastIndexOf('/');
  const dir = targetPath.slice(0, slash + 1);
  const base = targetPath.slice(slash + 1);
  return `${dir}.${base}.rollback-${suffix}`;
}
