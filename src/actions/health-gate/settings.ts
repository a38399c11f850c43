import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, errorMessage } from '../../kit/errors.js';
import { formatDuration } from '../../kit/durations.js';
import { getBoolean, getDuration, getEnum, getInteger, getString } from '../../kit/inputs.js';
import { getYaml } from '../../kit/yaml-input.js';
import {
  parseBaseline,
  parseErrorRateTolerance,
  parseP95Tolerance,
  type Baseline,
  type Tolerance,
} from '../../gate/baseline.js';
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
  /** gate: decide; baseline: record the figures before a deploy, never fail on them */
  mode: 'gate' | 'baseline';
  /** where baseline mode writes and compare-to baseline reads the figures */
  baselineFile: string;
  /** compare-to baseline: the figures before the deploy and how much worse is allowed */
  compare?: { baseline: Baseline; tolerance: Tolerance };
  /** manual: a passing gate ends with decision `pending`, for a person to keep or roll back */
  hold: 'none' | 'manual';
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

  const mode = getEnum<'gate' | 'baseline'>('mode', ['gate', 'baseline'], { default: 'gate' });
  const baselineFile = resolve(
    process.env.GITHUB_WORKSPACE ?? process.cwd(),
    getString('baseline-file') ||
      join(process.env.RUNNER_TEMP ?? process.cwd(), 'health-gate-baseline.json'),
  );
  const compareTo = getEnum<'none' | 'baseline'>('compare-to', ['none', 'baseline'], {
    default: 'none',
  });
  let compare: GateSettings['compare'];
  if (compareTo === 'baseline') {
    if (mode === 'baseline')
      throw new InputError('compare-to', 'baseline cannot be used with mode: baseline.');
    compare = { baseline: readBaseline(baselineFile), tolerance: readTolerance() };
  }

  return {
    plan,
    rules: { successRate, maxP95Ms, maxConsecutiveFailures, minSamples, warmup },
    probes,
    // a baseline watches the whole window: its figures are what it is for
    failFast: mode === 'baseline' ? false : failFast,
    noData,
    mode,
    baselineFile,
    compare,
    hold: getEnum<'none' | 'manual'>('hold', ['none', 'manual'], { default: 'none' }),
  };
}

function readBaseline(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(
      'baseline-file',
      `${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}); run health-gate with mode: baseline before the deploy step, in the same job.`,
    );
  }
  try {
    return parseBaseline(text);
  } catch (err) {
    throw new InputError('baseline-file', `${path}: ${errorMessage(err)}.`);
  }
}

function readTolerance(): Tolerance {
  const p95Text = getString('max-p95-increase', { default: '50%' });
  const p95 = parseP95Tolerance(p95Text);
  if (!p95)
    throw new InputError(
      'max-p95-increase',
      `${JSON.stringify(p95Text)} is neither a percentage of the baseline's p95 (50%) nor a duration added to it (200ms).`,
    );
  const rateText = getString('max-error-rate-increase', { default: '1%' });
  const errorRate = parseErrorRateTolerance(rateText);
  if (errorRate === undefined)
    throw new InputError(
      'max-error-rate-increase',
      `${JSON.stringify(rateText)} is not a percentage (percentage points over the baseline's error rate, e.g. 1%).`,
    );
  return { ...p95, errorRate };
}
