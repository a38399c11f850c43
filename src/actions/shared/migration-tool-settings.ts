import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../kit/errors.js';
import { getEnum, getString } from '../../kit/inputs.js';
import { detectTool } from '../../migrations/index.js';
import type { DatabaseTarget } from '../../db/url.js';
import type { TlsSettings } from '../../db/tls.js';
import { readDatabaseTarget } from './database-settings.js';
import { TABLE_NAME } from '../../migrations/sql/driver.js';
import { TOOL_NAMES, type ToolName } from '../../migrations/types.js';

/**
 * `tool` and `working-directory`: the directory must exist, and `tool: auto` is detected
 * from what it holds. Shared by migrate and rollback.
 */
export function readMigrationTool(workspace: string): {
  tool: ToolName;
  detected: boolean;
  workingDirectory: string;
} {
  const toolInput = getEnum('tool', ['auto', ...TOOL_NAMES] as const, { default: 'auto' });
  const wdInput = getString('working-directory', { default: '.' });
  const workingDirectory = resolve(workspace, wdInput);
  if (!existsSync(workingDirectory) || !statSync(workingDirectory).isDirectory()) {
    throw new InputError(
      'working-directory',
      `'${wdInput}' is not a directory (resolved to ${workingDirectory}).`,
    );
  }
  const detected = toolInput === 'auto';
  const tool: ToolName = detected ? detectTool(workingDirectory) : toolInput;
  return { tool, detected, workingDirectory };
}

/** Where a migration tool works: the database and its files. Shared by migrate and rollback. */
export interface MigrationToolPlace {
  database?: DatabaseTarget;
  migrationsDir: string;
  migrationsTable: string;
}

/**
 * Reads `database-url`, `migrations-dir` and `migrations-table` for `tool` and checks that
 * the tool's files are where it will look (the sql directory, alembic.ini, manage.py).
 * A relative sqlite path is relative to the working directory; `connection` carries
 * connect-timeout and the TLS certificate inputs.
 */
export function readMigrationToolPlace(
  tool: ToolName,
  workingDirectory: string,
  urlText: string,
  connection: { tls: TlsSettings; connectTimeoutMs: number },
): MigrationToolPlace {
  let database: DatabaseTarget | undefined;
  if (urlText !== '')
    database = readDatabaseTarget(
      'database-url',
      urlText,
      workingDirectory,
      connection.tls,
      connection.connectTimeoutMs,
    );
  else if (tool !== 'command') {
    throw new InputError('database-url', `is required for the ${tool} tool.`);
  }

  const migrationsDir = getString('migrations-dir', { default: 'migrations' });
  const migrationsTable = getString('migrations-table', { default: 'schema_migrations' });
  if (
    !TABLE_NAME.test(migrationsTable) ||
    (database?.engine !== 'postgres' && migrationsTable.includes('.'))
  ) {
    throw new InputError(
      'migrations-table',
      `'${migrationsTable}' is not a table name; use letters, digits and _ (schema.table on PostgreSQL).`,
    );
  }
  if (tool === 'sql') {
    const dir = resolve(workingDirectory, migrationsDir);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new InputError(
        'migrations-dir',
        `directory '${migrationsDir}' does not exist in ${workingDirectory}.`,
      );
    }
  }
  const marker: Partial<Record<ToolName, string>> = { alembic: 'alembic.ini', django: 'manage.py' };
  const needs = marker[tool];
  if (needs && !existsSync(join(workingDirectory, needs))) {
    throw new InputError(
      'working-directory',
      `has no ${needs}, which the ${tool} tool needs (${workingDirectory}).`,
    );
  }
  return { database, migrationsDir, migrationsTable };
}
