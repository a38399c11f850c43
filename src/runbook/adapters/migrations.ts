import { resolve } from 'node:path';
import {
  createMigrationTool,
  detectTool,
  parseDatabaseUrl,
  type MigrationTool,
  type ToolName,
} from '../../migrations/index.js';
import type { MigrationsConfig } from '../types.js';

/** The one place the runbook calls migrate's library (src/migrations/index.ts). */
export function migrationTool(opts: {
  config: MigrationsConfig;
  baseDir: string;
  databaseUrl: string | undefined;
  timeoutMs: number;
  log: (line: string) => void;
  /** stops a migration in progress (its transaction rolls back) */
  signal?: AbortSignal;
}): MigrationTool {
  const c = opts.config;
  const cwd = resolve(opts.baseDir, c.workingDirectory);
  const name: ToolName = c.tool === 'auto' ? detectTool(cwd) : c.tool;
  return createMigrationTool(name, {
    cwd,
    database: opts.databaseUrl
      ? parseDatabaseUrl('database.url-env', opts.databaseUrl, opts.baseDir)
      : undefined,
    lockWaitMs: c.lockWaitMs,
    timeoutMs: opts.timeoutMs,
    migrationsDir: resolve(cwd, c.dir),
    migrationsTable: c.table,
    python: c.python,
    djangoSettings: c.djangoSettings,
    command: c.command,
    statusCommand: c.statusCommand,
    downCommand: c.downCommand,
    log: opts.log,
    signal: opts.signal,
  });
}
