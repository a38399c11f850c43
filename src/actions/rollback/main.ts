import { mkdtemp } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { UserError, errorMessage } from '../../kit/errors.js';
import { runAction, setOutput } from '../../kit/run-action.js';
import { redact } from '../../kit/secrets.js';
import { withTag } from '../../image/reference.js';
import {
  createMigrationTool,
  type MigrationTool,
  type ToolContext,
} from '../../migrations/index.js';
import { describeTarget } from '../../db/url.js';
import {
  describeSource,
  loadVerifiedBackup,
  type VerifiedBackup,
} from '../../rollback/backup-source.js';
import {
  moveImageBack,
  planImageRollback,
  runDeployCommand,
  type ImagePlan,
} from '../../rollback/image.js';
import type { Target } from '../../rollback/plan.js';
import { restoreLive } from '../../db/live-restore.js';
import { SignalStop } from '../../rollback/cancel.js';
import { takeSafetyBackup } from '../../rollback/safety-backup.js';
import { readSettings, type MigrationSettings, type Settings } from './settings.js';
import { writeSummary, type Report, type StepReport } from './summary.js';

const log = (line: string): void => core.info(redact(line));

function toolContext(m: MigrationSettings, timeoutMs: number): ToolContext {
  return {
    cwd: m.workingDirectory,
    database: m.database,
    lockWaitMs: m.lockWaitMs,
    timeoutMs,
    migrationsDir: m.migrationsDir,
    migrationsTable: m.migrationsTable,
    python: m.python,
    djangoSettings: m.djangoSettings,
    statusCommand: m.statusCommand,
    downCommand: m.downCommand,
    log,
  };
}

interface Prepared {
  image?: ImagePlan;
  tool?: MigrationTool;
  backup?: VerifiedBackup;
}

/** Everything that can be checked without changing anything, before the first change. */
async function prepare(s: Settings, report: Report): Promise<Prepared> {
  const p: Prepared = {};
  const step = (target: Target, plan: string): StepReport => {
    const r: StepReport = { target, plan, status: 'skipped' };
    report.steps.push(r);
    return r;
  };
  if (s.database) {
    // the backup is checked first: a damaged one stops the rollback before the image moves
    const dir =
      s.database.source.kind === 'manifest'
        ? s.runnerTemp
        : await mkdtemp(join(s.runnerTemp, 'rollback-backup-'));
    p.backup = await loadVerifiedBackup(s.database.source, s.database.target, dir);
    report.backupSha256 = p.backup.manifest.sha256;
    report.backupSize = p.backup.manifest.size_bytes;
    log(`backup ${p.backup.backupPath} matches its manifest (sha256 ${p.backup.manifest.sha256})`);
  }
  if (s.image) {
    const i = s.image;
    p.image = await planImageRollback(i);
    report.imageDigest = p.image.target;
    const tagRef = withTag(i.image, i.promoteTag);
    const from = p.image.current ?? '(no such tag)';
    const to = i.toDigest
      ? `${p.image.target} (to-digest)`
      : `${p.image.target} (${i.previousTag})`;
    step(
      'image',
      `move ${tagRef} from ${from} to ${to}${i.deployCommand ? ', then run deploy-command' : ''}`,
    );
  }
  if (s.migrations) {
    const m = s.migrations;
    p.tool = createMigrationTool(m.tool, toolContext(m, s.timeoutMs));
    // read-only; an unreachable database or a broken project stops the rollback here
    const current = (await p.tool.status()).state;
    step(
      'migrations',
      `revert with ${m.tool} from ${JSON.stringify(current)} to ${JSON.stringify(m.previousState)}`,
    );
  }
  if (s.database && p.backup) {
    const d = s.database;
    const b = p.backup;
    step(
      'database',
      `${d.safetyBackup ? `safety backup into ${d.safetyBackupDir}, then ` : ''}restore ${b.manifest.file} (${b.manifest.format}, ${b.manifest.created_at}) over ${describeTarget(d.target)}, compare row counts of ${Object.keys(b.manifest.tables).length} tables`,
    );
  }
  return p;
}

/** Keeps `rolled-back` true after every part, so a run killed later still reports it. */
function reportDone(report: Report): void {
  setOutput('rolled-back', report.rolledBack);
}

