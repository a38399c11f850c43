import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../kit/errors.js';
import { createAlembicTool } from './alembic/tool.js';
import { createCommandTool } from './command/tool.js';
import { createDjangoTool } from './django/tool.js';
import { createPrismaTool, PRISMA_SCHEMA } from './prisma/tool.js';
import { createSqlTool } from './sql/runner.js';
import type {
  MigrationState,
  MigrationTool,
  RevertResult,
  ToolContext,
  ToolName,
} from './types.js';

export * from './types.js';
export { ApplyFailedError, MigrationCancelledError } from './errors.js';
export { LAYOUTS, type Layout } from './sql/layouts.js';
// the PostgreSQL linter (the parser itself loads only when lintSources runs)
export {
  DEFAULT_LINT,
  lintSources,
  parseLintRules,
  rankFindings,
  RULES as LINT_RULES,
  type LintConfig,
  type LintFinding,
  type LintSource,
} from './lint/index.js';
export { lintSourcesFor } from './lint/sources.js';
export { addTableContext } from './lint/context.js';
export { checkBackupGate, type BackupGateResult } from './backup-gate.js';
export { parseDatabaseUrl, type DatabaseTarget } from '../db/url.js';

/** `tool: auto`: alembic.ini -> alembic, manage.py -> django, prisma/schema.prisma -> prisma, else sql. */
export function detectTool(projectDir: string): Exclude<ToolName, 'command'> {
  if (existsSync(join(projectDir, 'alembic.ini'))) return 'alembic';
  if (existsSync(join(projectDir, 'manage.py'))) return 'django';
  if (existsSync(join(projectDir, PRISMA_SCHEMA))) return 'prisma';
  return 'sql';
}

export function createMigrationTool(name: ToolName, context: ToolContext): MigrationTool {
  const ctx: ToolContext = { ...context, toolName: name };
  switch (name) {
    case 'sql':
      return createSqlTool(ctx);
    case 'alembic':
      return createAlembicTool(ctx);
    case 'django':
      return createDjangoTool(ctx);
    case 'prisma':
      return createPrismaTool(ctx);
    case 'command':
      return createCommandTool(ctx);
  }
}

/** Parses a previous-state output (JSON text) for `revertTo`. */
export function parseStateText(text: string): MigrationState {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UserError(
      'previous-state is not valid JSON (use the previous-state output of migrate)',
    );
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new UserError(
      'previous-state must be a JSON object (the previous-state output of migrate)',
    );
  }
  return v as MigrationState;
}

/** rollback's entry point: bring the database back to `previous-state` with the same tool. */
export async function revertTo(
  name: ToolName,
  ctx: ToolContext,
  state: MigrationState | string,
): Promise<RevertResult> {
  const parsed = typeof state === 'string' ? parseStateText(state) : state;
  return createMigrationTool(name, ctx).revertTo(parsed);
}
