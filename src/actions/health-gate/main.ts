import * as core from '@actions/core';
import { formatDuration } from '../../kit/durations.js';
import { UserError } from '../../kit/errors.js';
import { CancelledError, watchCancellation } from '../../kit/cancellation.js';
import { runAction, setOutput } from '../../kit/run-action.js';
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
    const { verdict } = gate;
    const passed = verdict.state === 'pass';
    setOutput('verdict', passed ? 'pass' : gate.cancelled ? 'cancelled' : 'fail');
    setOutput('reason', verdict.reason);
    setOutput('samples', figures.samples);
    setOutput(
      'success-rate',
      figures.successRatePercent === undefined ? '' : formatNumber(figures.successRatePercent),
    );
    setOutput('p50-ms', figures.p50 === undefined ? '' : Math.round(figures.p50));
    setOutput('p95-ms', figures.p95 === undefined ? '' : Math.round(figures.p95));
    setOutput('p99-ms', figures.p99 === undefined ? '' : Math.round(figures.p99));
    setOutput('duration-ms', Math.round(gate.elapsedMs));

    await writeSummary({ settings, gate, stats, figures });
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
    core.info(`Health gate passed: ${verdict.reason}`);
  });
}
