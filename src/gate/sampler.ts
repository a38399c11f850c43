import { evaluate } from './evaluator.js';
import type { Probe } from './probes/probe.js';
import type { ProbeProgress } from './stats.js';
import { redact } from '../kit/secrets.js';
import type { GateRules, Plan, ProbeResult, Sample, Verdict } from './types.js';

export interface GateOptions {
  plan: Plan;
  rules: GateRules;
  /** stop as soon as the verdict is fail (true), or watch the whole window anyway (false) */
  failFast: boolean;
  probes: readonly Probe[];
  /** called after every sample with everything known so far */
  onSample?: (probe: ProbeProgress, sample: Sample, all: readonly ProbeProgress[]) => void;
  /** monotonic time and waiting; tests substitute a fake clock */
  clock?: Clock;
  /** the run was cancelled: probes in flight are stopped and the verdict is `cancelled` */
  cancel?: AbortSignal;
}

export interface Clock {
  now(): number;
  /** waits ms (at once when not positive); resolves early when the signal aborts */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface GateRun {
  verdict: Verdict;
  probes: ProbeProgress[];
  /** ms from the first sample's start to the decision */
  elapsedMs: number;
  /** the window ended before a verdict forced a stop */
  completed: boolean;
  /** the run was cancelled before the gate decided */
  cancelled: boolean;
}

interface MutableProgress extends ProbeProgress {
  samples: Sample[];
  nextSlot: number;
}

/**
 * Samples every probe on its own schedule — slot k at k × interval from the start — and asks
 * the evaluator after each sample. A probe slower than the interval skips the slots it missed
 * instead of bunching its samples. With fail-fast, the first `fail` aborts every probe in
 * flight (requests are cancelled, scripts killed) and the run ends at once.
 */
export async function runGate(opts: GateOptions): Promise<GateRun> {
  const clock = opts.clock ?? realClock;
  const { plan, rules } = opts;
  const start = clock.now();
  const stop = new AbortController();
  const progress: MutableProgress[] = opts.probes.map((p) => ({
    name: p.spec.name,
    kind: p.spec.kind,
    samples: [],
    nextSlot: 0,
  }));
  let verdict: Verdict = { state: 'watching', reason: 'watching' };
  let decidedAt: number | undefined;
  let cancelled = false;
  const onCancel = (): void => {
    if (stop.signal.aborted) return;
    cancelled = true;
    decidedAt = clock.now();
    stop.abort();
  };
  if (opts.cancel?.aborted) onCancel();
  opts.cancel?.addEventListener('abort', onCancel, { once: true });

  const loop = async (probe: Probe, state: MutableProgress): Promise<void> => {
    while (state.nextSlot < plan.totalSlots && !stop.signal.aborted) {
      const slot = state.nextSlot;
      await clock.sleep(start + slot * plan.intervalMs - clock.now(), stop.signal);
      if (stop.signal.aborted) break;
      const atMs = clock.now() - start;
      const result = await sampleSafely(probe, stop.signal);
      if (result === undefined || stop.signal.aborted) break;
      const sample: Sample = { ...result, slot, atMs };
      state.samples.push(sample);
      // A late sample still takes the slot that is due now; only slots that passed whole
      // while this sample ran are skipped, so jitter loses nothing and a slow probe keeps pace.
      state.nextSlot = Math.max(slot + 1, Math.floor((clock.now() - start) / plan.intervalMs));
      verdict = evaluate(progress, rules, plan);
      opts.onSample?.(state, sample, progress);
      if (verdict.state === 'fail' && opts.failFast && !stop.signal.aborted) {
        decidedAt = clock.now();
        stop.abort();
      }
    }
  };

  try {
    await Promise.all(opts.probes.map((p, i) => loop(p, progress[i])));
  } finally {
    opts.cancel?.removeEventListener('abort', onCancel);
  }
  const completed = !stop.signal.aborted;
  if (completed) {
    verdict = evaluate(progress, rules, plan, true);
    decidedAt = clock.now();
  } else if (cancelled) {
    const samples = progress.reduce((n, p) => n + p.samples.length, 0);
    const by = typeof opts.cancel?.reason === 'string' ? ` by ${opts.cancel.reason}` : '';
    verdict = {
      state: 'cancelled',
      reason: `the run was cancelled${by} after ${samples} sample${samples === 1 ? '' : 's'}, before a verdict`,
    };
  }
  return {
    verdict,
    probes: progress,
    elapsedMs: (decidedAt ?? clock.now()) - start,
    completed,
    cancelled,
  };
}

const realClock: Clock = { now: () => performance.now(), sleep };

/** A probe that throws (a bug) gives a failed sample instead of leaving the other probes running alone. */
async function sampleSafely(probe: Probe, stop: AbortSignal): Promise<ProbeResult | undefined> {
  const started = performance.now();
  try {
    return await probe.sample(stop);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      durationMs: performance.now() - started,
      error: `probe error: ${redact(message)}`,
    };
  }
}

/** Waits ms (at once when not positive); resolves early when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
