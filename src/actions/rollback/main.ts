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
  deployCommandVariables,
  moveImagesBack,
  planImagesRollback,
  runDeployCommand,
  type ImagePlan,
} from '../../rollback/image.js';
import type { Target } from '../../rollback/plan.js';
import { restoreLive } from '../../db/live-restore.js';
import { SignalStop } from '../../rollback/cancel.js';
import {
  describeSafetyEncryption,
  safetyEncryption,
  takeSafetyBackup,
  unencryptedSafetyWarning,
  type SafetyEncryption,
} from '../../rollback/safety-backup.js';
import {
  readFromDeployment,
  readSettings,
  type ImageSettings,
  type MigrationSettings,
  type Settings,
} from './settings.js';
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
    sqlLayout: m.layout,
    python: m.python,
    djangoSettings: m.djangoSettings,
    statusCommand: m.statusCommand,
    downCommand: m.downCommand,
    log,
  };
}

interface Prepared {
  /** one per entry of s.image.entries, in the same order */
  images?: ImagePlan[];
  tool?: MigrationTool;
  backup?: VerifiedBackup;
  /** who the safety backup is encrypted to (decided before anything changes) */
  safety?: SafetyEncryption;
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
    p.backup = await loadVerifiedBackup(
      s.database.source,
      s.database.target,
      dir,
      s.database.decryptIdentities,
    );
    report.backupSha256 = p.backup.manifest.sha256;
    report.backupSize = p.backup.manifest.size_bytes;
    log(`backup ${p.backup.backupPath} matches its manifest (sha256 ${p.backup.manifest.sha256})`);
  }
  if (s.image) {
    const i = s.image;
    const plans = await planImagesRollback(i.entries);
    p.images = plans;
    report.imageDigest = plans[0].target;
    const moves = i.entries.map((e, n) => {
      const plan = plans[n];
      if (i.list) {
        report.images ??= [];
        report.images.push({
          name: e.name ?? '',
          tag: withTag(e.image, i.promoteTag),
          from: plan.current,
          to: plan.target,
          result: 'skipped',
        });
      }
      const to = e.toDigest ? `${plan.target} (to-digest)` : `${plan.target} (${i.previousTag})`;
      return `${e.name ? `${e.name}: ` : ''}${withTag(e.image, i.promoteTag)} from ${plan.current ?? '(no such tag)'} to ${to}`;
    });
    step('image', `move ${moves.join('; ')}${i.deployCommand ? ', then run deploy-command' : ''}`);
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
    if (d.safetyBackup) p.safety = await safetyEncryption(d.safetyEncryptTo, d.decryptIdentities);
    else if (d.safetyEncryptTo.length > 0)
      core.warning('safety-backup-encrypt-to is ignored: safety-backup is false (none is taken).');
    step(
      'database',
      `${p.safety ? `safety backup (${describeSafetyEncryption(p.safety)}) into ${d.safetyBackupDir}, then ` : ''}restore ${b.manifest.file} (${b.manifest.format}, ${b.manifest.created_at}) over ${describeTarget(d.target)}, compare row counts of ${Object.keys(b.manifest.tables).length} tables`,
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
      if (st.target === 'image' && s.image && p.images) {
        await rollImagesBack(s, s.image, p.images, report, st);
      } else if (st.target === 'migrations' && s.migrations && p.tool) {
        const r = await p.tool.revertTo(s.migrations.previousState);
        st.detail = `reverted ${r.reverted.length}: ${r.reverted.join(', ') || 'nothing'}; now ${JSON.stringify(r.current)}`;
        log(`migrations: ${st.detail}`);
      } else if (st.target === 'database' && s.database && p.backup) {
        await restoreDatabase(s, p, report, st, stop);
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

/**
 * Every tag back in list order, then the deploy command once. A cancellation waits for this
 * whole part, so the release never runs half on old images without its deploy.
 */
async function rollImagesBack(
  s: Settings,
  i: ImageSettings,
  plans: ImagePlan[],
  report: Report,
  st: StepReport,
): Promise<void> {
  const digests: Record<string, string> = {};
  const results = await moveImagesBack(i.entries, plans, (n, moved) => {
    const e = i.entries[n];
    const tagRef = withTag(e.image, moved.tag);
    log(
      moved.moved
        ? `${tagRef} -> ${moved.to} (was ${moved.from ?? 'absent'})`
        : `${tagRef} already points to ${moved.to}; nothing moved`,
    );
    if (n === 0) setOutput('image-digest', moved.to);
    if (e.name !== undefined) {
      digests[e.name] = moved.to;
      // set after each move, so a failure later still reports what went back
      setOutput('image-digests', digests);
    }
    const line = report.images?.[n];
    if (line) line.result = moved.moved ? 'moved' : 'already there';
  });
  const moved = results.filter((r) => r.moved).length;
  st.detail = i.list
    ? `${moved} of ${results.length} tags moved back`
    : results[0].moved
      ? `tag moved to ${results[0].to}`
      : 'tag already there';
  if (i.deployCommand) {
    const variables = deployCommandVariables(
      i.entries.map((e, n) => ({ name: e.name, ref: plans[n].ref })),
    );
    log(
      `running deploy-command with ${Object.entries(variables)
        .filter(([k]) => k !== 'RUNBOOK_IMAGE_REFS')
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    await runDeployCommand(i.deployCommand, variables, {
      cwd: s.workspace,
      timeoutMs: s.timeoutMs,
      log,
    });
    st.detail += '; deploy-command succeeded';
  }
}

async function restoreDatabase(
  s: Settings,
  p: Prepared,
  report: Report,
  st: StepReport,
  stop: SignalStop,
): Promise<void> {
  const d = s.database!;
  let safetyBackup: { path: string; sha256: string } | undefined;
  const b = p.backup!;
  if (d.safetyBackup) {
    mkdirSync(d.safetyBackupDir, { recursive: true });
    const safety = await takeSafetyBackup({
      target: d.target,
      outputDir: d.safetyBackupDir,
      connectTimeoutMs: d.connectTimeoutMs,
      timeoutMs: s.timeoutMs,
      gitSha: process.env.GITHUB_SHA || null,
      runId: process.env.GITHUB_RUN_ID || null,
      encryption: p.safety,
    });
    safetyBackup = { path: safety.path, sha256: safety.manifest.sha256 };
    // the path as stored (`.age` when encrypted): the file a restore is given
    report.safetyBackupPath = safety.path;
    report.safetyBackupEncryption = p.safety && describeSafetyEncryption(p.safety);
    setOutput('safety-backup-path', safety.path);
    log(
      `safety backup ${safety.path} (${report.safetyBackupEncryption ?? 'unencrypted'}; sha256 ${safety.manifest.sha256})`,
    );
    if (!safety.manifest.encrypted) {
      const warning = unencryptedSafetyWarning(safety.path);
      core.warning(redact(warning));
      report.warnings = [...(report.warnings ?? []), warning];
    }
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
    decryptIdentities: d.decryptIdentities,
    connectTimeoutMs: d.connectTimeoutMs,
    timeoutMs: s.timeoutMs,
    mode: d.restoreMode,
    keepReplaced: d.keepReplaced,
    keptMaxAgeMs: d.keptMaxAgeMs,
    safetyBackup,
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
  report.warnings = [...(report.warnings ?? []), ...r.warnings];
  setOutput('extra-tables', r.extraTables);
  if (r.extraTables.length > 0) {
    core.warning(
      `${r.extraTables.length} table(s) existed that are not in the backup (created after it): ${r.extraTables.join(', ')} — kept in ${r.extraTablesKeptIn}.`,
    );
  }
  st.detail = `${r.method}; row counts of ${Object.keys(b.manifest.tables).length} tables match${r.replaced ? `; replaced database kept as ${r.replaced}` : ''}${r.expiredDropped?.length ? `; dropped the copies earlier rollbacks kept, older than keep-replaced: ${r.expiredDropped.join(', ')}` : ''}`;
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
      const fromDeployment = await readFromDeployment();
      if (fromDeployment) {
        const f = fromDeployment.facts;
        log(
          `from-deployment: undoing deployment ${f.bad.id} (${f.bad.sha.slice(0, 7)}), back to ${f.good.id} (${f.good.sha.slice(0, 7)}); filled ${fromDeployment.filled.join(', ') || 'no input'}`,
        );
        for (const w of fromDeployment.warnings) {
          core.warning(redact(w));
          report.warnings = [...(report.warnings ?? []), w];
        }
      }
      const s = readSettings();
      report.dryRun = s.dryRun;
      report.targets = s.targets;
      const prepared = await prepare(s, report);
      fromDeployment?.checkBackup(report.backupSha256);
      for (const st of report.steps) log(`plan: ${st.target}: ${st.plan}`);
      if (s.dryRun) {
        for (const st of report.steps) st.status = 'planned';
        if (report.imageDigest) setOutput('image-digest', report.imageDigest);
        if (report.images) {
          setOutput('image-digests', Object.fromEntries(report.images.map((x) => [x.name, x.to])));
        }
        log('dry-run: nothing was changed');
      } else {
        await execute(s, prepared, report, stop);
        // the record follows what happened: bad deployment failure, restored one success
        await fromDeployment?.record(report.rolledBack);
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
