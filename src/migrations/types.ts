import { UserError } from '../kit/errors.js';
import type { DatabaseTarget } from '../db/url.js';

export const TOOL_NAMES = ['sql', 'alembic', 'django', 'prisma', 'command'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/**
 * A tool's migration state, as JSON, in the form the same tool reverts to:
 * sql `{"version": "0002" | null}`, alembic `{"revisions": [...]}`,
 * django `{"app": "migration" | "zero", ...}`, prisma `{"migrations": [...]}`,
 * command `{"status": "<status-command output>"}`.
 */
export type MigrationState = Record<string, unknown>;

/** A problem `check` found; any finding makes `check` (and `apply`) fail. */
export interface Finding {
  /** a stable code: duplicate-version, out-of-order, changed, down-without-up, multiple-heads, ... */
  code: string;
  message: string;
}

export interface ToolStatus {
  state: MigrationState;
  /** applied migrations, oldest first (when the tool can tell) */
  applied: string[];
  /** pending migrations in the order they would run, up to the latest */
  pending: string[];
}

export interface Plan extends ToolStatus {
  /** pending up to the requested target, in run order */
  toApply: string[];
  /** the SQL (or the tool's own description) of what apply would run */
  preview?: string;
}

export interface AppliedMigration {
  name: string;
  durationMs?: number;
}

export interface ApplyResult {
  previous: MigrationState;
  current: MigrationState;
  applied: AppliedMigration[];
  pending: string[];
  /** how long the run waited for the advisory lock */
  lockWaitedMs: number;
}

export interface RevertResult {
  previous: MigrationState;
  current: MigrationState;
  reverted: string[];
}

/** Everything a tool needs to run; built from the action's settings (or rollback's). */
export interface ToolContext {
  /** the project directory (working-directory) */
  cwd: string;
  /** undefined only for the command tool */
  database?: DatabaseTarget;
  /** how long apply/revert wait for the advisory lock */
  lockWaitMs: number;
  /** per tool run timeout */
  timeoutMs: number;
  /** sql */
  migrationsDir: string;
  migrationsTable: string;
  /** sql: the file layout (runbook, golang-migrate, flyway, dbmate); auto-detected when absent */
  sqlLayout?: 'auto' | 'runbook' | 'golang-migrate' | 'flyway' | 'dbmate';
  /**
   * aborted when the run is cancelled (SIGINT/SIGTERM): the sql tool interrupts the running
   * statement, rolls the current file back and stops; see actions/migrate/README.md
   */
  signal?: AbortSignal;
  /** alembic, django */
  python: string;
  djangoSettings?: string;
  /** command tool (and a prisma override) */
  command?: string;
  statusCommand?: string;
  downCommand?: string;
  /** which tool runs (set by createMigrationTool): DATABASE_URL is written in its convention */
  toolName?: ToolName;
  /** extra environment for child processes (DATABASE_URL is added by the tool) */
  env?: Record<string, string>;
  /** progress lines (core.info in the action) */
  log: (line: string) => void;
}

/** One module per tool behind this interface. */
export interface MigrationTool {
  readonly name: ToolName;
  /** the current state and pending migrations; changes nothing */
  status(): Promise<ToolStatus>;
  /** conflicts, multiple heads, gaps, edited files; changes nothing */
  check(): Promise<Finding[]>;
  /** what apply would do up to target (undefined: latest); changes nothing */
  plan(target?: string): Promise<Plan>;
  /** applies pending migrations up to target under the advisory lock; refuses when check fails */
  apply(target?: string): Promise<ApplyResult>;
  /** brings the database back to a state taken from previous-state */
  revertTo(state: MigrationState): Promise<RevertResult>;
}

/** apply and plan refuse to run when check finds a problem. */
export class CheckFailedError extends UserError {
  readonly findings: Finding[];
  constructor(findings: Finding[], what = 'check') {
    super(
      `${what} found ${findings.length} problem(s): ${findings.map((f) => f.message).join('; ')}`,
    );
    this.name = 'CheckFailedError';
    this.findings = findings;
  }
}
