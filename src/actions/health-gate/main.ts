import { writeFileSync } from 'node:fs';
import * as core from '@actions/core';
import { formatDuration } from '../../kit/durations.js';
import { UserError } from '../../kit/errors.js';
import { CancelledError, watchCancellation } from '../../kit/cancellation.js';
import { runAction, setOutput } from '../../kit/run-action.js';
import { baselineFromStats, compareToBaseline, type Comparison } from '../../gate/baseline.js';
import { describeTarget } from '../../gate/probe-config.js';
import { createProbe } from '../../gate/probes/index.js';
import { ProgressLog } from '../../gate/progress.js';
import { runGate } from '../../gate/sampler.js';
import { formatNumber, gateFigures, probeStats } from '../../gate/stats.js';
import { readSettings } from './settings.js';
import { writeSummary } from './summary.js';

export async function run(): Promise<void> {
  await runAction(async () => {
    const settings = readSettings();
    const { plan, rules } = settings;
    core.info(
      `Watching ${settings.probes.length} probe${settings.probes.length === 1 ? '' : 's'} for ${formatDuration(plan.durationMs)} every ${formatDuration(plan.intervalMs)} (up to ${plan.totalSlots} samples each), fail-fast ${settings.failFast}:`,
    );
    for (const spec of settings.probes)
      core.info(`  ${spec.name} (${spec.kind}): ${describeTarget(spec)}`);

    const progressLog = new ProgressLog(plan, rules, (line) => core.info(line));
    const probes = settings.probes.map((spec) => createProbe(spec, { noData: settings.noData }));
    // a cancelled run still reports its samples: the verdict is `cancelled`, not a pass
    const cancellation = watchCancellation();
    const gate = await runGate({
      cancel: cancellation.signal,
      plan,
      rules,
      failFast: settings.failFast,
      probes,
      onSample: (probe, sample, all) => {
        core.debug(
          `${probe.name} slot ${sample.slot}: ${sample.ok ? 'good' : `failed: ${sample.error}`}`,
        );
        progressLog.onSample(probe, sample, all);
      },
    });

    const stats = gate.probes.map((p) => probeStats(p, rules, plan, true));
    const figures = gateFigures(stats);
    if (settings.mode === 'baseline' && !gate.cancelled) {
      const baseline = baselineFromStats(stats, gate.elapsedMs);
      writeFileSync(settings.baselineFile, `${JSON.stringify(baseline, null, 2)}\n`);
      setOutput('baseline', baseline);
    }
    let comparison: Comparison | undefined;
    if (settings.compare && gate.verdict.state === 'pass') {
      comparison = compareToBaseline(stats, settings.compare.baseline, settings.compare.tolerance);
      for (const name of comparison.missing)
        core.warning(`probe '${name}' has no samples in the baseline; it was not compared`);
      if (comparison.failure)
        gate.verdict = { state: 'fail', reason: comparison.failure, rule: 'baseline' };
    }
    const { verdict } = gate;
    // a baseline records; a service already unhealthy before the deploy is worth a warning only
    const passed = verdict.state === 'pass' || (settings.mode === 'baseline' && !gate.cancelled);
    if (settings.mode === 'baseline' && verdict.state !== 'pass' && !gate.cancelled)
      core.warning(`before the deploy the gate would fail: ${verdict.reason}`);
    setOutput('verdict', verdict.state === 'pass' ? 'pass' : gate.cancelled ? 'cancelled' : 'fail');
    setOutput('reason', verdict.reason);
    if (settings.mode === 'gate' && !gate.cancelled) {
      // keep / rollback, or pending: a person decides (a release-decision environment job)
      const decision =
        verdict.state !== 'pass' ? 'rollback' : settings.hold === 'manual' ? 'pending' : 'keep';
      setOutput('decision', decision);
    }
    setOutput('samples', figures.samples);
    setOutput(
      'success-rate',
      figures.successRatePercent === undefined ? '' : formatNumber(figures.successRatePercent),
    );
    setOutput('p50-ms', figures.p50 === undefined ? '' : Math.round(figures.p50));
    setOutput('p95-ms', figures.p95 === undefined ? '' : Math.round(figures.p95));
    setOutput('p99-ms', figures.p99 === undefined ? '' : Math.round(figures.p99));
    setOutput('duration-ms', Math.round(gate.elapsedMs));

    await writeSummary({ settings, gate, stats, figures, comparison });
    if (gate.cancelled && cancellation.by) {
      throw new CancelledError(
        cancellation.by,
        `health gate stopped after ${formatDuration(gate.elapsedMs)} of ${formatDuration(plan.durationMs)} with ${figures.samples} samples; verdict cancelled`,
      );
    }
    cancellation.dispose();
    const when = gate.completed
      ? ''
      : ` after ${formatDuration(gate.elapsedMs)} of ${formatDuration(plan.durationMs)}`;
    if (!passed) throw new UserError(`Health gate failed${when}: ${verdict.reason}`);
    core.info(
      settings.mode === 'baseline'
        ? `Baseline recorded in ${settings.baselineFile}: ${verdict.reason}`
        : `Health gate passed: ${verdict.reason}`,
    );
  });
}
