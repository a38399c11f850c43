import { formatDuration } from '../../kit/durations.js';
import { escapeHtml } from '../../kit/summary.js';
import * as summary from '../../kit/summary.js';
import { latencyChart } from '../../gate/chart.js';
import { describeStatuses } from '../../gate/condition.js';
import { describeTarget } from '../../gate/probe-config.js';
import type { Comparison } from '../../gate/baseline.js';
import type { GateRun } from '../../gate/sampler.js';
import { formatMs, formatPercent, type GateFigures, type ProbeStats } from '../../gate/stats.js';
import type { GateRules } from '../../gate/types.js';
import type { GateSettings } from './settings.js';

export interface GateReport {
  settings: GateSettings;
  gate: GateRun;
  stats: ProbeStats[];
  figures: GateFigures;
  comparison?: Comparison;
}

/** The job summary: verdict and reason in one line, the gate's figures, a row per probe, the latency chart. */
export async function writeSummary(report: GateReport): Promise<void> {
  const { settings, gate, stats, figures } = report;
  const { plan, rules } = settings;
  const passed = gate.verdict.state === 'pass';
  const baseline = settings.mode === 'baseline';
  summary.heading(baseline ? 'Health gate baseline (before the deploy)' : 'Health gate');
  summary.raw(
    baseline && !gate.cancelled
      ? `<p><strong>📏 recorded</strong> in <code>${escapeHtml(settings.baselineFile)}</code> — ${escapeHtml(gate.verdict.reason)}</p>`
      : `<p><strong>${passed ? '✅ pass' : gate.cancelled ? '⏹️ cancelled' : '❌ fail'}</strong> — ${escapeHtml(gate.verdict.reason)}</p>`,
  );
  if (!baseline && passed && settings.hold === 'manual') {
    summary.raw(
      '<p>⏸ <strong>Decision pending</strong>: the figures passed; a person now keeps the release or rolls it back (approve or reject the release-decision environment).</p>',
    );
  }
  summary.keyValueTable([
    [
      'Watched',
      `${formatDuration(gate.elapsedMs)} of ${formatDuration(plan.durationMs)}${gate.completed ? '' : gate.cancelled ? ' (stopped early: cancelled)' : ' (stopped early: fail-fast)'}`,
    ],
    ['Interval', formatDuration(plan.intervalMs)],
    ['Samples', figures.samples],
    ['Failed samples', figures.failed],
    [
      'Success rate',
      figures.successRatePercent === undefined
        ? undefined
        : formatPercent(figures.successRatePercent / 100),
    ],
    [
      'Latency p50 / p95 / p99',
      figures.p50 === undefined
        ? undefined
        : `${formatMs(figures.p50)} / ${formatMs(figures.p95)} / ${formatMs(figures.p99)}`,
    ],
    ['Rules', describeRules(rules, settings)],
  ]);
  summary.resultTable(
    [
      'Probe',
      'Kind',
      'Target',
      'Samples',
      'Failed',
      'Success rate',
      'Longest failure run',
      'p50',
      'p95',
      'p99',
      'Last problem',
    ],
    stats.map((s, i) => {
      const spec = settings.probes[i];
      const target =
        spec.kind === 'http'
          ? `${describeTarget(spec)} (expect ${describeStatuses(spec.expectStatus)})`
          : describeTarget(spec);
      const samples = `${s.counted}${s.warmup > 0 ? ` (+${s.warmup} warmup)` : ''}${s.noData > 0 ? ` (${s.noData} no data)` : ''}`;
      const timed = s.kind === 'http';
      return [
        s.name,
        s.kind,
        target,
        samples,
        s.failed,
        formatPercent(s.successRate),
        s.longestFailureStreak,
        timed ? formatMs(s.p50) : undefined,
        timed ? formatMs(s.p95) : undefined,
        timed ? formatMs(s.p99) : undefined,
        s.fatalError ?? s.lastError,
      ];
    }),
  );
  if (report.comparison && report.comparison.rows.length > 0) {
    summary.raw('\n<h3>Before vs after the deploy</h3>\n');
    const show = (metric: string, v: number): string =>
      metric === 'p95' ? formatMs(v) : formatPercent(v);
    summary.resultTable(
      ['Probe', 'Metric', 'Before (baseline)', 'After', 'Allowed', 'Result'],
      report.comparison.rows.map((r) => [
        r.probe,
        r.metric,
        show(r.metric, r.before),
        show(r.metric, r.after),
        `≤ ${show(r.metric, r.limit)}`,
        r.ok ? '✅' : '❌ worse',
      ]),
    );
  }
  const chart = latencyChart(gate.probes, gate.elapsedMs, rules.maxP95Ms);
  if (chart) {
    summary.raw(`\n\`\`\`mermaid\n${chart.mermaid}\n\`\`\`\n`);
    summary.raw(
      `<p><em>Lines, in order: ${escapeHtml(chart.series.join(', '))}. Each point is the slowest response in its ${formatDuration(Math.max(1, gate.elapsedMs / chart.points))} bucket; 0 means no response.</em></p>`,
    );
  }
  await summary.flush();
}

function describeRules(rules: GateRules, settings: GateSettings): string {
  const parts = [
    `success-rate ${formatPercent(rules.successRate)}`,
    rules.maxP95Ms === undefined ? undefined : `max-p95 ${formatDuration(rules.maxP95Ms)}`,
    rules.maxConsecutiveFailures > 0
      ? `max-consecutive-failures ${rules.maxConsecutiveFailures}`
      : undefined,
    `min-samples ${rules.minSamples}`,
    rules.warmup.kind === 'samples'
      ? rules.warmup.count > 0
        ? `warmup ${rules.warmup.count} samples`
        : undefined
      : `warmup ${formatDuration(rules.warmup.ms)}`,
    `no-data ${settings.noData}`,
    `fail-fast ${settings.failFast}`,
  ];
  return parts.filter((p) => p !== undefined).join(', ');
}
