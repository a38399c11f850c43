import { countedSlotsLeft, isWarmup } from './rules.js';
import type { GateRules, Plan, ProbeKind, Sample } from './types.js';

/** Nearest-rank percentile of ascending values: the smallest value with at least p% at or under it. */
export function percentile(sortedAsc: readonly number[], p: number): number | undefined {
  if (sortedAsc.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sortedAsc.length);
  return sortedAsc[Math.min(sortedAsc.length, Math.max(1, rank)) - 1];
}

/** What the gate knows about one probe so far. */
export interface ProbeProgress {
  name: string;
  kind: ProbeKind;
  /** every sample taken, warmup included, in order */
  samples: readonly Sample[];
  /** the first slot the probe can still sample; plan.totalSlots once it is done */
  nextSlot: number;
}

export interface ProbeStats {
  name: string;
  kind: ProbeKind;
  taken: number;
  warmup: number;
  /** samples that count (after warmup) */
  counted: number;
  good: number;
  failed: number;
  noData: number;
  /** good / counted, 0..1; undefined without counted samples */
  successRate?: number;
  longestFailureStreak: number;
  currentFailureStreak: number;
  /** latencies of counted samples that have one, ascending */
  latencies: number[];
  p50?: number;
  p95?: number;
  p99?: number;
  /** at most how many more counted samples can come */
  left: number;
  lastError?: string;
  fatalError?: string;
}

export function probeStats(
  probe: ProbeProgress,
  rules: GateRules,
  plan: Plan,
  windowEnded = false,
): ProbeStats {
  let counted = 0;
  let good = 0;
  let noData = 0;
  let streak = 0;
  let longest = 0;
  let lastError: string | undefined;
  let fatalError: string | undefined;
  const latencies: number[] = [];
  probe.samples.forEach((s, i) => {
    if (s.fatal && fatalError === undefined) fatalError = s.error;
    if (isWarmup(s, i, plan, rules.warmup)) return;
    counted++;
    if (s.noData) noData++;
    if (s.latencyMs !== undefined) latencies.push(s.latencyMs);
    if (s.ok) {
      good++;
      streak = 0;
    } else {
      streak++;
      longest = Math.max(longest, streak);
      lastError = s.error;
    }
  });
  latencies.sort((a, b) => a - b);
  return {
    name: probe.name,
    kind: probe.kind,
    taken: probe.samples.length,
    warmup: probe.samples.length - counted,
    counted,
    good,
    failed: counted - good,
    noData,
    successRate: counted > 0 ? good / counted : undefined,
    longestFailureStreak: longest,
    currentFailureStreak: streak,
    latencies,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    left: windowEnded
      ? 0
      : countedSlotsLeft(plan, rules.warmup, probe.nextSlot, probe.samples.length),
    lastError,
    fatalError,
  };
}

export interface GateFigures {
  samples: number;
  good: number;
  failed: number;
  /** percent 0..100, undefined without samples */
  successRatePercent?: number;
  p50?: number;
  p95?: number;
  p99?: number;
}

/** The gate's overall figures: counted samples of every probe, latencies of the http probes pooled. */
export function gateFigures(stats: readonly ProbeStats[]): GateFigures {
  const samples = stats.reduce((n, s) => n + s.counted, 0);
  const good = stats.reduce((n, s) => n + s.good, 0);
  const latencies = stats
    .filter((s) => s.kind === 'http')
    .flatMap((s) => s.latencies)
    .sort((a, b) => a - b);
  return {
    samples,
    good,
    failed: samples - good,
    successRatePercent: samples > 0 ? (good / samples) * 100 : undefined,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}

/** `99.5%`, `100%`, `33.33%`: at most two decimals, no trailing zeros. */
export function formatPercent(fraction: number | undefined): string {
  if (fraction === undefined) return '—';
  return `${formatNumber(fraction * 100)}%`;
}

export function formatNumber(n: number): string {
  return String(Math.round(n * 100) / 100);
}

export function formatMs(ms: number | undefined): string {
  return ms === undefined ? '—' : `${Math.round(ms)}ms`;
}
