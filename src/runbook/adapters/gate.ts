import { parseProbes } from '../../gate/probe-config.js';
import { createProbe } from '../../gate/probes/index.js';
import { ProgressLog } from '../../gate/progress.js';
import { makePlan, parseSuccessRate } from '../../gate/rules.js';
import { runGate, type GateRun } from '../../gate/sampler.js';
import { gateFigures, probeStats } from '../../gate/stats.js';
import { InputError } from '../../kit/errors.js';
import { expandDeep } from '../env-text.js';
import type { GateConfig } from '../types.js';

/** The one place the runbook calls the health gate (src/gate/sampler.ts and evaluator). */
export async function runHealthGate(opts: {
  config: GateConfig;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** ends the window early: the verdict is `cancelled` */
  signal?: AbortSignal;
}): Promise<{ run: GateRun; figures: ReturnType<typeof gateFigures> }> {
  const c = opts.config;
  const missing: string[] = [];
  const probesValue = expandDeep(c.probes, opts.env, missing);
  if (missing.length > 0)
    throw new InputError('health-gate.probes', `use \${${missing[0]}}, which is not set.`);
  const specs = parseProbes(probesValue, 'health-gate.probes');
  const plan = makePlan(c.durationMs, c.intervalMs);
  const rules = {
    successRate: parseSuccessRate(c.successRate) ?? 0.99,
    maxP95Ms: c.maxP95Ms,
    maxConsecutiveFailures: c.maxConsecutiveFailures,
    minSamples: c.minSamples,
    warmup: { kind: 'samples' as const, count: 0 },
  };
  const progress = new ProgressLog(plan, rules, opts.log);
  const run = await runGate({
    plan,
    rules,
    failFast: true,
    probes: specs.map((s) => createProbe(s, { noData: 'fail' })),
    onSample: (probe, sample, all) => progress.onSample(probe, sample, all),
    cancel: opts.signal,
  });
  const stats = run.probes.map((p) => probeStats(p, rules, plan, true));
  return { run, figures: gateFigures(stats) };
}
