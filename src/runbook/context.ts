import { parseDatabaseUrl, type DatabaseTarget } from '../db/url.js';
import { InputError } from '../kit/errors.js';
import { redact, registerUrlPassword } from '../kit/secrets.js';
import type { ReleaseRecord } from './record.js';
import type { Reporter } from './reporter.js';
import type { Runbook } from './types.js';

/** What every stage of a release (or a rollback) works with. */
export interface ReleaseContext {
  book: Runbook;
  record: ReleaseRecord;
  reporter: Reporter;
  env: NodeJS.ProcessEnv;
  /** called after every change of the record (state file, saveState) */
  persist: (record: ReleaseRecord) => void;
  /** a directory for downloads and scratch files */
  scratchDir: string;
  /**
   * Aborted when the release is interrupted (the CLI's first Ctrl-C): the stage in progress
   * stops (a migration transaction rolls back, a deploy command or probe is killed), no
   * further stage starts, and the rollback policy runs as after a failure. Never passed to
   * the rollback itself.
   */
  signal?: AbortSignal;
}

/** Why the release was interrupted (the signal's name), or undefined. */
export function interruption(ctx: Pick<ReleaseContext, 'signal'>): string | undefined {
  if (!ctx.signal?.aborted) return undefined;
  const r: unknown = ctx.signal.reason;
  return typeof r === 'string' ? r : 'interrupted';
}

/** The database URL from the variable the runbook names; never printed. */
export function databaseUrl(book: Runbook, env: NodeJS.ProcessEnv): string | undefined {
  if (!book.database) return undefined;
  const v = env[book.database.urlEnv];
  if (v === undefined || v.trim() === '')
    throw new InputError(
      'database.url-env',
      `the variable ${book.database.urlEnv} is not set or empty.`,
    );
  registerUrlPassword(v);
  return v;
}

export function databaseTarget(book: Runbook, env: NodeJS.ProcessEnv): DatabaseTarget | undefined {
  const url = databaseUrl(book, env);
  return url === undefined ? undefined : parseDatabaseUrl('database.url-env', url, book.dir);
}

/** RUNBOOK_* facts for the deploy command and the hooks. */
export function factsEnv(
  ctx: ReleaseContext,
  extra: Record<string, string> = {},
): Record<string, string> {
  const r = ctx.record;
  const out: Record<string, string> = {
    RUNBOOK_NAME: r.name,
    RUNBOOK_ENVIRONMENT: r.environment,
    RUNBOOK_REF: r.ref,
    RUNBOOK_PREVIOUS_REF: r.previousRef ?? '',
    RUNBOOK_STATUS: r.status,
    RUNBOOK_STAGE: r.stages.at(-1)?.stage ?? '',
    RUNBOOK_FAILED_STAGE: r.failedStage ?? '',
    RUNBOOK_ERROR: r.error ? redact(r.error) : '',
    RUNBOOK_BACKUP_PATH: r.backup?.path ?? '',
    RUNBOOK_BACKUP_MANIFEST: r.backup?.manifestPath ?? '',
    RUNBOOK_IMAGE_REF: r.imageRef ?? '',
  };
  return { ...out, ...extra };
}
