import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { runAction, type ActionRun } from '../support/run-action.js';
import { waitFor } from '../support/services/common.js';
import { startPrometheus, type PrometheusServer } from '../support/services/prometheus.js';
import { startGateServer, type GateServer } from './support/gate-server.js';

// Counters over a 3s range with a 1s scrape: a few points, and errors show within a scrape or two.
const ERROR_RATIO =
  'sum(rate(app_requests_total{code="500"}[3s])) / sum(rate(app_requests_total[3s]))';

let app: GateServer;
let prom: PrometheusServer;

beforeAll(async () => {
  app = await startGateServer({ syntheticRps: 50 });
  prom = await startPrometheus({ targets: [app.target], scrapeInterval: '1s' });
  await prom.waitForTargetsUp(30_000);
  // the first scrapes take a few seconds; the rate needs two of them
  await waitFor(
    async () => (await prom.queryValue(ERROR_RATIO)) !== undefined,
    30_000,
    'an error ratio from Prometheus',
  );
}, 90_000);

afterAll(async () => {
  await prom?.stop();
  await app?.stop();
});

beforeEach(async () => {
  app.set({ errorRatio: 0 });
  await waitFor(
    async () => (await prom.queryValue(ERROR_RATIO)) === 0,
    20_000,
    'a healthy error ratio',
  );
});

function probe(query: string, condition: string): string {
  return [
    '- name: errors',
    '  prometheus:',
    `    url: ${prom.url}`,
    `    query: '${query}'`,
    `    condition: '${condition}'`,
    '',
  ].join('\n');
}

function gate(inputs: Record<string, string>, onStart?: () => void): Promise<ActionRun> {
  return runAction('health-gate', inputs, { timeoutMs: 60_000, onStart });
}

describe('health-gate with a real Prometheus', () => {
  test('an error-ratio query passes while the app is healthy', async () => {
    const run = await gate({
      duration: '4s',
      interval: '500ms',
      probes: probe(ERROR_RATIO, '< 0.05'),
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(Number(run.outputs.samples)).toBeLessThanOrEqual(9);
    expect(run.outputs['success-rate']).toBe('100');
    // no http probe: no latency figures
    expect(run.outputs['p95-ms']).toBe('');
    expect(run.summary).toContain('<td>errors</td><td>prometheus</td>');
  });

  test('the same query fails once errors start, before the window ends', async () => {
    let timer: NodeJS.Timeout | undefined;
    const run = await gate(
      {
        duration: '20s',
        interval: '500ms',
        'success-rate': '50%',
        probes: probe(ERROR_RATIO, '< 0.05'),
      },
      () => {
        timer = setTimeout(() => app.set({ errorRatio: 0.4 }), 3000);
      },
    );
    clearTimeout(timer);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toMatch(
      /^probe 'errors': 3 failed samples in a row \(max-consecutive-failures 3\); last: value 0\.\d+ is not < 0\.05$/,
    );
    // good samples before the errors, and the stop long before the 41 of the window
    expect(Number(run.outputs['success-rate'])).toBeGreaterThan(0);
    expect(Number(run.outputs.samples)).toBeLessThan(41);
  });

  test('a query without series fails under no-data: fail', async () => {
    const run = await gate({
      duration: '3s',
      interval: '500ms',
      probes: probe('app_requests_total{code="418"}', '< 1'),
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toBe(
      "probe 'errors': success rate can no longer reach success-rate 99%: 1 of 1 samples failed, at most 6 left; last: the query returned no data (no-data: fail)",
    );
  });

  test('a query without series passes under no-data: ignore', async () => {
    const run = await gate({
      duration: '3s',
      interval: '500ms',
      'no-data': 'ignore',
      probes: probe('app_requests_total{code="418"}', '< 1'),
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    const n = run.outputs.samples;
    expect(run.summary).toContain(`<td>${n} (${n} no data)</td>`);
  });

  test('a query Prometheus rejects fails at the first sample', async () => {
    const run = await gate({ duration: '5s', interval: '500ms', probes: probe('sum(', '< 1') });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.samples).toBe('1');
    expect(run.outputs.reason).toMatch(
      /^probe 'errors': Prometheus rejected the query: bad_data: /,
    );
  });
});
