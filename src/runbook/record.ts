/**
 * The release record: the facts of one release, written to the state file after every
 * stage (and kept with saveState by the root action), so a cancelled or failed release can
 * be rolled back by a later process. Contract: docs/architecture.md.
 */

export const STAGES = ['backup', 'migrate', 'deploy', 'smoke', 'gate'] as const;
export type Stage = (typeof STAGES)[number];

export type StageStatus = 'passed' | 'failed' | 'skipped' | 'running';
export type ReleaseStatus =
  'running' | 'succeeded' | 'failed' | 'rolled-back' | 'rollback-failed' | 'cancelled';

export interface StageRecord {
  stage: Stage | 'rollback';
  status: StageStatus;
  durationMs?: number;
  /** one line: what the stage did or why it failed */
  detail?: string;
}

export interface RollbackStep {
  part: 'deploy' | 'migrations' | 'database';
  status: 'done' | 'failed' | 'skipped';
  detail: string;
  durationMs: number;
}

export interface ReleaseRecord {
  version: 1;
  name: string;
  environment: string;
  ref: string;
  /** the ref live before this release; rollback re-deploys it */
  previousRef: string | null;
  imageRef?: string;
  /** the image digest live before (promote-tag's digest) */
  previousImageDigest?: string;
  status: ReleaseStatus;
  stages: StageRecord[];
  failedStage?: Stage;
  error?: string;
  backup?: {
    path: string;
    manifestPath: string;
    sha256: string;
    sizeBytes: number;
    tables: Record<string, number>;
    checks: string[];
  };
  migrations?: {
    tool: string;
    previous: Record<string, unknown>;
    current?: Record<string, unknown>;
    applied: string[];
  };
  smoke?: {
    baseUrl: string;
    passed: number;
    failed: number;
    skipped: number;
    results: Array<{
      name: string;
      outcome: string;
      status?: number;
      durationMs: number;
      error?: string;
    }>;
  };
  gate?: {
    verdict: string;
    reason: string;
    samples: number;
    successRatePercent?: number;
    p95Ms?: number;
    elapsedMs: number;
  };
  rollback?: {
    trigger: string;
    steps: RollbackStep[];
    restoredTables?: Array<[string, number | undefined, number | undefined]>;
  };
  hooks: Array<{ hook: string; ok: boolean; durationMs: number }>;
  startedAt: string;
  finishedAt?: string;
}

/** What the state file of one environment holds. */
export interface EnvironmentState {
  live?: { ref: string; imageRef?: string; releasedAt: string };
  last?: ReleaseRecord;
}
