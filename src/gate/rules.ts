import { parseDuration } from '../kit/durations.js';
import type { Plan, Sample, Warmup } from './types.js';

/**
 * Parses a success rate: a percentage (`99%`, `99.5%`) or a fraction (`0.99`).
 * Returns the fraction 0..1, or undefined when the text is neither or out of range.
 */
export function parseSuccessRate(text: string): number | undefined {
  const t = text.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (pct) {
    const n = Number(pct[1]);
    return n >= 0 && n <= 100 ? n / 100 : undefined;
  }
  if (/^(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+)$/.test(t)) return Number(t);
  return undefined;
}

/**
 * Parses a warmup: a whole number is a count of samples per probe (`3`), a duration is a
 * time from the window's start (`30s`); `0` means none. Undefined when it is neither.
 */
export function parseWarmup(text: string): Warmup | undefined {
  const t = text.trim();
  if (t === '' || t === '0') return { kind: 'samples', count: 0 };
  if (/^\d+$/.test(t)) return { kind: 'samples', count: Number(t) };
  const ms = parseDuration(t);
  return ms === undefined ? undefined : { kind: 'time', ms };
}

/** Slots at 0, interval, 2 × interval ... while at most the duration: the window's first and last moment are both sampled. */
export function makePlan(durationMs: number, intervalMs: number): Plan {
  return { durationMs, intervalMs, totalSlots: Math.floor(durationMs / intervalMs) + 1 };
}

/** The first slot whose samples count under a time warmup. */
function firstCountedSlot(plan: Plan, warmup: Warmup): number {
  return warmup.kind === 'time' ? Math.ceil(warmup.ms / plan.intervalMs) : 0;
}

/** Whether the sample at `index` (0-based, in the probe's order) counts or is warmup. */
export function isWarmup(sample: Sample, index: number, plan: Plan, warmup: Warmup): boolean {
  if (warmup.kind === 'samples') return index < warmup.count;
  return sample.slot < firstCountedSlot(plan, warmup);
}

/**
 * At most how many more counted samples a probe can take: one per slot still ahead,
 * minus the ones that will still be warmup. An upper bound (a slow probe skips slots).
 */
export function countedSlotsLeft(
  plan: Plan,
  warmup: Warmup,
  nextSlot: number,
  samplesTaken: number,
): number {
  const slotsLeft = Math.max(0, plan.totalSlots - nextSlot);
  if (warmup.kind === 'samples') {
    return Math.max(0, slotsLeft - Math.max(0, warmup.count - samplesTaken));
  }
  return Math.max(0, plan.totalSlots - Math.max(nextSlot, firstCountedSlot(plan, warmup)));
}

/** How many samples a probe counts at most over the whole window (for the min-samples input check). */
export function maxCountedSamples(plan: Plan, warmup: Warmup): number {
  return countedSlotsLeft(plan, warmup, 0, 0);
}
