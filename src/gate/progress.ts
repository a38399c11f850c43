import { formatDuration } from '../kit/durations.js';
import { formatMs, formatPercent, gateFigures, probeStats, type ProbeProgress } from './stats.js';
import type { GateRules, Plan, Sample } from './types.js';

/** `[2m 00s] 240 samples, 3 failed, success 98.75%, p95 45ms` */
export function progressLine(
  elapsedMs: number,
  probes: readonly ProbeProgress[],
  rules: GateRules,
  plan: Plan,
): string {
  const figures = gateFigures(probes.map((p) => probeStats(p, rules, plan)));
  const rate =
    figures.successRatePercent === undefined
      ? '—'
      : formatPercent(figures.successRatePercent / 100);
  const p95 = figures.p95 === undefined ? '' : `, p95 ${formatMs(figures.p95)}`;
  return `[${formatDuration(elapsedMs)} of ${formatDuration(plan.durationMs)}] ${figures.samples} samples, ${figures.failed} failed, success ${rate}${p95}`;
}

/**
 * Decides what the log shows while the gate watches: one progress line per period (a minute
 * by default) and a line when a probe starts failing or recovers — never one line per sample.
 */
export class ProgressLog {
  private nextLineAt: number;
  private failing = new Map<string, number>();

  constructor(
    private readonly plan: Plan,
    private readonly rules: GateRules,
    private readonly log: (line: string) => void,
    private readonly everyMs = 60_000,
  ) {
    this.nextLineAt = everyMs;
  }

  onSample(probe: ProbeProgress, sample: Sample, all: readonly ProbeProgress[]): void {
    const streak = this.failing.get(probe.name) ?? 0;
    if (!sample.ok) {
      if (streak === 0) this.log(`probe '${probe.name}' failing: ${sample.error ?? 'failed'}`);
      this.failing.set(probe.name, streak + 1);
    } else if (streak > 0) {
      this.log(
        `probe '${probe.name}' recovered after ${streak} failed sample${streak === 1 ? '' : 's'}`,
      );
      this.failing.set(probe.name, 0);
    }
    if (sample.atMs >= this.nextLineAt) {
      this.log(progressLine(sample.atMs, all, this.rules, this.plan));
      while (this.nextLineAt <= sample.atMs) this.nextLineAt += this.everyMs;
    }
  }
}
