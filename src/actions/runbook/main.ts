import { isAbsolute, resolve } from 'node:path';
import * as core from '@actions/core';
import { formatDuration } from '../../kit/durations.js';
import { UserError } from '../../kit/errors.js';
import { getEnum, getString } from '../../kit/inputs.js';
import { runAction, setOutput } from '../../kit/run-action.js';
import { redact } from '../../kit/secrets.js';
import type { ReleaseRecord } from '../../runbook/record.js';
import type { Reporter } from '../../runbook/reporter.js';
import {
  EXIT,
  recordPersister,
  resumeRollback,
  runSession,
  type Mode,
} from '../../runbook/session.js';
import { writeReleaseSummary } from '../../runbook/summary.js';
import { loadRunbook, RunbookError } from '../../runbook/validate.js';
import type { Runbook } from '../../runbook/types.js';

/**
 * The root action: runs a runbook.yml in-process (release, plan or rollback). The same
 * bundle is the post step: when the job was cancelled mid-release, the record kept with
 * saveState shows a release still running, and the post step runs the rollback policy.
 */

const reporter: Reporter = {
  stageStart: (_stage, title) => core.startGroup(title),
  stageEnd: (stage, outcome, detail, ms) => {
    core.endGroup();
    const line = `${outcome === 'passed' ? '✓' : outcome === 'failed' ? '✗' : '-'} ${stage}${outcome === 'skipped' ? '' : ` (${formatDuration(ms)})`}: ${detail}`;
    if (outcome === 'failed') core.error(redact(line));
    else core.info(redact(line));
  },
  log: (line) => core.info(redact(line)),
  warn: (line) => core.warning(redact(line)),
};

function workspace(): string {
  return process.env.GITHUB_WORKSPACE || process.cwd();
}

function readBook(): Runbook {
  const file = getString('file', { default: 'runbook.yml' });
  const environment = getString('environment') || undefined;
  try {
    return loadRunbook(isAbsolute(file) ? file : resolve(workspace(), file), environment);
  } catch (err) {
    if (err instanceof RunbookError) {
      for (const p of err.problems) core.error(p.message, { file, startLine: p.line });
      throw new UserError(
        `Input 'file': ${file} has ${err.problems.length} problem(s): ${err.problems[0].message}`,
      );
    }
    throw err;
  }
}

function setRecordOutputs(r: ReleaseRecord): void {
  setOutput('status', r.status);
  setOutput('ref', r.ref);
  setOutput('previous-ref', r.previousRef ?? '');
  setOutput('failed-stage', r.failedStage ?? '');
  setOutput('backup-path', r.backup?.path ?? '');
  setOutput('backup-manifest', r.backup?.manifestPath ?? '');
  setOutput('image-ref', r.imageRef ?? '');
  setOutput(
    'rolled-back',
    (r.rollback?.steps ?? []).filter((s) => s.status === 'done').map((s) => s.part),
  );
  setOutput('migrations-state', r.migrations?.current ?? r.migrations?.previous ?? {});
}

function saveRecord(r: ReleaseRecord): void {
  core.saveState('record', JSON.stringify(r));
}

async function main(): Promise<void> {
  core.saveState('post', 'true');
  const mode = getEnum<Mode>('mode', ['release', 'plan', 'rollback'], { default: 'release' });
  const book = readBook();
  const started = Date.now();
  const onSignal = (signal: NodeJS.Signals): void => {
    // the post step finds the record still 'running' and rolls back
    core.warning(`${signal}: the release was stopped; the post step runs the rollback policy.`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const r = await runSession({
      book,
      mode,
      ref: getString('ref') || process.env.GITHUB_SHA,
      previousRef: getString('previous-ref') || undefined,
      reporter,
      env: process.env,
      onRecord: saveRecord,
    });
    setOutput('duration-ms', Date.now() - started);
    if (r.plan) {
      for (const line of r.plan) core.info(line);
      setOutput('plan', r.plan.join('\n'));
      return;
    }
    const record = r.record!;
    setRecordOutputs(record);
    await writeReleaseSummary(record, mode);
    // the release is over either way: nothing for the post step to do
    core.saveState('record', '');
    if (r.exitCode === EXIT.rolledBack)
      throw new UserError(
        `the release of ${record.ref} failed (${record.error}) and was rolled back`,
      );
    if (r.exitCode !== EXIT.ok)
      throw new UserError(`${mode} of ${record.ref} ended ${record.status}: ${record.error ?? ''}`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

async function post(): Promise<void> {
  const saved = core.getState('record');
  if (!saved) return;
  const record = JSON.parse(saved) as ReleaseRecord;
  if (record.status !== 'running' && record.status !== 'cancelled') return;
  const book = readBook();
  record.status = 'cancelled';
  record.error ??= 'the job was cancelled mid-release';
  const persist = recordPersister(book);
  persist(record);
  core.warning(
    `the release of ${record.ref} did not finish (stopped during ${record.stages.at(-1)?.stage ?? 'start'})`,
  );
  if (!book.rollback.automatic) {
    setRecordOutputs(record);
    throw new UserError(
      'the release did not finish and rollback.automatic is false: nothing was rolled back.',
    );
  }
  const r = await resumeRollback(
    {
      book,
      record,
      reporter,
      env: process.env,
      persist,
      scratchDir: process.env.RUNNER_TEMP || book.dir,
    },
    'the job was cancelled mid-release',
  );
  setRecordOutputs(record);
  await writeReleaseSummary(record, 'rollback (post)');
  if (r.exitCode !== EXIT.ok)
    throw new UserError(
      `the rollback after the cancelled release failed: ${record.rollback?.steps
        .filter((s) => s.status === 'failed')
        .map((s) => `${s.part}: ${s.detail}`)
        .join('; ')}`,
    );
  core.info(`rolled back the cancelled release of ${record.ref}`);
}

export async function run(): Promise<void> {
  await runAction(core.getState('post') === 'true' ? post : main);
}
