import * as core from '@actions/core';
import { errorMessage, InputError, UserError } from '../../kit/errors.js';
import { CancelledError, watchCancellation } from '../../kit/cancellation.js';
import type { Cancellation } from '../../kit/cancellation.js';
import { runAction, setOutput } from '../../kit/run-action.js';
import { redact, redactUrl, registerSecret } from '../../kit/secrets.js';
import { formatDuration } from '../../kit/durations.js';
import { CheckFileError, parseCheckFile } from '../../http/check-schema.js';
import type { CheckFile } from '../../http/check-types.js';
import { renderJUnit, writeJUnit } from '../../http/junit.js';
import { secretForms } from '../../http/secret-forms.js';
import type { CheckResult } from '../../http/run-check.js';
import {
  planSmokeTests,
  runSmokeTests,
  type SmokePlan,
  type SmokeReport,
} from '../../http/smoke-runner.js';
import { YamlSyntaxError } from '../../http/yaml-source.js';
import { CaCertificateError, trustCaCertificates } from '../../http/tls-trust.js';
import { readSettings, type SmokeSettings } from './settings.js';
import { detailLines, SEPARATOR, writeSummary } from './summary.js';

/** Parses and plans the checks; any problem is an error naming the input, before any request. */
function loadPlan(s: SmokeSettings): SmokePlan {
  const { input, label } = s.checks;
  const prefix = label ? `${label}: ` : '';
  try {
    const file: CheckFile = parseCheckFile(s.checks.text);
    return planSmokeTests(file, {
      variables: s.variables,
      secrets: s.secrets,
      env: process.env,
      waitForReadyMs: s.waitForReadyMs,
    });
  } catch (err) {
    if (err instanceof YamlSyntaxError) {
      const where = err.line !== undefined ? ` at line ${err.line}, column ${err.column}` : '';
      throw new InputError(
        input,
        `${label ? `${label} ` : ''}is not valid YAML${where}: ${err.message}`,
      );
    }
    if (err instanceof CheckFileError) {
      const n = err.problems.length;
      throw new InputError(input, `${prefix}${err.message}${n > 1 ? ` (${n} problems)` : ''}`);
    }
    throw err;
  }
}

function logResult(r: CheckResult): void {
  const mark = r.outcome === 'passed' ? '✓' : r.outcome === 'failed' ? '✗' : '-';
  const status = r.status !== undefined ? ` -> ${r.status}` : '';
  const time = r.outcome === 'skipped' ? '' : ` (${formatDuration(r.durationMs)})`;
  core.info(redact(`${mark} ${r.name}: ${r.method} ${r.target}${status}${time}`));
  for (const line of detailLines(r)) core.info(redact(`    ${line}`));
}

function setOutputs(report: SmokeReport, reportPath: string | undefined): void {
  setOutput('passed', report.passed);
  setOutput('failed', report.failed);
  setOutput('skipped', report.skipped);
  setOutput('total', report.total);
  setOutput(
    'results',
    report.results.map((r) => ({
      name: redact(r.name),
      ok: r.outcome === 'passed',
      skipped: r.outcome === 'skipped',
      status: r.status ?? null,
      duration_ms: r.durationMs,
      error: r.outcome === 'passed' ? null : redact(r.failures.join(SEPARATOR)),
      ...(r.certificate
        ? {
            certificate: {
              subject: redact(r.certificate.subject),
              issuer: redact(r.certificate.issuer),
              expires: r.certificate.expires,
              days_left: r.certificate.daysLeft,
            },
          }
        : {}),
    })),
  );
  setOutput('report-path', reportPath ?? '');
}

/** Writes the JUnit report; returns why it could not be written, if so. */
function writeReport(settings: SmokeSettings, report: SmokeReport): string | undefined {
  const path = settings.reportPath as string;
  const xml = renderJUnit(report.results, {
    suiteName: 'smoke-test',
    baseUrl: redactUrl(settings.baseUrl.href),
    durationMs: report.durationMs,
    timestamp: new Date(),
    redact,
  });
  try {
    writeJUnit(path, xml);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? errorMessage(err);
    return `Input 'report': cannot write the JUnit report to ${path} (${code})`;
  }
}

