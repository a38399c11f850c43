import { formatDuration } from '../../kit/durations.js';
import { redactUrl } from '../../kit/secrets.js';
import { flush, heading, keyValueTable, resultTable, type Cell } from '../../kit/summary.js';
import type { CheckResult } from '../../http/run-check.js';
import { describeCertificate } from '../../http/tls-assertions.js';
import type { SmokeReport } from '../../http/smoke-runner.js';
import type { SmokeSettings } from './settings.js';

const ICON: Record<CheckResult['outcome'], string> = {
  passed: '✅ pass',
  failed: '❌ fail',
  skipped: '⏭️ skip',
};

/** What a check's row says beyond its figures: the failures, or the redirects it followed. */
export function detailLines(r: CheckResult): string[] {
  const parts = [...r.failures];
  if (r.redirects.length > 0) {
    parts.push(`redirected: ${r.redirects.map((h) => `${h.status} → ${h.to}`).join(', ')}`);
  }
  if (r.attempts > 1 && r.outcome === 'passed') parts.push(`passed on attempt ${r.attempts}`);
  if (r.certificate) parts.push(describeCertificate(r.certificate));
  return parts;
}

/** Separates several failures of one check in one line (messages may contain `;`). */
export const SEPARATOR = ' | ';

export async function writeSummary(
  settings: SmokeSettings,
  report: SmokeReport,
  reportPath?: string,
): Promise<void> {
  const verdict =
    report.failed + report.skipped === 0
      ? 'all passed'
      : `${report.failed} failed, ${report.skipped} skipped`;
  heading(`Smoke test: ${report.passed}/${report.total} passed`);
  keyValueTable([
    ['Base URL', redactUrl(settings.baseUrl.href)],
    ['Result', verdict],
    ['Checks', report.total],
    ['Passed', report.passed],
    ['Failed', report.failed],
    ['Skipped', report.skipped],
    ['Wall time', formatDuration(report.durationMs)],
    ['Concurrency', settings.concurrency],
    ['JUnit report', reportPath],
  ]);
  const rows: Cell[][] = report.results.map((r) => [
    ICON[r.outcome],
    r.name,
    r.method,
    r.target,
    r.status,
    r.outcome === 'skipped' ? undefined : formatDuration(r.durationMs),
    detailLines(r).join(SEPARATOR),
  ]);
  resultTable(['Result', 'Check', 'Method', 'Path', 'Status', 'Duration', 'Details'], rows);
  await flush();
}
