import { parseDuration } from '../kit/durations.js';
import type { ProbeStats } from './stats.js';
import type { ProbeKind } from './types.js';

/**
 * Baseline comparison (Kayenta / Argo Rollouts analysis style): the same probes are sampled
 * for a window before the deploy, and after it the gate also fails when a probe became worse
 * than its own "before" by more than a tolerance — a release that doubles latency fails even
 * when the absolute limit would still pass.
 */

export interface BaselineProbe {
  kind: ProbeKind;
  samples: number;
  failed: number;
  /** failed / samples, 0..1 */
  error_rate: number;
  /** http probes: ms */
  p50?: number;
  p95?: number;
}

export interface Baseline {
  version: 1;
  created_at: string;
  duration_ms: number;
  probes: Record<string, BaselineProbe>;
}

/** How much worse than the baseline a probe may get. */
export interface Tolerance {
  /** p95 may grow by this fraction of the baseline's p95 (0.5 = +50%) ... */
  p95Fraction?: number;
  /** ... or by this many ms (one of the two) */
  p95Ms?: number;
  /** the error rate may grow by this many percentage points, as a fraction (0.01 = +1 point) */
  errorRate: number;
}

export function baselineFromStats(
  stats: readonly ProbeStats[],
  durationMs: number,
  now = new Date(),
): Baseline {
  const probes: Record<string, BaselineProbe> = {};
  for (const s of stats) {
    probes[s.name] = {
      kind: s.kind,
      samples: s.counted,
      failed: s.failed,
      error_rate: s.counted > 0 ? s.failed / s.counted : 0,
      ...(s.kind === 'http' && s.p95 !== undefined
        ? { p50: Math.round(s.p50 ?? 0), p95: Math.round(s.p95) }
        : {}),
    };
  }
  return { version: 1, created_at: now.toISOString(), duration_ms: durationMs, probes };
}

/** Reads a baseline file's text; throws an Error naming what is wrong. */
export function parseBaseline(text: string): Baseline {
  const doc = JSON.parse(text) as Partial<Baseline>;
  if (doc.version !== 1 || typeof doc.probes !== 'object' || doc.probes === null)
    throw new Error('it is not a health-gate baseline (version 1 with probes)');
  return doc as Baseline;
}

/** `50%` (of the baseline's p95) or a duration such as `200ms` (added to it). */
export function parseP95Tolerance(
  text: string,
): Pick<Tolerance, 'p95Fraction' | 'p95Ms'> | undefined {
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(text.trim());
  if (pct) return { p95Fraction: Number(pct[1]) / 100 };
  const ms = parseDuration(text.trim());
  return ms === undefined ? undefined : { p95Ms: ms };
}

/** `1%`: percentage points the error rate may grow by, as a fraction. */
export function parseErrorRateTolerance(text: string): number | undefined {
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(text.trim());
  return pct && Number(pct[1]) <= 100 ? Number(pct[1]) / 100 : undefined;
}

export interface ComparisonRow {
  probe: string;
  metric: 'error rate' | 'p95';
  before: number;
  after: number;
  /** the most `after` may be */
  limit: number;
  ok: boolean;
}

export interface Comparison {
  rows: ComparisonRow[];
  /** probes of the gate that the baseline does not have (not compared) */
  missing: string[];
  /** the first failed row as a sentence, undefined when all hold */
  failure?: string;
}

export function compareToBaseline(
  stats: readonly ProbeStats[],
  baseline: Baseline,
  t: Tolerance,
): Comparison {
  const rows: ComparisonRow[] = [];
  const missing: string[] = [];
  for (const s of stats) {
    const before = baseline.probes[s.name];
    if (!before || before.samples === 0 || s.counted === 0) {
      missing.push(s.name);
      continue;
    }
    const after = s.failed / s.counted;
    const limit = before.error_rate + t.errorRate;
    rows.push({
      probe: s.name,
      metric: 'error rate',
      before: before.error_rate,
      after,
      limit,
      ok: after <= limit + 1e-9,
    });
    if (s.kind === 'http' && before.p95 !== undefined && s.p95 !== undefined) {
      const p95Limit =
        t.p95Ms !== undefined ? before.p95 + t.p95Ms : before.p95 * (1 + (t.p95Fraction ?? 0.5));
      rows.push({
        probe: s.name,
        metric: 'p95',
        before: before.p95,
        after: s.p95,
        limit: p95Limit,
        ok: s.p95 <= p95Limit,
      });
    }
  }
  const bad = rows.find((r) => !r.ok);
  return { rows, missing, failure: bad && describeFailure(bad, t) };
}

function describeFailure(r: ComparisonRow, t: Tolerance): string {
  if (r.metric === 'p95') {
    const allowed =
      t.p95Ms !== undefined
        ? `+${Math.round(t.p95Ms)}ms`
        : `+${Math.round((t.p95Fraction ?? 0.5) * 100)}%`;
    const ratio = r.before > 0 ? ` (${(r.after / r.before).toFixed(2)}×)` : '';
    return `probe '${r.probe}': p95 ${Math.round(r.after)}ms is worse than the baseline's ${Math.round(r.before)}ms${ratio}; max-p95-increase ${allowed} allows ${Math.round(r.limit)}ms`;
  }
  const pct = (f: number): string => `${Math.round(f * 10000) / 100}%`;
  return `probe '${r.probe}': error rate ${pct(r.after)} is worse than the baseline's ${pct(r.before)}; max-error-rate-increase ${pct(t.errorRate)} allows ${pct(r.limit)}`;
}
