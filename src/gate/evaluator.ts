import { formatDuration } from '../kit/durations.js';
import {
  formatMs,
  formatPercent,
  probeStats,
  type ProbeProgress,
  type ProbeStats,
} from './stats.js';
import type { GateRules, Plan, Verdict } from './types.js';

// Rates are compared with a little slack so that 99 good of 100 meets 99% despite binary fractions.
const EPSILON = 1e-9;

/**
 * Turns the samples so far into a verdict. Pure: the same samples give the same answer.
 *
 * - `fail` as soon as no future samples could make the gate pass: a failure streak reached
 *   max-consecutive-failures, too many failures for the success rate to recover even if every
 *   sample left is good, too many slow samples for p95 to come under max-p95, too few slots
 *   left for min-samples, or a fatal probe error.
 * - `pass` only once the window has ended (no probe has a slot left) and every rule holds.
 * - `watching` otherwise.
 */
export function evaluate(
  probes: readonly ProbeProgress[],
  rules: GateRules,
  plan: Plan,
  windowEnded = false,
): Verdict {
  const stats = probes.map((p) => probeStats(p, rules, plan, windowEnded));
  for (const s of stats) {
    const failure = probeFailure(s, rules);
    if (failure) return failure;
  }
  const ended = windowEnded || stats.every((s) => s.left === 0);
  if (!ended) return { state: 'watching', reason: 'watching' };
  return { state: 'pass', reason: passReason(stats, rules), rule: 'all' };
}

function probeFailure(s: ProbeStats, rules: GateRules): Verdict | undefined {
  const probe = `probe '${s.name}'`;
  const fail = (rule: Verdict['rule'], reason: string): Verdict => ({
    state: 'fail',
    reason: `${probe}: ${reason}`,
    probe: s.name,
    rule,
  });

  if (s.fatalError !== undefined) return fail('fatal', s.fatalError);

  const limit = rules.maxConsecutiveFailures;
  if (limit > 0 && s.longestFailureStreak >= limit) {
    const last = s.lastError ? `; last: ${s.lastError}` : '';
    return fail(
      'consecutive-failures',
      `${s.longestFailureStreak} failed samples in a row (max-consecutive-failures ${limit})${last}`,
    );
  }

  const possible = s.counted + s.left;
  if (possible > 0 && s.counted > 0) {
    const bestRate = (s.good + s.left) / possible;
    if (bestRate + EPSILON < rules.successRate) {
      const last = s.lastError ? `; last: ${s.lastError}` : '';
      return fail(
        'success-rate',
        s.left === 0
          ? `success rate ${formatPercent(s.successRate)} is below success-rate ${formatPercent(rules.successRate)} (${s.failed} of ${s.counted} samples failed${last})`
          : `success rate can no longer reach success-rate ${formatPercent(rules.successRate)}: ${s.failed} of ${s.counted} samples failed, at most ${s.left} left${last}`,
      );
    }
  }

  if (s.kind === 'http' && rules.maxP95Ms !== undefined && s.latencies.length > 0) {
    const max = rules.maxP95Ms;
    const slow = s.latencies.filter((l) => l > max).length;
    // With n latencies p95 is the ceil(0.95 n)-th smallest, so it stays over the limit while
    // more than n - ceil(0.95 n) are slower; the most samples the window can still give decide.
    const n = s.latencies.length + s.left;
    const allowedSlow = n - Math.ceil(0.95 * n);
    if (slow > allowedSlow) {
      return fail(
        'max-p95',
        `p95 latency ${formatMs(s.p95)} is over max-p95 ${formatDuration(max)} (${slow} of ${s.latencies.length} samples slower${s.left > 0 ? `, at most ${s.left} left` : ''})`,
      );
    }
  }

  if (possible < rules.minSamples) {
    return fail(
      'min-samples',
      s.left === 0
        ? `only ${s.counted} samples counted, fewer than min-samples ${rules.minSamples}`
        : `can take at most ${possible} samples, fewer than min-samples ${rules.minSamples}`,
    );
  }
  return undefined;
}

function passReason(stats: readonly ProbeStats[], rules: GateRules): string {
  const samples = stats.reduce((n, s) => n + s.counted, 0);
  const good = stats.reduce((n, s) => n + s.good, 0);
  const parts = [
    `${stats.length === 1 ? `probe '${stats[0].name}'` : `all ${stats.length} probes`} healthy`,
    `${good} of ${samples} samples good (${formatPercent(samples > 0 ? good / samples : undefined)}, success-rate ${formatPercent(rules.successRate)})`,
  ];
  const p95s = stats.filter((s) => s.p95 !== undefined && s.kind === 'http').map((s) => s.p95!);
  if (p95s.length > 0) {
    const worst = Math.max(...p95s);
    parts.push(
      `p95 ${formatMs(worst)}${rules.maxP95Ms !== undefined ? ` (max-p95 ${formatDuration(rules.maxP95Ms)})` : ''}`,
    );
  }
  return parts.join(', ');
}