export async function run(): Promise<void> {
  await runAction(async () => {
    const settings = readSettings();
    const plan = loadPlan(settings);
    try {
      trustCaCertificates(settings.caCerts);
    } catch (err) {
      if (err instanceof CaCertificateError) throw new InputError('ca-cert', `${err.message}.`);
      throw err;
    }
    core.info(
      redact(
        `Running ${plan.checks.length} check${plan.checks.length === 1 ? '' : 's'} against ${redactUrl(settings.baseUrl.href)} (concurrency ${settings.concurrency})`,
      ),
    );
    const cancellation = watchCancellation();
    const done: CheckResult[] = [];
    const started = performance.now();
    const running = runSmokeTests(plan, {
      baseUrl: settings.baseUrl,
      variables: settings.variables,
      secrets: settings.secrets,
      env: process.env,
      timeoutMs: settings.timeoutMs,
      retries: settings.retries,
      retryDelayMs: settings.retryDelayMs,
      waitForReadyMs: settings.waitForReadyMs,
      concurrency: settings.concurrency,
      failFast: settings.failFast,
      cookies: settings.cookies,
      registerSecret: (value) => secretForms(value).forEach((form) => registerSecret(form)),
      onResult: (r) => {
        done.push(r);
        logResult(r);
      },
    });
    const report = await untilCancelled(running, cancellation);
    if (!report) {
      await reportCancelled(settings, plan, done, performance.now() - started, cancellation);
      return;
    }
    cancellation.dispose();

    const reportError = settings.reportPath ? writeReport(settings, report) : undefined;
    setOutputs(report, reportError ? undefined : settings.reportPath);
    await writeSummary(settings, report, reportError ? undefined : settings.reportPath);
    if (reportError) throw new UserError(reportError);

    const bad = report.results.filter((r) => r.outcome !== 'passed');
    for (const r of bad.filter((x) => x.outcome === 'failed'))
      core.error(redact(`check '${r.name}': ${r.failures.join(SEPARATOR)}`));
    if (bad.length > 0) {
      const names = bad.map((r) => `'${r.name}'`).join(', ');
      throw new UserError(
        `${report.failed} of ${report.total} checks failed${report.skipped > 0 ? `, ${report.skipped} skipped` : ''}: ${names}`,
      );
    }
    core.info(`All ${report.total} checks passed in ${formatDuration(report.durationMs)}.`);
  });
}

/** The report, or undefined when the run is cancelled first (the checks in flight are dropped). */
async function untilCancelled(
  running: Promise<SmokeReport>,
  cancellation: Cancellation,
): Promise<SmokeReport | undefined> {
  if (cancellation.signal.aborted) return undefined;
  return Promise.race([
    running,
    new Promise<undefined>((resolve) =>
      cancellation.signal.addEventListener('abort', () => resolve(undefined), { once: true }),
    ),
  ]);
}

/** Outputs, summary and JUnit report of the checks that finished before the cancellation. */
async function reportCancelled(
  settings: SmokeSettings,
  plan: SmokePlan,
  done: CheckResult[],
  durationMs: number,
  cancellation: Cancellation,
): Promise<never> {
  const count = (o: CheckResult['outcome']): number => done.filter((r) => r.outcome === o).length;
  const report: SmokeReport = {
    results: done,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    total: plan.checks.length,
    durationMs: Math.round(durationMs),
  };
  const reportError = settings.reportPath ? writeReport(settings, report) : undefined;
  setOutputs(report, reportError ? undefined : settings.reportPath);
  await writeSummary(settings, report, reportError ? undefined : settings.reportPath);
  const notRun = plan.checks.length - done.length;
  throw new CancelledError(
    cancellation.by ?? 'SIGTERM',
    `${done.length} of ${plan.checks.length} checks finished (${report.passed} passed, ${report.failed} failed${report.skipped > 0 ? `, ${report.skipped} skipped` : ''}); ${notRun} not run`,
  );
}
