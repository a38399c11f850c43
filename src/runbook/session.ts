import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDuration } from '../kit/durations.js';
import { InputError, UserError } from '../kit/errors.js';
import { migrationTool } from './adapters/migrations.js';
import { databaseUrl, type ReleaseContext } from './context.js';
import { runHook } from './hooks.js';
import type { ReleaseRecord } from './record.js';
import { newRecord, release } from './release.js';
import type { Reporter } from './reporter.js';
import { rollBack } from './rollback.js';
import { readState, statePath, writeState } from './state.js';
import type { Runbook } from './types.js';

/**
 * One run of a runbook in one of its modes, shared by the root action and the CLI.
 * Exit codes (documented in docs/runbook.md): 0 done, 1 the release failed and was rolled
 * back, 2 bad input (nothing ran), 3 the rollback failed or was impossible, 4 the release
 * failed and rollback.automatic is false.
 */
export const EXIT = {
  ok: 0,
  rolledBack: 1,
  badInput: 2,
  rollbackFailed: 3,
  failedNoRollback: 4,
  interrupted: 130,
} as const;

export type Mode = 'release' | 'plan' | 'rollback';

export interface SessionOptions {
  book: Runbook;
  mode: Mode;
  /** the release ref (commit sha or tag; for an image, a tag or digest of image.name) */
  ref?: string;
  /** used when the state file records nothing live (the first release) */
  previousRef?: string;
  reporter: Reporter;
  env: NodeJS.ProcessEnv;
  /** every change of the record, after the state file was written */
  onRecord?: (record: ReleaseRecord) => void;
  /** interrupts a release: the stage stops and the rollback policy runs (ReleaseContext.signal) */
  signal?: AbortSignal;
}

export interface SessionResult {
  exitCode: number;
  record?: ReleaseRecord;
  plan?: string[];
}

export function exitCodeOf(record: ReleaseRecord): number {
  switch (record.status) {
    case 'succeeded':
      return EXIT.ok;
    case 'rolled-back':
      return EXIT.rolledBack;
    case 'failed':
    case 'cancelled':
      return EXIT.failedNoRollback;
    default:
      return EXIT.rollbackFailed;
  }
}

/**
 * Writes a record to the state file. A rolled-back release leaves the previous ref live (a
 * manual rollback of a good release too); a succeeded one makes its ref live.
 */
export function recordPersister(
  book: Runbook,
  onRecord?: (record: ReleaseRecord) => void,
): (r: ReleaseRecord) => void {
  return (r) => {
    const state = readState(book);
    const at = r.finishedAt ?? new Date().toISOString();
    const live =
      r.status === 'succeeded'
        ? { ref: r.ref, imageRef: r.imageRef, releasedAt: at }
        : r.status === 'rolled-back' && r.previousRef
          ? { ref: r.previousRef, releasedAt: at }
          : state.live;
    writeState(book, { live, last: r });
    onRecord?.(r);
  };
}

function context(o: SessionOptions, record: ReleaseRecord, scratchDir: string): ReleaseContext {
  return {
    book: o.book,
    record,
    reporter: o.reporter,
    env: o.env,
    scratchDir,
    persist: recordPersister(o.book, o.onRecord),
    signal: o.signal,
  };
}

export async function runSession(o: SessionOptions): Promise<SessionResult> {
  if (o.mode === 'plan') return { exitCode: EXIT.ok, plan: await plan(o) };
  const scratch = mkdtempSync(join(o.env.RUNNER_TEMP || tmpdir(), 'runbook-'));
  try {
    if (o.mode === 'rollback') return await rollbackMode(o, scratch);
    const ref = o.ref;
    if (!ref)
      throw new InputError(
        'ref',
        'the release ref is required (--ref, or GITHUB_SHA in a workflow).',
      );
    // variables are checked before the first stage changes anything
    databaseUrl(o.book, o.env);
    const state = readState(o.book);
    const previousRef = state.live?.ref ?? o.previousRef ?? null;
    const record = newRecord({
      name: o.book.name,
      environment: o.book.environment,
      ref,
      previousRef,
    });
    const ctx = context(o, record, scratch);
    ctx.persist(record);
    await release(ctx);
    return { exitCode: exitCodeOf(record), record };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function rollbackMode(o: SessionOptions, scratch: string): Promise<SessionResult> {
  const last = readState(o.book).last;
  if (!last)
    throw new UserError(
      `no release is recorded in ${statePath(o.book)}; there is nothing to roll back.`,
    );
  if (last.status === 'rolled-back')
    throw new UserError(`the last release (${last.ref}) was already rolled back.`);
  // a rollback is never interrupted half-way by the release's signal
  const ctx = { ...context(o, last, scratch), signal: undefined };
  return await resumeRollback(ctx, 'rollback requested');
}

/** Rolls back a recorded release (the CLI's rollback, the root action's post step). */
export async function resumeRollback(ctx: ReleaseContext, trigger: string): Promise<SessionResult> {
  ctx.record.error ??= trigger;
  const ok = await rollBack(ctx, trigger);
  await runHook(ctx, 'always');
  ctx.record.finishedAt = new Date().toISOString();
  ctx.persist(ctx.record);
  return { exitCode: ok ? EXIT.ok : EXIT.rollbackFailed, record: ctx.record };
}

/** What a release would do, read-only (pending migrations are asked from the tool). */
async function plan(o: SessionOptions): Promise<string[]> {
  const b = o.book;
  const state = readState(b);
  const lines: string[] = [];
  const previous = state.live?.ref ?? o.previousRef;
  lines.push(
    `release ${o.ref ?? '(ref not given)'} to ${b.environment}; live now: ${previous ?? 'unknown'}`,
  );
  if (b.backup)
    lines.push(
      `backup: ${b.backup.format} ${b.backup.compression}, verify ${b.backup.verify}, into ${b.backup.outputDir}`,
    );
  if (b.hooks['before-migrate']) lines.push('hook before-migrate');
  if (b.migrations) {
    const tool = migrationTool({
      config: b.migrations,
      baseDir: b.dir,
      databaseUrl: databaseUrl(b, o.env),
      timeoutMs: b.timeoutMs,
      log: () => undefined,
    });
    const p = await tool.plan();
    lines.push(
      `migrate: ${tool.name}, ${p.toApply.length} to apply${p.toApply.length ? `: ${p.toApply.join(', ')}` : ''}`,
    );
  }
  if (b.image)
    lines.push(
      `image: promote ${b.image.name}:${o.ref ?? '<ref>'} to ${b.image.promoteTag} (previous kept on ${b.image.previousTag})`,
    );
  if (b.deploy) lines.push(`deploy: run the deploy command with RUNBOOK_REF=${o.ref ?? '<ref>'}`);
  if (b.hooks['after-deploy']) lines.push('hook after-deploy');
  if (b.smoke) lines.push(`smoke: ${b.smoke.checks} against ${b.smoke.baseUrl}`);
  if (b.gate)
    lines.push(
      `gate: ${b.gate.probes.length} probe(s) for ${formatDuration(b.gate.durationMs)} every ${formatDuration(b.gate.intervalMs)}, success-rate ${b.gate.successRate}`,
    );
  lines.push(
    `on failure: ${b.rollback.automatic ? `roll back ${b.rollback.parts.join(', ')} automatically` : 'stop; roll back by hand'}`,
  );
  return lines;
}
