import { resolve } from 'node:path';
import { InputError } from '../../kit/errors.js';
import { getBoolean, getDuration, getEnum, getString } from '../../kit/inputs.js';
import { registerUrlPassword } from '../../kit/secrets.js';
import type { DatabaseTarget } from '../../db/url.js';
import { readConnectTimeout, readTlsInputs } from '../shared/database-settings.js';
import { readMigrationTool, readMigrationToolPlace } from '../shared/migration-tool-settings.js';
import type { ToolName } from '../../migrations/types.js';
import { LAYOUTS, type Layout } from '../../migrations/sql/layouts.js';
import { parseLintRules, type LintConfig } from '../../migrations/lint/index.js';
import { getYaml } from '../../kit/yaml-input.js';
import { parseExpectSchema, type SchemaExpectation } from '../../migrations/expect-schema.js';

export const MODES = ['apply', 'plan', 'status', 'check'] as const;
export type Mode = (typeof MODES)[number];

/** Every input of the migrate action, read and checked once, before any side effect. */
export interface MigrateSettings {
  tool: ToolName;
  /** the tool was detected (tool: auto) */
  detected: boolean;
  mode: Mode;
  database?: DatabaseTarget;
  target?: string;
  workingDirectory: string;
  migrationsDir: string;
  migrationsTable: string;
  python: string;
  djangoSettings?: string;
  command?: string;
  statusCommand?: string;
  downCommand?: string;
  lockWaitMs: number;
  /** connect-timeout: every connection to the database (lock, sql runner, PGCONNECT_TIMEOUT) */
  connectTimeoutMs: number;
  timeoutMs: number;
  backupManifest?: string;
  requireBackup: boolean;
  maxBackupAgeMs: number;
  runnerTemp: string;
  /** sql file layout and the linter (see readSqlSettings) */
  sql: SqlSettings;
  /** tables and columns checked after apply */
  expectSchema?: SchemaExpectation;
}

/** The sql tool's layout and the PostgreSQL linter's inputs, read in one block. */
export interface SqlSettings {
  layout: Layout | 'auto';
  /** the PostgreSQL linter (check and plan) */
  lint: LintConfig;
}

function readSqlSettings(): SqlSettings {
  const layout = getEnum('layout', ['auto', ...LAYOUTS] as const, { default: 'auto' });
  const mode = getEnum('lint', ['error', 'warning', 'off'] as const, { default: 'error' });
  const rules = parseLintRules(getString('lint-rules'));
  if (typeof rules === 'string') throw new InputError('lint-rules', `${rules}.`);
  return { layout, lint: { mode, rules } };
}

function optional(name: string): string | undefined {
  const v = getString(name);
  return v === '' ? undefined : v;
}

export function readSettings(): MigrateSettings {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  // the URL's password is masked before any input error can print anything
  registerUrlPassword(getString('database-url'));
  const { tool, detected, workingDirectory } = readMigrationTool(workspace);
  const mode = getEnum('mode', MODES, { default: 'apply' });
  const lockWaitMs = getDuration('lock-wait', { default: '60s', allowZero: true });
  const timeoutMs = getDuration('timeout', { default: '30m' });
  const maxBackupAgeMs = getDuration('max-backup-age', { default: '6h' });
  const requireBackup = getBoolean('require-backup', { default: true });

  const urlText = getString('database-url');
  const connectTimeoutMs = readConnectTimeout();
  const { database, migrationsDir, migrationsTable } = readMigrationToolPlace(
    tool,
    workingDirectory,
    urlText,
    { tls: readTlsInputs(workspace), connectTimeoutMs },
  );
  const command = optional('command');
  if (tool === 'command' && mode === 'apply' && !command) {
    throw new InputError('command', 'is required with tool: command and mode: apply.');
  }
  const sql = readSqlSettings();
  const expectSchema = readExpectSchema(database);
  const manifest = optional('backup-manifest');
  const target = optional('target');
  if (target !== undefined && !/^[A-Za-z0-9_.:@+-]+$/.test(target)) {
    throw new InputError('target', `'${target}' is not a migration name, version or revision.`);
  }
  return {
    tool,
    detected,
    mode,
    database,
    target,
    workingDirectory,
    migrationsDir,
    migrationsTable,
    python: getString('python', { default: 'python3' }),
    djangoSettings: optional('django-settings'),
    command,
    statusCommand: optional('status-command'),
    downCommand: optional('down-command'),
    lockWaitMs,
    connectTimeoutMs,
    timeoutMs,
    backupManifest: manifest === undefined ? undefined : resolve(workspace, manifest),
    requireBackup,
    maxBackupAgeMs,
    runnerTemp: process.env.RUNNER_TEMP || workingDirectory,
    sql,
    expectSchema,
  };
}

function readExpectSchema(database: DatabaseTarget | undefined): SchemaExpectation | undefined {
  const value = getYaml('expect-schema');
  if (value === undefined) return undefined;
  const parsed = parseExpectSchema(value);
  if (typeof parsed === 'string') throw new InputError('expect-schema', `${parsed}.`);
  if (!database) throw new InputError('expect-schema', 'needs database-url to read the schema.');
  return parsed;
}
