import type { ProbeProgress } from './stats.js';

export const MAX_POINTS = 100;

export interface LatencyChart {
  /** the mermaid source (without the code fence) */
  mermaid: string;
  /** the series in the order drawn, for a caption (xychart-beta has no legend) */
  series: string[];
  points: number;
}

/**
 * A Mermaid `xychart-beta` of the http probes' latency over the observed part of the window,
 * downsampled into at most 100 time buckets: each point is the slowest sample of its bucket
 * (a spike must not be averaged away), 0 where a bucket has no response. A flat line marks
 * max-p95 when set. Undefined when no http probe recorded a latency.
 */
export function latencyChart(
  probes: readonly ProbeProgress[],
  elapsedMs: number,
  maxP95Ms?: number,
  maxPoints = MAX_POINTS,
): LatencyChart | undefined {
  const http = probes.filter(
    (p) => p.kind === 'http' && p.samples.some((s) => s.latencyMs !== undefined),
  );
  if (http.length === 0) return undefined;
  const lastAt = Math.max(...http.flatMap((p) => p.samples.map((s) => s.atMs)));
  const span = Math.max(elapsedMs, lastAt, 1);
  const sampleCount = Math.max(...http.map((p) => p.samples.length));
  const buckets = Math.max(1, Math.min(maxPoints, sampleCount));
  const width = span / buckets;

  const lines = http.map((p) => {
    const values = new Array<number>(buckets).fill(0);
    for (const s of p.samples) {
      if (s.latencyMs === undefined) continue;
      const b = Math.min(buckets - 1, Math.floor(s.atMs / width));
      values[b] = Math.max(values[b], Math.round(s.latencyMs));
    }
    return values;
  });
  const top = Math.max(1, ...lines.flat(), maxP95Ms ?? 0);
  const seconds = Math.max(1, Math.round(span / 1000));
  const out = [
    'xychart-beta',
    '  title "HTTP latency (ms)"',
    `  x-axis "seconds into the window" 0 --> ${seconds}`,
    `  y-axis "ms" 0 --> ${Math.ceil((top * 11) / 10)}`,
    ...lines.map((values) => `  line [${values.join(', ')}]`),
  ];
  const series = http.map((p) => p.name);
  if (maxP95Ms !== undefined) {
    out.push(`  line [${new Array<number>(buckets).fill(Math.round(maxP95Ms)).join(', ')}]`);
    series.push('max-p95');
  }
  return { mermaid: out.join('\n'), series, points: buckets };
}
