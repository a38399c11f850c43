/**
 * A runbook.yml after validation: the release of one service as data. The layout and the
 * contracts of the stage chain are described in docs/architecture.md; every key in
 * docs/runbook.md.
 */

export const ROLLBACK_PARTS = ['deploy', 'migrations', 'database'] as const;
export type RollbackPart = (typeof ROLLBACK_PARTS)[number];

export const HOOK_NAMES = [
  'before-migrate',
  'after-deploy',
  'always',
  'on-failure',
  'on-rollback',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export const BACKUP_FORMATS = ['auto', 'custom', 'plain', 'directory'] as const;
export const VERIFY_LEVELS = ['list', 'checksum', 'restore'] as const;
export const MIGRATION_TOOLS = ['auto', 'sql', 'alembic', 'django', 'prisma', 'command'] as const;

export interface DatabaseConfig {
  /** the environment variable holding the database URL (never the URL itself) */
  urlEnv: string;
}

export interface BackupConfig {
  format: (typeof BACKUP_FORMATS)[number];
  compression: 'auto' | 'gzip' | 'zstd' | 'none';
  verify: (typeof VERIFY_LEVELS)[number];
  /** an age recipient; the backup is encrypted to it */
  encryptTo?: string;
  /** relative to the runbook's directory */
  outputDir: string;
}

export interface MigrationsConfig {
  tool: (typeof MIGRATION_TOOLS)[number];
  /** the project directory, relative to the runbook's directory */
  workingDirectory: string;
  /** sql: the directory of the migration files, relative to working-directory */
  dir: string;
  table: string;
  lockWaitMs: number;
  python: string;
  djangoSettings?: string;
  command?: string;
  statusCommand?: string;
  downCommand?: string;
}

export interface ImageConfig {
  /** registry/repository, without tag */
  name: string;
  /** the tag the release moves to the new image */
  promoteTag: string;
  /** the tag that keeps the image live before */
  previousTag: string;
  insecure: boolean;
}

export interface SmokeConfig {
  /** the checks file, relative to the runbook's directory */
  checks: string;
  /** `${NAME}` is replaced from the environment when the release runs */
  baseUrl: string;
  timeoutMs: number;
  retries: number;
  waitForReadyMs: number;
}

export interface GateConfig {
  /** the probes as written (a list), parsed by the health gate's own parser at run time */
  probes: unknown[];
  /** the line of `probes`, for errors found when the probes are parsed */
  probesLine?: number;
  durationMs: number;
  intervalMs: number;
  successRate: string;
  maxP95Ms?: number;
  maxConsecutiveFailures: number;
  minSamples: number;
}

export interface RollbackPolicy {
  automatic: boolean;
  parts: RollbackPart[];
}

export interface Runbook {
  /** absolute path of the file */
  file: string;
  /** the directory paths are relative to */
  dir: string;
  name: string;
  environment: string;
  database?: DatabaseConfig;
  backup?: BackupConfig;
  migrations?: MigrationsConfig;
  image?: ImageConfig;
  deploy?: string;
  smoke?: SmokeConfig;
  gate?: GateConfig;
  hooks: Partial<Record<HookName, string>>;
  rollback: RollbackPolicy;
  /** relative to dir */
  stateDir: string;
  timeoutMs: number;
  environments: string[];
}
