import { describe, expect, test } from '@jest/globals';
import { latencyChart } from '../../src/gate/chart.js';
import { ProgressLog, progressLine } from '../../src/gate/progress.js';
import type { Probe } from '../../src/gate/probes/probe.js';
import { makePlan } from '../../src/gate/rules.js';
import { runGate, sleep, type Clock } from '../../src/gate/sampler.js';
import type { ProbeProgress } from '../../src/gate/stats.js';
import type { GateRules, ProbeResult, Sample } from '../../src/gate/types.js';

const rules: GateRules = {
  successRate: 0.5,
  maxConsecutiveFailures: 3,
  minSamples: 1,
  warmup: { kind: 'samples', count: 0 },
};

/** Time that moves only when someone waits: the schedule becomes exact and instant. */
function fakeClock(): Clock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    async sleep(ms: number, signal: AbortSignal): Promise<void> {
      if (ms > 0 && !signal.aborted) clock.t += ms;
      await Promise.resolve();
    },
  };
  return clock;
}

/**
 * A probe whose n-th answer (0-based) comes from `answer` after `delayMs` on `clock` (real
 * time by default); it honours the stop signal.
 */
function fakeProbe(
  name: string,
  answer: (n: number) => boolean,
  delayMs = 0,
  clock: Pick<Clock, 'sleep'> = { sleep },
): Probe & { calls: number; stopped: number } {
  const probe = {
    calls: 0,
    stopped: 0,
    spec: { kind: 'command' as const, name, run: 'true', timeoutMs: 1000 },
    async sample(stop: AbortSignal): Promise<ProbeResult | undefined> {
      const n = probe.calls++;
      await clock.sleep(delayMs, stop);
      if (stop.aborted) {
        probe.stopped++;
        return undefined;
      }
      const ok = answer(n);
      return { ok, durationMs: delayMs, error: ok ? undefined : `bad #${n}` };
    },
  };
  return probe;
}

describe('runGate', () => {
  test('samples every slot of the window and passes at its end', async () => {
    const plan = makePlan(200, 20); // 11 slots
    const clock = fakeClock();
    const a = fakeProbe('a', () => true, 0, clock);
    const b = fakeProbe('b', () => true, 5, clock);
    const run = await runGate({ plan, rules, failFast: true, probes: [a, b], clock });
    expect(run.verdict.state).toBe('pass');
    expect(run.completed).toBe(true);
    expect(run.probes.map((p) => p.samples.map((s) => s.slot))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    ]);
  });

  test('fail-fast stops every probe at the first fail, dropping samples in flight', async () => {
    const plan = makePlan(5000, 20); // 251 slots: the window would take 5 s
    const bad = fakeProbe('bad', (n) => n < 2);
    const slow = fakeProbe('slow', () => true, 10_000);
    const seen: string[] = [];
    const run = await runGate({
      plan,
      rules,
      failFast: true,
      probes: [bad, slow],
      onSample: (p, s) => seen.push(`${p.name}:${s.ok ? 'good' : 'bad'}`),
    });
    expect(run.verdict).toMatchObject({
      state: 'fail',
      probe: 'bad',
      rule: 'consecutive-failures',
    });
    expect(run.completed).toBe(false);
    expect(seen).toEqual(['bad:good', 'bad:good', 'bad:bad', 'bad:bad', 'bad:bad']);
    expect(slow.stopped).toBe(1);
    expect(run.probes[1].samples).toHaveLength(0);
  });

  test('without fail-fast the window is watched to its end', async () => {
    const plan = makePlan(200, 20);
    const clock = fakeClock();
    const bad = fakeProbe('bad', (n) => (n >= 3 && n < 6 ? false : true), 0, clock);
    const run = await runGate({ plan, rules, failFast: false, probes: [bad], clock });
    expect(run.completed).toBe(true);
    expect(run.probes[0].samples).toHaveLength(11);
    expect(run.verdict).toMatchObject({ state: 'fail', rule: 'consecutive-failures' });
  });

  test('a late sample keeps its slot; only slots that passed whole are skipped', async () => {
    const plan = makePlan(400, 40); // 11 slots
    const clock = fakeClock();
    // 50 ms per sample at a 40 ms interval: each sample starts late, every fifth slot is lost
    const slow = fakeProbe('slow', () => true, 50, clock);
    const run = await runGate({ plan, rules, failFast: true, probes: [slow], clock });
    const samples = run.probes[0].samples;
    expect(samples.map((s) => s.slot)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 10]);
    expect(samples.map((s) => s.atMs)).toEqual([0, 50, 100, 150, 200, 250, 300, 350, 400]);
    expect(run.verdict.state).toBe('pass');
    expect(run.elapsedMs).toBe(450);
  });
});

