import { formatDuration } from '../kit/durations.js';
import { UserError, errorMessage } from '../kit/errors.js';
import { redact } from '../kit/secrets.js';
import { formatSize } from '../kit/sizes.js';
import { takeBackup } from './adapters/backup.js';
import { runHealthGate } from './adapters/gate.js';
import { promoteImage } from './adapters/image.js';
import { migrationTool } from './adapters/migrations.js';
import { runSmoke } from './adapters/smoke.js';
import {
  databaseTarget,
  databaseUrl,
  factsEnv,
  interruption,
  type ReleaseContext,
} from './context.js';
import { runHook } from './hooks.js';
import type { ReleaseRecord, Stage } from './record.js';
import { rollBack } from './rollback.js';
import { runShell } from './shell.js';

/**
 * The release stage chain, in-process, on the same libraries as the six actions:
 * backup -> migrate -> deploy -> smoke -> gate. A stage that fails stops the chain; the
 * rollback policy then runs (automatic: true), and the `always` hook runs last whatever
 * happened. The layout and the record's contract: docs/architecture.md.
 */

export class StageFailed extends UserError {
  constructor(
    readonly stage: Stage,
    message: string,
  ) {
    super(message);
    this.name = 'StageFailed';
  }
}

export function newRecord(opts: {
  name: string;
  environment: string;
  ref: string;
  previousRef: string | null;
}): ReleaseRecord {
  return {
    version: 1,
    name: opts.name,
    environment: opts.environment,
    ref: opts.ref,
    previousRef: opts.previousRef,
    status: 'running',
    stages: [],
    hooks: [],
    startedAt: new Date().toISOString(),
  };
}

async function stage(
  ctx: ReleaseContext,
  name: Stage,
  title: string,
  body: () => Promise<string>,
): Promise<void> {
  // interrupted (the CLI's Ctrl-C): nothing further starts; the rollback policy runs
  const stopped = interruption(ctx);
  if (stopped) {
    ctx.record.failedStage ??= name;
    ctx.record.error ??= `interrupted (${stopped}) before ${name}`;
    ctx.persist(ctx.record);
    throw new StageFailed(name, `interrupted (${stopped}) before ${name}`);
  }
  const entry = { stage: name, status: 'running' as const };
  ctx.record.stages.push(entry);
  ctx.persist(ctx.record);
  ctx.reporter.stageStart(name, title);
  const started = Date.now();
  try {
    const detail = await body();
    Object.assign(entry, { status: 'passed', detail, durationMs: Date.now() - started });
    ctx.persist(ctx.record);
    ctx.reporter.stageEnd(name, 'passed', detail, Date.now() - started);
  } catch (err) {
    const why = redact(errorMessage(err)).replace(/\r?\n/g, ' ');
    const stoppedNow = interruption(ctx);
    const detail = stoppedNow ? `interrupted (${stoppedNow}): ${why}` : why;
    Object.assign(entry, { status: 'failed', detail, durationMs: Date.now() - started });
    ctx.record.failedStage = name;
    ctx.record.error = `${name}: ${detail}`;
    ctx.persist(ctx.record);
    ctx.reporter.stageEnd(name, 'failed', detail, Date.now() - started);
    throw new StageFailed(name, `${name} failed: ${detail}`);
  }
}

function skip(ctx: ReleaseContext, name: Stage, why: string): void {
  ctx.record.stages.push({ stage: name, status: 'skipped', detail: why, durationMs: 0 });
  ctx.reporter.stageEnd(name, 'skipped', why, 0);
}

async function backupStage(ctx: ReleaseContext): Promise<void> {
  const { book } = ctx;
  if (!book.backup) return skip(ctx, 'backup', 'no backup in the runbook');
  await stage(ctx, 'backup', 'backup the database', async () => {
    const target = databaseTarget(book, ctx.env)!;
    const r = await takeBackup({
      target,
      config: book.backup!,
      baseDir: book.dir,
      timeoutMs: book.timeoutMs,
      gitSha: ctx.env.GITHUB_SHA || null,
    });
    ctx.record.backup = {
      path: r.path,
      manifestPath: r.manifestPath,
      sha256: r.manifest.sha256,
      sizeBytes: r.manifest.size_bytes,
      tables: r.manifest.tables,
      checks: r.checks,
    };
    return `${r.manifest.file}, ${formatSize(r.manifest.size_bytes)}, ${Object.keys(r.manifest.tables).length} tables; ${r.checks.join('; ')}`;
  });
}

async function migrateStage(ctx: ReleaseContext): Promise<void> {
  const { book } = ctx;
  if (!(await runHook(ctx, 'before-migrate'))) {
    ctx.record.failedStage = 'migrate';
    ctx.record.error = 'the before-migrate hook failed';
    throw new StageFailed('migrate', 'the before-migrate hook failed');
  }
  if (!book.migrations) return skip(ctx, 'migrate', 'no migrations in the runbook');
  await stage(ctx, 'migrate', 'apply the migrations', async () => {
    const tool = migrationTool({
      config: book.migrations!,
      baseDir: book.dir,
      databaseUrl: databaseUrl(book, ctx.env),
      timeoutMs: book.timeoutMs,
      log: (l) => ctx.reporter.log(redact(l)),
      signal: ctx.signal,
    });
    // the state to go back to is recorded before anything is applied
    const before = await tool.status();
    ctx.record.migrations = { tool: tool.name, previous: before.state, applied: [] };
    ctx.persist(ctx.record);
    const r = await tool.apply();
    ctx.record.migrations.current = r.current;
    ctx.record.migrations.applied = r.applied.map((a) => a.name);
    return `${tool.name}: applied ${r.applied.length}${r.applied.length ? ` (${r.applied.map((a) => a.name).join(', ')})` : ''}; now ${JSON.stringify(r.current)}`;
  });
}

