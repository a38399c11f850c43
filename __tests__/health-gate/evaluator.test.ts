import { describe, expect, test } from '@jest/globals';
import { evaluate } from '../../src/gate/evaluator.js';
import { makePlan } from '../../src/gate/rules.js';
import type { ProbeProgress } from '../../src/gate/stats.js';
import type { GateRules, Plan, ProbeKind, Sample } from '../../src/gate/types.js';

const plan10: Plan = makePlan(9000, 1000); // slots 0..9: ten samples per probe

function rules(over: Partial<GateRules> = {}): GateRules {
  return {
    successRate: 0.8,
    maxConsecutiveFailures: 3,
    minSamples: 5,
    warmup: { kind: 'samples', count: 0 },
    ...over,
  };
}

/** 'g' good, 'f' failed, digits are latencies handled by `latencies` instead. */
function probe(
  pattern: string,
  opts: { kind?: ProbeKind; name?: string; latencies?: number[]; plan?: Plan } = {},
): ProbeProgress {
  const plan = opts.plan ?? plan10;
  const samples: Sample[] = [...pattern].map((c, slot) => ({
    slot,
    atMs: slot * plan.intervalMs,
    ok: c === 'g',
    durationMs: 1,
    latencyMs: opts.latencies?.[slot],
    error: c === 'g' ? undefined : `status 500, expected 2xx`,
  }));
  return { name: opts.name ?? 'api', kind: opts.kind ?? 'http', samples, nextSlot: pattern.length };
}

/** Feeds the samples one by one and returns every intermediate verdict's state. */
function walk(pattern: string, r: GateRules, plan = plan10): string[] {
  const states: string[] = [];
  for (let n = 1; n <= pattern.length; n++) {
    states.push(evaluate([probe(pattern.slice(0, n), { plan })], r, plan).state);
  }
  return states;
}

describe('evaluate: pass only at the end of the window', () => {
  test('all good: watching until the last slot, then pass', () => {
    const states = walk('gggggggggg', rules());
    expect(states.slice(0, 9)).toEqual(Array(9).fill('watching'));
    expect(states[9]).toBe('pass');
    const v = evaluate([probe('gggggggggg')], rules(), plan10);
    expect(v.reason).toContain('10 of 10 samples good (100%');
  });

  test('windowEnded forces a decision even if slots were skipped', () => {
    const p = { ...probe('gggggg'), nextSlot: 6 };
    expect(evaluate([p], rules(), plan10).state).toBe('watching');
    expect(evaluate([p], rules(), plan10, true).state).toBe('pass');
  });
});

describe('max-consecutive-failures', () => {
  test('fails on the third failure in a row, not before', () => {
    const states = walk('ggfff', rules({ successRate: 0 }));
    expect(states).toEqual(['watching', 'watching', 'watching', 'watching', 'fail']);
    const v = evaluate([probe('ggfff')], rules({ successRate: 0 }), plan10);
    expect(v.rule).toBe('consecutive-failures');
    expect(v.reason).toBe(
      "probe 'api': 3 failed samples in a row (max-consecutive-failures 3); last: status 500, expected 2xx",
    );
  });

  test('a recovery before the limit resets the streak and the gate passes', () => {
    const states = walk('gffgffgggg', rules({ successRate: 0.5 }));
    expect(states).not.toContain('fail');
    expect(states[9]).toBe('pass');
  });

  test('0 turns the rule off', () => {
    const v = evaluate(
      [probe('ffffffffff')],
      rules({ successRate: 0, maxConsecutiveFailures: 0 }),
      plan10,
    );
    expect(v.state).toBe('pass');
  });
});

describe('success-rate', () => {
  test('exactly at the success rate passes', () => {
    // 8 of 10 good is exactly 80%
    expect(evaluate([probe('gfgfgggggg')], rules(), plan10).state).toBe('pass');
    // 99 of 100 good is exactly 99%
    const plan100 = makePlan(99_000, 1000);
    const p = probe('g'.repeat(50) + 'f' + 'g'.repeat(49), { plan: plan100 });
    expect(evaluate([p], rules({ successRate: 0.99 }), plan100).state).toBe('pass');
  });

  test('one failure more than the rate allows fails', () => {
    const v = evaluate([probe('gfgfgfgggg')], rules(), plan10);
    expect(v.state).toBe('fail');
    expect(v.rule).toBe('success-rate');
  });

  test('fails fast once the remaining slots cannot bring the rate back', () => {
    // 10 slots at 80%: the third failure makes 8/10 impossible, wherever it falls
    const states = walk('fgfgf', rules());
    expect(states).toEqual(['watching', 'watching', 'watching', 'watching', 'fail']);
    const v = evaluate([probe('fgfgf')], rules(), plan10);
    expect(v.reason).toBe(
      "probe 'api': success rate can no longer reach success-rate 80%: 3 of 5 samples failed, at most 5 left; last: status 500, expected 2xx",
    );
  });

  test('the second of two allowed failures keeps watching', () => {
    expect(walk('fgfg', rules())).toEqual(['watching', 'watching', 'watching', 'watching']);
  });
});

