import { InputError } from '../../kit/errors.js';
import { formatDuration } from '../../kit/durations.js';
import { getBoolean, getDuration, getEnum, getInteger, getString } from '../../kit/inputs.js';
import { getYaml } from '../../kit/yaml-input.js';
import { parseProbes } from '../../gate/probe-config.js';
import { makePlan, maxCountedSamples, parseSuccessRate, parseWarmup } from '../../gate/rules.js';
import type { GateRules, NoDataPolicy, Plan, ProbeSpec } from '../../gate/types.js';

/** Everything the health gate was asked to do, read and checked before the first sample. */
export interface GateSettings {
  plan: Plan;
  rules: GateRules;
  probes: ProbeSpec[];
  failFast: boolean;
  noData: NoDataPolicy;
}

export function readSettings(): GateSettings {
  const durationMs = getDuration('duration', { default: '5m' });
  const intervalMs = getDuration('interval', { default: '15s' });
  if (intervalMs > durationMs) {
    throw new InputError(
      'interval',
      `${formatDuration(intervalMs)} is longer than duration ${formatDuration(durationMs)}; the window would hold a single sample. Use an interval shorter than the duration.`,
    );
  }

  const rateText = getString('success-rate', { default: '99%' });
  const successRate = parseSuccessRate(rateText);
  if (successRate === undefined) {
    throw new InputError(
      'success-rate',
      `${JSON.stringify(rateText)} is not a success rate; use a percentage from 0% to 100% (99%, 99.5%) or a fraction from 0 to 1 (0.99).`,
    );
  }

  const maxP95Text = getString('max-p95');
  const maxP95Ms = maxP95Text === '' ? undefined : getDuration('max-p95');
  const maxConsecutiveFailures =
    getInteger('max-consecutive-failures', { default: 3, min: 0 }) ?? 3;
  const minSamples = getInteger('min-samples', { default: 5, min: 1 }) ?? 5;

  const warmupText = getString('warmup', { default: '0' });
  const warmup = parseWarmup(warmupText);
  if (warmup === undefined) {
    throw new InputError(
      'warmup',
      `${JSON.stringify(warmupText)} is neither a number of samples (3) nor a duration (30s, 1m).`,
    );
  }

  const failFast = getBoolean('fail-fast', { default: true });
  const noData = getEnum<NoDataPolicy>('no-data', ['fail', 'ignore'], { default: 'fail' });
  const probes = parseProbes(getYaml('probes'));

  const plan = makePlan(durationMs, intervalMs);
  const reachable = maxCountedSamples(plan, warmup);
  if (reachable < minSamples) {
    const after = warmup.kind === 'samples' ? warmup.count > 0 : warmup.ms > 0;
    throw new InputError(
      'min-samples',
      `${minSamples} cannot be reached: duration ${formatDuration(durationMs)} at interval ${formatDuration(intervalMs)} gives at most ${reachable} samples per probe${after ? ' after the warmup' : ''}. Lower min-samples or the interval, or lengthen the duration.`,
    );
  }

  return {
    plan,
    rules: { successRate, maxP95Ms, maxConsecutiveFailures, minSamples, warmup },
    probes,
    failFast,
    noData,
  };
}