async function deployStage(ctx: ReleaseContext): Promise<void> {
  const { book, record } = ctx;
  await stage(ctx, 'deploy', `deploy ${record.ref}`, async () => {
    const parts: string[] = [];
    if (book.image) {
      const p = await promoteImage(book.image, record.ref);
      record.imageRef = p.imageRef;
      record.previousImageDigest = p.previousDigest;
      ctx.persist(record);
      parts.push(`${book.image.promoteTag} -> ${p.digest}`);
    }
    if (book.deploy) {
      const ms = await runShell(book.deploy, {
        cwd: book.dir,
        env: factsEnv(ctx),
        timeoutMs: book.timeoutMs,
        label: 'deploy',
        log: (l) => ctx.reporter.log(l),
        signal: ctx.signal,
      });
      parts.push(`deploy command ran in ${formatDuration(ms)} with RUNBOOK_REF=${record.ref}`);
    }
    return parts.join('; ');
  });
  if (!(await runHook(ctx, 'after-deploy'))) {
    ctx.record.failedStage = 'deploy';
    ctx.record.error = 'the after-deploy hook failed';
    throw new StageFailed('deploy', 'the after-deploy hook failed');
  }
}

async function smokeStage(ctx: ReleaseContext): Promise<void> {
  const { book } = ctx;
  if (!book.smoke) return skip(ctx, 'smoke', 'no smoke checks in the runbook');
  await stage(ctx, 'smoke', 'smoke test', async () => {
    const { report, baseUrl } = await runSmoke({
      config: book.smoke!,
      baseDir: book.dir,
      env: ctx.env,
      onResult: (r) =>
        ctx.reporter.log(
          `${r.outcome === 'passed' ? '✓' : r.outcome === 'failed' ? '✗' : '-'} ${r.name}: ${r.method} ${r.target}${r.status !== undefined ? ` -> ${r.status}` : ''}`,
        ),
    });
    ctx.record.smoke = {
      baseUrl,
      passed: report.passed,
      failed: report.failed,
      skipped: report.skipped,
      results: report.results.map((r) => ({
        name: r.name,
        outcome: r.outcome,
        status: r.status,
        durationMs: r.durationMs,
        error: r.outcome === 'passed' ? undefined : redact(r.failures.join('; ')),
      })),
    };
    const bad = report.results.filter((r) => r.outcome !== 'passed');
    if (bad.length > 0) {
      const first = bad[0];
      throw new UserError(
        `${report.failed} of ${report.total} checks failed${report.skipped ? `, ${report.skipped} skipped` : ''}: '${first.name}' ${first.failures.join('; ')}`,
      );
    }
    return `${report.passed} of ${report.total} checks passed`;
  });
}

async function gateStage(ctx: ReleaseContext): Promise<void> {
  const { book } = ctx;
  if (!book.gate) return skip(ctx, 'gate', 'no health-gate in the runbook');
  await stage(ctx, 'gate', `health gate for ${formatDuration(book.gate.durationMs)}`, async () => {
    const { run, figures } = await runHealthGate({
      config: book.gate!,
      env: ctx.env,
      log: (l) => ctx.reporter.log(l),
      signal: ctx.signal,
    });
    ctx.record.gate = {
      verdict: run.verdict.state === 'pass' ? 'pass' : 'fail',
      reason: run.verdict.reason,
      samples: figures.samples,
      successRatePercent: figures.successRatePercent,
      p95Ms: figures.p95 === undefined ? undefined : Math.round(figures.p95),
      elapsedMs: Math.round(run.elapsedMs),
    };
    if (run.verdict.state !== 'pass') throw new UserError(run.verdict.reason);
    return run.verdict.reason;
  });
}

/**
 * Runs the release. Resolves with the final record: status succeeded, rolled-back,
 * rollback-failed or failed (no automatic rollback). Only bugs reject.
 */
export async function release(ctx: ReleaseContext): Promise<ReleaseRecord> {
  const { record } = ctx;
  try {
    await backupStage(ctx);
    await migrateStage(ctx);
    await deployStage(ctx);
    await smokeStage(ctx);
    await gateStage(ctx);
    record.status = 'succeeded';
    ctx.persist(record);
  } catch (err) {
    if (!(err instanceof StageFailed) && !(err instanceof UserError)) throw err;
    record.status = 'failed';
    record.error ??= redact(errorMessage(err));
    ctx.persist(record);
    await runHook(ctx, 'on-failure');
    if (ctx.book.rollback.automatic) {
      await rollBack(ctx, `${record.failedStage ?? 'release'} failed`);
    } else {
      ctx.reporter.warn(
        'rollback.automatic is false: nothing was rolled back; run the rollback when ready.',
      );
    }
  } finally {
    await runHook(ctx, 'always');
    record.finishedAt = new Date().toISOString();
    ctx.persist(record);
  }
  return record;
}
