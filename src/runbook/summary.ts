import { formatDuration } from '../kit/durations.js';
import { formatSize } from '../kit/sizes.js';
import { flush, heading, keyValueTable, raw, resultTable } from '../kit/summary.js';
import type { ReleaseRecord } from './record.js';

/**
 * The root action's job summary: the stage table, then per stage the evidence the single
 * actions show (backup file and row counts, applied migrations, smoke results, gate
 * figures, rollback steps and the restored row counts against the backup's).
 */
export async function writeReleaseSummary(r: ReleaseRecord, mode: string): Promise<void> {
  heading(`runbook ${mode}: ${r.name} → ${r.environment} — ${r.status}`);
  keyValueTable([
    ['Ref', r.ref],
    ['Previous ref', r.previousRef],
    ['Image', r.imageRef],
    ['Failed stage', r.failedStage],
    ['Error', r.error],
  ]);
  resultTable(
    ['Stage', 'Result', 'Time', 'Detail'],
    r.stages.map((s) => [
      s.stage,
      s.status,
      s.durationMs === undefined ? '' : formatDuration(s.durationMs),
      s.detail,
    ]),
  );
  if (r.backup) {
    heading('Backup', 3);
    keyValueTable([
      ['File', r.backup.path],
      ['Size', formatSize(r.backup.sizeBytes)],
      ['sha256', r.backup.sha256],
      ['Checks', r.backup.checks.join('; ')],
    ]);
    resultTable(
      ['Table', 'Rows'],
      Object.entries(r.backup.tables).map(([t, n]) => [t, n]),
    );
  }
  if (r.migrations) {
    heading('Migrations', 3);
    keyValueTable([
      ['Tool', r.migrations.tool],
      ['Before', JSON.stringify(r.migrations.previous)],
      ['After', r.migrations.current ? JSON.stringify(r.migrations.current) : ''],
      ['Applied', r.migrations.applied.join(', ') || 'none'],
    ]);
  }
  if (r.smoke) {
    heading('Smoke test', 3);
    resultTable(
      ['Check', 'Result', 'Status', 'Time', 'Error'],
      r.smoke.results.map((c) => [
        c.name,
        c.outcome,
        c.status,
        formatDuration(c.durationMs),
        c.error,
      ]),
    );
  }
  if (r.gate) {
    heading('Health gate', 3);
    keyValueTable([
      ['Verdict', r.gate.verdict],
      ['Reason', r.gate.reason],
      ['Samples', r.gate.samples],
      [
        'Success rate',
        r.gate.successRatePercent === undefined ? '' : `${r.gate.successRatePercent}%`,
      ],
      ['p95', r.gate.p95Ms === undefined ? '' : `${r.gate.p95Ms} ms`],
      ['Watched', formatDuration(r.gate.elapsedMs)],
    ]);
  }
  if (r.rollback) {
    heading('Rollback', 3);
    raw(`<p>Trigger: ${r.rollback.trigger.replace(/</g, '&lt;')}</p>`);
    resultTable(
      ['Part', 'Result', 'Time', 'Detail'],
      r.rollback.steps.map((s) => [s.part, s.status, formatDuration(s.durationMs), s.detail]),
    );
    if (r.rollback.restoredTables) {
      resultTable(
        ['Table', 'Rows in the backup', 'Rows after the restore'],
        r.rollback.restoredTables,
      );
    }
  }
  if (r.hooks.length > 0) {
    heading('Hooks', 3);
    resultTable(
      ['Hook', 'Result', 'Time'],
      r.hooks.map((h) => [h.hook, h.ok ? 'ok' : 'failed', formatDuration(h.durationMs)]),
    );
  }
  await flush();
}