describe('min-samples', () => {
  test('one sample short of min-samples fails at the end; exactly min-samples passes', () => {
    const plan5 = makePlan(4000, 1000); // five slots
    const short = { ...probe('gggg', { plan: plan5 }), nextSlot: 5 };
    const v = evaluate([short], rules({ minSamples: 5 }), plan5);
    expect(v.state).toBe('fail');
    expect(v.rule).toBe('min-samples');
    expect(v.reason).toBe("probe 'api': only 4 samples counted, fewer than min-samples 5");
    expect(evaluate([probe('ggggg', { plan: plan5 })], rules({ minSamples: 5 }), plan5).state).toBe(
      'pass',
    );
  });

  test('skipped slots that make min-samples unreachable fail before the end', () => {
    const plan5 = makePlan(4000, 1000);
    // a slow probe took slot 0, then the next free slot is 2: at most 4 samples
    const p: ProbeProgress = { ...probe('g', { plan: plan5 }), nextSlot: 2 };
    const v = evaluate([p], rules({ minSamples: 5 }), plan5);
    expect(v.state).toBe('fail');
    expect(v.reason).toContain('can take at most 4 samples, fewer than min-samples 5');
  });
});

describe('warmup', () => {
  test('warmup samples (count) are ignored: failures in them neither fail nor count', () => {
    const r = rules({ warmup: { kind: 'samples', count: 3 }, successRate: 1 });
    expect(walk('fffgggggggg'.slice(0, 10), r)).toEqual([...Array(9).fill('watching'), 'pass']);
    const v = evaluate([probe('fffggggggg')], r, plan10);
    expect(v.reason).toContain('7 of 7 samples good');
  });

  test('the first failure after the warmup counts', () => {
    const r = rules({ warmup: { kind: 'samples', count: 3 }, successRate: 1 });
    const v = evaluate([probe('ggggf')], r, plan10);
    expect(v.state).toBe('fail');
    expect(v.rule).toBe('success-rate');
  });

  test('a time warmup ignores the samples of slots before it', () => {
    const r = rules({
      warmup: { kind: 'time', ms: 2500 },
      successRate: 1,
      maxConsecutiveFailures: 3,
    });
    // slots 0,1,2 (0s, 1s, 2s) are before 2.5s
    expect(evaluate([probe('fffggggggg')], r, plan10).state).toBe('pass');
    expect(evaluate([probe('ffff')], r, plan10).state).toBe('fail');
  });

  test('warmup shrinks what min-samples can reach', () => {
    const r = rules({ warmup: { kind: 'samples', count: 6 }, minSamples: 5 });
    const v = evaluate([probe('g')], r, plan10);
    expect(v.state).toBe('fail');
    expect(v.rule).toBe('min-samples');
  });
});

describe('max-p95', () => {
  const lat = (slowAt: number[], n = 10) =>
    Array.from({ length: n }, (_, i) => (slowAt.includes(i) ? 900 : 20));

  test('passes when p95 is at the limit', () => {
    const p = probe('gggggggggg', { latencies: lat([]).map(() => 100) });
    expect(evaluate([p], rules({ maxP95Ms: 100 }), plan10).state).toBe('pass');
  });

  test('with ten samples p95 is the slowest one, so one slow sample fails at the end', () => {
    const p = probe('gggggggggg', { latencies: lat([4]) });
    const v = evaluate([p], rules({ maxP95Ms: 100 }), plan10);
    expect(v.state).toBe('fail');
    expect(v.rule).toBe('max-p95');
    expect(v.reason).toBe(
      "probe 'api': p95 latency 900ms is over max-p95 100ms (1 of 10 samples slower)",
    );
  });

  test('fails fast once too many slow samples for the window', () => {
    const plan40 = makePlan(39_000, 1000); // 40 slots: two slow samples allowed
    const latencies = [20, 900, 20, 900, 900];
    const states = [1, 2, 3, 4, 5].map(
      (n) =>
        evaluate(
          [probe('ggggg'.slice(0, n), { latencies, plan: plan40 })],
          rules({ maxP95Ms: 100 }),
          plan40,
        ).state,
    );
    expect(states).toEqual(['watching', 'watching', 'watching', 'watching', 'fail']);
  });

  test('only http probes are held to max-p95', () => {
    const p = probe('gggggggggg', { kind: 'command', latencies: lat([1, 2, 3]) });
    expect(evaluate([p], rules({ maxP95Ms: 100 }), plan10).state).toBe('pass');
  });
});

describe('several probes', () => {
  test('every probe must pass; the failing one is named', () => {
    const v = evaluate(
      [
        probe('gggggggggg', { name: 'api' }),
        probe('ggfff', { name: 'errors', kind: 'prometheus' }),
      ],
      rules({ successRate: 0 }),
      plan10,
    );
    expect(v.state).toBe('fail');
    expect(v.probe).toBe('errors');
    expect(v.reason).toMatch(/^probe 'errors': 3 failed samples in a row/);
  });

  test('pass waits for the slowest probe', () => {
    const v = evaluate(
      [probe('gggggggggg', { name: 'a' }), probe('ggggggggg', { name: 'b' })],
      rules(),
      plan10,
    );
    expect(v.state).toBe('watching');
  });

  test('a fatal sample fails at once, even in warmup', () => {
    const p = probe('g');
    const fatal: ProbeProgress = {
      ...p,
      samples: [
        {
          ...p.samples[0],
          ok: false,
          fatal: true,
          error: 'Prometheus rejected the query: bad_data',
        },
      ],
    };
    const v = evaluate([fatal], rules({ warmup: { kind: 'samples', count: 5 } }), plan10);
    expect(v.state).toBe('fail');
    expect(v.rule).toBe('fatal');
    expect(v.reason).toBe("probe 'api': Prometheus rejected the query: bad_data");
  });
});