function httpProgress(
  name: string,
  latencies: Array<number | undefined>,
  stepMs: number,
): ProbeProgress {
  const samples: Sample[] = latencies.map((latencyMs, slot) => ({
    slot,
    atMs: slot * stepMs,
    ok: latencyMs !== undefined,
    durationMs: latencyMs ?? 1,
    latencyMs,
  }));
  return { name, kind: 'http', samples, nextSlot: samples.length };
}

describe('latency chart', () => {
  test('a long window is downsampled to 100 points, each the slowest of its bucket', () => {
    const latencies = Array.from({ length: 1000 }, (_, i) => (i === 537 ? 900 : 10 + (i % 7)));
    const chart = latencyChart([httpProgress('api', latencies, 1000)], 999_000, 250)!;
    expect(chart.points).toBe(100);
    const lines = chart.mermaid.split('\n').filter((l) => l.trim().startsWith('line'));
    expect(lines).toHaveLength(2);
    const api = JSON.parse(lines[0].trim().slice('line '.length)) as number[];
    expect(api).toHaveLength(100);
    expect(api[53]).toBe(900);
    expect(Math.max(...api.filter((_, i) => i !== 53))).toBe(16);
    expect(lines[1].trim()).toBe(`line [${Array(100).fill(250).join(', ')}]`);
    expect(chart.series).toEqual(['api', 'max-p95']);
    expect(chart.mermaid).toContain('xychart-beta');
    expect(chart.mermaid).toContain('x-axis "seconds into the window" 0 --> 999');
    expect(chart.mermaid).toContain('y-axis "ms" 0 --> 990');
  });

  test('a short window keeps one point per sample; no response is 0', () => {
    const chart = latencyChart([httpProgress('api', [12, undefined, 30], 500)], 1000)!;
    expect(chart.points).toBe(3);
    expect(chart.mermaid).toContain('line [12, 0, 30]');
  });

  test('no chart without an http probe', () => {
    const cmd: ProbeProgress = { ...httpProgress('c', [5, 6], 500), kind: 'command' };
    expect(latencyChart([cmd], 1000)).toBeUndefined();
  });
});

describe('progress log', () => {
  test('one line per period and one per change of a probe, not one per sample', () => {
    const plan = makePlan(3000, 250);
    const lines: string[] = [];
    const log = new ProgressLog(plan, rules, (l) => lines.push(l), 1000);
    const samples: Sample[] = [];
    const probe: ProbeProgress = { name: 'api', kind: 'http', samples, nextSlot: 0 };
    for (let slot = 0; slot <= 12; slot++) {
      const ok = !(slot === 5 || slot === 6);
      const s: Sample = {
        slot,
        atMs: slot * 250,
        ok,
        durationMs: 5,
        latencyMs: 5,
        error: ok ? undefined : 'status 500, expected 2xx',
      };
      samples.push(s);
      log.onSample(probe, s, [probe]);
    }
    expect(lines).toEqual([
      '[1.0s of 3.0s] 5 samples, 0 failed, success 100%, p95 5ms',
      "probe 'api' failing: status 500, expected 2xx",
      "probe 'api' recovered after 2 failed samples",
      '[2.0s of 3.0s] 9 samples, 2 failed, success 77.78%, p95 5ms',
      '[3.0s of 3.0s] 13 samples, 2 failed, success 84.62%, p95 5ms',
    ]);
  });

  test('the progress line without latencies', () => {
    const plan = makePlan(60_000, 15_000);
    const probe: ProbeProgress = { name: 'c', kind: 'command', samples: [], nextSlot: 0 };
    expect(progressLine(0, [probe], rules, plan)).toBe(
      '[0ms of 1m 00s] 0 samples, 0 failed, success —',
    );
  });
});

describe('runGate with a probe that throws', () => {
  test('the exception is a failed sample, not a crash', async () => {
    const plan = makePlan(100, 20);
    const broken: Probe = {
      spec: { kind: 'command', name: 'broken', run: 'true', timeoutMs: 1000 },
      sample: () => Promise.reject(new Error('boom')),
    };
    const run = await runGate({ plan, rules, failFast: true, probes: [broken] });
    expect(run.verdict.reason).toBe(
      "probe 'broken': 3 failed samples in a row (max-consecutive-failures 3); last: probe error: boom",
    );
  });
});
