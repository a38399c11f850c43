import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAction, scratchDir, type ActionRun } from '../support/run-action.js';
import { startGateServer, type GateServer } from './support/gate-server.js';

/**
 * Baseline comparison: the same probes before and after a "deploy" (the test switches the
 * app's latency or error ratio in between). The after-gate must fail on the comparison with
 * the baseline, not on an absolute limit.
 */

let server: GateServer;
beforeAll(async () => {
  server = await startGateServer();
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(() => {
  server.script(undefined);
});

const probes = (): string =>
  `- name: api\n  http:\n    url: ${server.url}/orders\n    timeout: 3s\n`;

function run(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction(
    'health-gate',
    { duration: '2s', interval: '200ms', 'success-rate': '80%', probes: probes(), ...inputs },
    { timeoutMs: 60_000 },
  );
}

async function recordBaseline(file: string): Promise<ActionRun> {
  const before = await run({ mode: 'baseline', 'baseline-file': file });
  expect(before.exitCode).toBe(0);
  expect(existsSync(file)).toBe(true);
  return before;
}

describe('health-gate compare-to: baseline', () => {
  test('latency ten times higher after the deploy fails on the comparison, unchanged latency passes', async () => {
    const file = join(scratchDir('gate-baseline-'), 'baseline.json');
    server.set({ latencyMs: 50, errorRatio: 0 });
    const before = await recordBaseline(file);
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as {
      probes: Record<string, { p95: number; samples: number; error_rate: number }>;
    };
    expect(recorded.probes.api.samples).toBeGreaterThan(5);
    expect(recorded.probes.api.p95).toBeGreaterThanOrEqual(50);
    expect(recorded.probes.api.error_rate).toBe(0);
    expect(JSON.parse(before.outputs.baseline)).toEqual(recorded);
    expect(before.summary).toContain('Health gate baseline (before the deploy)');

    // an absolute allowance: a loaded test machine may add tens of ms to one run, not 250
    const compare = {
      'compare-to': 'baseline',
      'baseline-file': file,
      'max-p95-increase': '250ms',
      'min-samples': '3',
    };
    const same = await run(compare);
    expect(same.exitCode).toBe(0);
    expect(same.outputs.verdict).toBe('pass');
    expect(same.summary).toContain('Before vs after the deploy');
    expect(same.outputs.decision).toBe('keep');

    const held = await run({ ...compare, hold: 'manual' });
    expect(held.exitCode).toBe(0);
    expect(held.outputs.decision).toBe('pending');
    expect(held.summary).toContain('Decision pending');

    server.set({ latencyMs: 500 });
    const slower = await run(compare);
    expect(slower.exitCode).not.toBe(0);
    expect(slower.outputs.verdict).toBe('fail');
    // no absolute max-p95 is set: only the comparison can fail it
    expect(slower.outputs.reason).toMatch(
      /^probe 'api': p95 \d+ms is worse than the baseline's \d+ms \([\d.]+×\); max-p95-increase \+250ms allows \d+ms$/,
    );
    expect(slower.summary).toContain('❌ worse');
    expect(slower.outputs.decision).toBe('rollback');
  });

  test('an error rate up from 0% to 10% fails on the comparison while success-rate 80% passes', async () => {
    const file = join(scratchDir('gate-baseline-'), 'baseline.json');
    server.set({ latencyMs: 0, errorRatio: 0 });
    await recordBaseline(file);
    server.set({ errorRatio: 0.1 });
    const after = await run({
      'compare-to': 'baseline',
      'baseline-file': file,
      'max-consecutive-failures': '0',
    });
    expect(after.exitCode).not.toBe(0);
    expect(after.outputs.reason).toMatch(
      /^probe 'api': error rate [\d.]+% is worse than the baseline's 0%; max-error-rate-increase 1% allows 1%$/,
    );
  });

  test('no baseline file is one input error before the first sample', async () => {
    const file = join(scratchDir('gate-baseline-'), 'none.json');
    server.counts.ok = 0;
    const r = await run({ 'compare-to': 'baseline', 'baseline-file': file });
    expect(r.exitCode).not.toBe(0);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(
      /^Input 'baseline-file': .*none\.json cannot be read \(ENOENT\); run health-gate with mode: baseline before the deploy step/,
    );
    expect(server.counts.ok).toBe(0);
  });
});