async function execute(s: Settings, p: Prepared, report: Report, stop: SignalStop): Promise<void> {
  for (const st of report.steps) {
    if (stop.requested) {
      const left = report.steps.filter((x) => x.status === 'skipped').map((x) => x.target);
      throw new UserError(
        `cancelled (${stop.by}): rolled back ${report.rolledBack.join(', ') || 'nothing'}; not started: ${left.join(', ')}.`,
      );
    }
    const started = Date.now();
    report.current = st.target;
    try {
      st.status = 'failed';
      if (st.target === 'image' && s.image && p.image) {
        const moved = await moveImageBack(s.image, p.image);
        setOutput('image-digest', moved.to);
        log(
          moved.moved
            ? `${withTag(s.image.image, moved.tag)} -> ${moved.to} (was ${moved.from ?? 'absent'})`
            : `${withTag(s.image.image, moved.tag)} already points to ${moved.to}; nothing moved`,
        );
        st.detail = moved.moved ? `tag moved to ${moved.to}` : 'tag already there';
        if (s.image.deployCommand) {
          log(`running deploy-command with RUNBOOK_IMAGE_REF=${p.image.ref}`);
          await runDeployCommand(s.image.deployCommand, p.image.ref, {
            cwd: s.workspace,
            timeoutMs: s.timeoutMs,
            log,
          });
          st.detail += '; deploy-command succeeded';
        }
      } else if (st.target === 'migrations' && s.migrations && p.tool) {
        const r = await p.tool.revertTo(s.migrations.previousState);
        st.detail = `reverted ${r.reverted.length}: ${r.reverted.join(', ') || 'nothing'}; now ${JSON.stringify(r.current)}`;
        log(`migrations: ${st.detail}`);
      } else if (st.target === 'database' && s.database && p.backup) {
        await restoreDatabase(s, p.backup, report, st, stop);
      }
      st.status = 'done';
      report.rolledBack.push(st.target);
      reportDone(report);
    } catch (err) {
      if (stop.requested) st.status = 'cancelled';
      throw err;
    } finally {
      st.durationMs = Date.now() - started;
      report.current = undefined;
    }
  }
}

async function restoreDatabase(
  s: Settings,
  b: VerifiedBackup,
  report: Report,
  st: StepReport,
  stop: SignalStop,
): Promise<void> {
  const d = s.database!;
  if (d.safetyBackup) {
    mkdirSync(d.safetyBackupDir, { recursive: true });
    const safety = await takeSafetyBackup({
      target: d.target,
      outputDir: d.safetyBackupDir,
      connectTimeoutMs: d.connectTimeoutMs,
      timeoutMs: s.timeoutMs,
      gitSha: process.env.GITHUB_SHA || null,
      runId: process.env.GITHUB_RUN_ID || null,
    });
    report.safetyBackupPath = safety.path;
    setOutput('safety-backup-path', safety.path);
    log(`safety backup ${safety.path} (sha256 ${safety.manifest.sha256})`);
  }
  if (stop.requested) {
    throw new UserError(
      `cancelled (${stop.by}) before the restore started; the database is unchanged${d.safetyBackup ? ' (the safety backup was completed)' : ''}.`,
    );
  }
  const r = await restoreLive({
    target: d.target,
    manifest: b.manifest,
    backupPath: b.backupPath,
    connectTimeoutMs: d.connectTimeoutMs,
    timeoutMs: s.timeoutMs,
    mode: d.restoreMode,
    keepReplaced: d.keepReplaced,
    stop,
    now: new Date(),
    log,
  });
  for (const w of r.warnings) core.warning(redact(w));
  report.restoredFrom = b.backupPath;
  setOutput('restored-from', b.backupPath);
  report.restoreMethod = r.method;
  report.replaced = r.replaced;
  setOutput('replaced-database', r.replaced ?? '');
  report.tables = Object.keys({ ...b.manifest.tables, ...r.tables })
    .sort()
    .map((t) => [t, b.manifest.tables[t], r.tables[t]]);
  report.extraTables = r.extraTables;
  report.extraTablesKeptIn = r.extraTablesKeptIn;
  report.warnings = r.warnings;
  setOutput('extra-tables', r.extraTables);
  if (r.extraTables.length > 0) {
    core.warning(
      `${r.extraTables.length} table(s) existed that are not in the backup (created after it): ${r.extraTables.join(', ')} — kept in ${r.extraTablesKeptIn}.`,
    );
  }
  st.detail = `${r.method}; row counts of ${Object.keys(b.manifest.tables).length} tables match${r.replaced ? `; replaced database kept as ${r.replaced}` : ''}`;
  log(`database restored from ${b.backupPath} (${describeSource(d.source)})`);
}

export async function run(): Promise<void> {
  await runAction(async () => {
    const started = Date.now();
    const report: Report = {
      dryRun: false,
      targets: [],
      steps: [],
      rolledBack: [],
      durationMs: 0,
    };
    const stop = new SignalStop((signal) =>
      core.warning(
        `${signal}: cancelling — ${report.current ? `finishing the ${report.current} part (or stopping a restore before its swap)` : 'no part is running'}; nothing further starts.`,
      ),
    );
    stop.install();
    try {
      const s = readSettings();
      report.dryRun = s.dryRun;
      report.targets = s.targets;
      const prepared = await prepare(s, report);
      for (const st of report.steps) log(`plan: ${st.target}: ${st.plan}`);
      if (s.dryRun) {
        for (const st of report.steps) st.status = 'planned';
        if (report.imageDigest) setOutput('image-digest', report.imageDigest);
        log('dry-run: nothing was changed');
      } else {
        await execute(s, prepared, report, stop);
      }
    } catch (err) {
      report.error = redact(errorMessage(err));
      throw err;
    } finally {
      stop.remove();
      report.cancelled = stop.requested;
      setOutput('cancelled', stop.requested);
      // outputs are set on failure too, for the steps that decide what to do next
      report.durationMs = Date.now() - started;
      setOutput('rolled-back', report.rolledBack);
      setOutput('duration-ms', report.durationMs);
      await writeSummary(report);
    }
  });
}
