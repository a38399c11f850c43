import * as core from '@actions/core';
import { UserError, errorMessage } from '../../kit/errors.js';
import { formatDuration } from '../../kit/durations.js';
import { runAction, setOutput } from '../../kit/run-action.js';
import { redact } from '../../kit/secrets.js';
import { flush } from '../../kit/summary.js';
import { describeTarget } from '../../db/url.js';
import {
  ApplyFailedError,
  CheckFailedError,
  checkBackupGate,
  createMigrationTool,
  type ApplyResult,
  type ToolContext,
} from '../../migrations/index.js';
import { readSettings, type MigrateSettings } from './settings.js';
import { writePlanFile, writeSummary, type SummaryData } from './report.js';
import { checkSchema, dryRunSchema } from './schema-step.js';
import { schemaFailureLine } from '../../migrations/expect-schema.js';
import { lintFailure, lintPlan, lintSkipped, lintSkipReason } from './lint-step.js';

function toolContext(s: MigrateSettings, signal: AbortSignal | undefined): ToolContext {
  return {
    sqlLayout: s.sql.layout,
    signal,
    cwd: s.workingDirectory,
    database: s.database,
    lockWaitMs: s.lockWaitMs,
    timeoutMs: s.timeoutMs,
    migrationsDir: s.migrationsDir,
    migrationsTable: s.migrationsTable,
    python: s.python,
    djangoSettings: s.djangoSettings,
    command: s.command,
    statusCommand: s.statusCommand,
    downCommand: s.downCommand,
    log: (line) => core.info(redact(line)),
  };
}

function setApplyOutputs(r: ApplyResult): void {
  setOutput('previous-state', r.previous);
  setOutput('current-state', r.current);
  setOutput(
    'applied',
    r.applied.map((a) => a.name),
  );
  setOutput('applied-count', r.applied.length);
  setOutput('pending', r.pending);
  setOutput('pending-count', r.pending.length);
}

/** What an apply did (or got to before it failed): into the summary and the outputs. */
function reportApply(summary: SummaryData, r: ApplyResult): void {
  Object.assign(summary, {
    previous: r.previous,
    current: r.current,
    applied: r.applied,
    pending: r.pending,
    lockWaitedMs: r.lockWaitedMs,
  });
  setApplyOutputs(r);
}

/**
 * The runner cancels a job with SIGINT, then SIGTERM a few seconds later. Both abort the
 * run: the sql tool interrupts the running statement, rolls the current file back, releases
 * the lock and the outputs name the last applied migration (actions/migrate/README.md,
 * "Cancellation"). A second signal does not cut that clean-up short.
 */
function cancelOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      core.info(`received ${name} again: still rolling back and releasing the lock`);
      return;
    }
    core.warning(`received ${name}: cancelling the migration run`);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export async function run(): Promise<void> {
  let cancel: ReturnType<typeof cancelOnSignals> | undefined;
  try {
    await runAction(async () => {
      const s = readSettings();
      // the other tools are child processes with their own signal handling (README)
      if (s.tool === 'sql') cancel = cancelOnSignals();
      await runMigrate(s, cancel?.signal);
    });
  } finally {
    cancel?.dispose();
  }
}

async function runMigrate(s: MigrateSettings, signal: AbortSignal | undefined): Promise<void> {
  const started = Date.now();
  setOutput('tool', s.tool);
  if (s.detected) core.info(`tool: ${s.tool} (detected in ${s.workingDirectory})`);
  const ctx = toolContext(s, signal);
  const tool = createMigrationTool(s.tool, ctx);
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const summary: SummaryData = {
    tool: s.tool,
    mode: s.mode,
    database: s.database ? describeTarget(s.database) : undefined,
    target: s.target,
    durationMs: 0,
  };
  const done = async (): Promise<void> => {
    summary.durationMs = Date.now() - started;
    setOutput('duration-ms', summary.durationMs);
    writeSummary(summary);
    await flush();
  };

  try {
    if (s.mode === 'status') {
      const st = await tool.status();
      Object.assign(summary, {
        previous: st.state,
        current: st.state,
        pending: st.pending,
        applied: [],
      });
      setApplyOutputs({
        previous: st.state,
        current: st.state,
        applied: [],
        pending: st.pending,
        lockWaitedMs: 0,
      });
      core.info(`state ${JSON.stringify(st.state)}; ${st.pending.length} pending`);
    } else if (s.mode === 'check') {
      const findings = await tool.check();
      summary.findings = findings;
      if (findings.length) throw new CheckFailedError(findings);
      core.info('check found no problems');
      const skipLint = lintSkipReason(s);
      if (skipLint) summary.lint = lintSkipped(skipLint);
      else {
        // lint what the release would run: the pending migrations up to target
        const p = await tool.plan(s.target);
        summary.lint = await lintPlan(s, ctx, p, workspace, true);
        const failure = lintFailure(summary.lint);
        if (failure) throw failure;
      }
      if (s.expectSchema) {
        const dry = await dryRunSchema(s, ctx);
        if (typeof dry === 'string') core.info(`expect-schema not checked: ${dry}`);
        else summary.schema = dry;
        if (summary.schema?.length)
          throw new UserError(`${schemaFailureLine(summary.schema)} (dry run)`);
      }
    } else if (s.mode === 'plan') {
      const p = await tool.plan(s.target);
      const planPath = writePlanFile(s.runnerTemp, s.tool, p.toApply, p.preview);
      // plan reports lint findings for the sign-off; only check fails on them
      summary.lint = await lintPlan(s, ctx, p, workspace, false).catch((err: unknown) => {
        // the plan is what the approvers need: a linter failure is reported, not fatal here
        const why = `lint could not run: ${redact(errorMessage(err))}`;
        core.warning(why);
        return lintSkipped(why);
      });
      Object.assign(summary, {
        previous: p.state,
        current: p.state,
        pending: p.pending,
        toApply: p.toApply,
        preview: p.preview,
        planPath,
      });
      setApplyOutputs({
        previous: p.state,
        current: p.state,
        applied: [],
        pending: p.toApply,
        lockWaitedMs: 0,
      });
      setOutput('plan-path', planPath);
      core.info(`${p.toApply.length} migration(s) to apply: ${p.toApply.join(', ') || 'none'}`);
    } else {
      if (s.requireBackup) {
        if (!s.database)
          throw new UserError('require-backup needs database-url (or set require-backup: false)');
        const gate = await checkBackupGate(s.backupManifest, s.database, s.maxBackupAgeMs);
        summary.backup = `${gate.manifest.file} (sha256 ${gate.manifest.sha256.slice(0, 12)}…, ${formatDuration(gate.ageMs)} old)`;
        core.info(`backup gate: ${gate.backupPath} matches its manifest`);
      }
      const r = await tool.apply(s.target);
      reportApply(summary, r);
      core.info(`applied ${r.applied.length} migration(s); ${r.pending.length} still pending`);
      if (s.expectSchema && s.database)
        summary.schema = await checkSchema(s.expectSchema, s.database);
      if (summary.schema?.length) throw new UserError(schemaFailureLine(summary.schema));
    }
  } catch (err) {
    if (err instanceof ApplyFailedError) {
      reportApply(summary, err.partial);
    }
    if (err instanceof CheckFailedError) summary.findings = err.findings;
    summary.failure = err instanceof Error ? err.message : String(err);
    await done();
    throw err;
  }
  await done();
}
