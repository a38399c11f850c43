import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { runAction, type ActionRun } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';
import { startGateServer, type GateServer } from './support/gate-server.js';

let server: GateServer;

beforeAll(async () => {
  server = await startGateServer();
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(() => {
  server.set({ errorRatio: 0, latencyMs: 0 });
  server.script(undefined);
});

function httpProbe(extra = ''): string {
  return `- name: api\n  http:\n    url: ${server.url}/healthz\n    timeout: 2s\n${extra}`;
}

async function gate(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction('health-gate', inputs, { timeoutMs: 60_000 });
}

describe('health-gate against a live HTTP server', () => {
  test('healthy for the whole window: pass, with figures, chart and outputs', async () => {
    server.script(undefined);
    server.counts.ok = 0;
    const run = await gate({ duration: '4s', interval: '250ms', probes: httpProbe() });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    // slots at 0, 250ms ... 4s: 17 samples, one request each (a machine under load may skip one)
    const n = Number(run.outputs.samples);
    expect(n).toBe(server.counts.ok);
    expect(n).toBeLessThanOrEqual(17);
    expect(n).toBeGreaterThanOrEqual(12);
    expect(run.outputs['success-rate']).toBe('100');
    expect(Number(run.outputs['p50-ms'])).toBeGreaterThanOrEqual(0);
    expect(Number(run.outputs['p95-ms'])).toBeGreaterThanOrEqual(Number(run.outputs['p50-ms']));
    expect(Number(run.outputs['p99-ms'])).toBeGreaterThanOrEqual(Number(run.outputs['p95-ms']));
    expect(Number(run.outputs['duration-ms'])).toBeGreaterThanOrEqual(4000);
    expect(run.outputs.reason).toBe(
      `probe 'api' healthy, ${n} of ${n} samples good (100%, success-rate 99%), p95 ${run.outputs['p95-ms']}ms`,
    );
    expect(run.summary).toContain('✅ pass');
    expect(run.summary).toContain('```mermaid\nxychart-beta');
    expect(run.summary).toMatch(new RegExp(`line \\[(\\d+, ){${n - 1}}\\d+\\]`));
    // a start line, the probe, the verdict: never one line per sample (debug lines aside)
    const lines = run.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('::'));
    expect(lines).toEqual([
      'Watching 1 probe for 4.0s every 250ms (up to 17 samples each), fail-fast true:',
      `  api (http): GET ${server.url}/healthz`,
      `Health gate passed: ${run.outputs.reason}`,
    ]);
  });

  test('turns bad halfway: fails on the third failure in a row, before the window ends', async () => {
    server.script((n) => (n > 16 ? { errorRatio: 1 } : undefined));
    const run = await gate({
      duration: '8s',
      interval: '250ms',
      'success-rate': '50%',
      probes: httpProbe(),
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toBe(
      "probe 'api': 3 failed samples in a row (max-consecutive-failures 3); last: status 500, expected 2xx",
    );
    // the window holds 33 samples; fail-fast stopped after 16 good and 3 bad
    expect(run.outputs.samples).toBe('19');
    expect(run.outputs['success-rate']).toBe('84.21');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /^Health gate failed after .* of 8\.0s: probe 'api': 3 failed samples in a row/,
    );
    expect(run.stdout).toContain("probe 'api' failing: status 500, expected 2xx");
    expect(run.summary).toContain('❌ fail');
    expect(run.summary).toContain('stopped early: fail-fast');
  });

  test('with fail-fast false the gate watches the whole window and still fails', async () => {
    server.script((n) => (n > 4 && n <= 7 ? { errorRatio: 1 } : undefined));
    const run = await gate({
      duration: '3s',
      interval: '250ms',
      'fail-fast': 'false',
      'success-rate': '50%',
      probes: httpProbe(),
    });
    expect(run.exitCode).toBe(1);
    // past the failures: it kept watching after the verdict was fail
    expect(Number(run.outputs.samples)).toBeGreaterThan(7);
    expect(Number(run.outputs.samples)).toBeLessThanOrEqual(13);
    expect(run.outputs.reason).toMatch(/^probe 'api': 3 failed samples in a row/);
    expect(run.stdout).toContain("probe 'api' recovered after 3 failed samples");
  });

  test('latency over max-p95: fails naming p95', async () => {
    server.set({ latencyMs: 150 });
    const run = await gate({
      duration: '6s',
      interval: '200ms',
      'max-p95': '50ms',
      probes: httpProbe(),
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    // 31 slots allow one sample over the limit; the second one decides
    expect(run.outputs.reason).toMatch(
      /^probe 'api': p95 latency \d+ms is over max-p95 50ms \(2 of 2 samples slower, at most \d+ left\)$/,
    );
    expect(Number(run.outputs['p95-ms'])).toBeGreaterThanOrEqual(150);
    expect(run.outputs['success-rate']).toBe('100');
  });

  test('recovers before the consecutive-failure limit: pass', async () => {
    server.script((n) => (n === 5 || n === 6 ? { errorRatio: 1 } : undefined));
    const run = await gate({
      duration: '3s',
      interval: '250ms',
      'success-rate': '80%',
      probes: httpProbe(),
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    const n = Number(run.outputs.samples);
    expect(n).toBeLessThanOrEqual(13);
    const rate = String(Math.round(((n - 2) / n) * 10000) / 100);
    expect(run.outputs['success-rate']).toBe(rate);
    expect(run.stdout).toContain("probe 'api' recovered after 2 failed samples");
    expect(run.summary).toContain(
      `<td>api</td><td>http</td><td>GET ${server.url}/healthz (expect 2xx)</td><td>${n}</td><td>2</td><td>${rate}%</td><td>2</td>`,
    );
  });

  test('a request timeout is a failed sample with its reason, not a crash', async () => {
    server.set({ latencyMs: 1500 });
    const run = await gate({
      duration: '6s',
      interval: '200ms',
      'success-rate': '50%',
      probes: `- name: slow\n  http:\n    url: ${server.url}/\n    timeout: 100ms\n`,
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toBe(
      "probe 'slow': 3 failed samples in a row (max-consecutive-failures 3); last: no response within 100ms",
    );
    expect(run.outputs.samples).toBe('3');
    expect(run.errors).toHaveLength(1);
  });

  test('warmup samples are not counted', async () => {
    server.script((n) => (n <= 3 ? { errorRatio: 1 } : undefined));
    const run = await gate({
      duration: '2s',
      interval: '200ms',
      warmup: '3',
      'success-rate': '100%',
      probes: httpProbe(),
    });
    expect(run.outputs.verdict).toBe('pass');
    const n = Number(run.outputs.samples);
    expect(n).toBeLessThanOrEqual(8);
    expect(run.summary).toContain(`<td>${n} (+3 warmup)</td>`);
  });

  test('a password in a probe URL is sent as Basic auth and never shown', async () => {
    const password = 'gate-s3cret/pw';
    const url = new URL(server.url);
    url.username = 'monitor';
    url.password = password;
    const run = await gate({
      duration: '1s',
      interval: '250ms',
      probes: `- name: private\n  http:\n    url: ${url.href}status\n    headers: {X-Probe: gate}\n`,
    });
    expect(run.exitCode).toBe(0);
    expect(server.lastAuthorization).toBe(
      `Basic ${Buffer.from(`monitor:${password}`).toString('base64')}`,
    );
    expect(run.stdout).toContain(`GET http://monitor:***@${url.host}/status`);
    expectNoSecret(run, [password]);
  });

  test('command probes: exit 0 passes, a failing script fails with its exit code and stderr', async () => {
    const ok = await gate({
      duration: '1s',
      interval: '200ms',
      probes: '- name: ready\n  command: test "$(echo ok)" = ok\n',
    });
    expect(ok.exitCode).toBe(0);
    expect(ok.outputs.verdict).toBe('pass');
    expect(Number(ok.outputs.samples)).toBeLessThanOrEqual(6);
    expect(ok.outputs['p95-ms']).toBe('');

    const bad = await gate({
      duration: '5s',
      interval: '200ms',
      'success-rate': '50%',
      probes:
        '- name: pods\n  command:\n    run: |\n      echo "checking" \n      echo "2 pods not ready" >&2\n      exit 3\n',
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.outputs.reason).toBe(
      "probe 'pods': 3 failed samples in a row (max-consecutive-failures 3); last: exit code 3: 2 pods not ready",
    );
  });

  test('a command that hangs is killed at its timeout, with its children', async () => {
    const run = await gate({
      duration: '5s',
      interval: '200ms',
      'max-consecutive-failures': '2',
      'success-rate': '50%',
      probes: '- name: hang\n  command:\n    run: sleep 30\n    timeout: 300ms\n',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toBe(
      "probe 'hang': 2 failed samples in a row (max-consecutive-failures 2); last: did not finish within 300ms",
    );
  });
});

describe('health-gate: bad inputs fail before the first sample', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'interval longer than duration',
      { duration: '10s', interval: '1m' },
      /^Input 'interval': 1m 00s is longer than duration 10\.0s/,
    ],
    [
      'success-rate over 100%',
      { 'success-rate': '101%' },
      /^Input 'success-rate': "101%" is not a success rate; use a percentage from 0% to 100%/,
    ],
    ['negative duration', { duration: '-1m' }, /^Input 'duration': "-1m" is not a duration/],
    [
      'unknown probe kind',
      { probes: '- tcp: {host: 127.0.0.1}\n' },
      /^Input 'probes': probe 1: unknown probe kind 'tcp'; use one of: http, prometheus, command, sql\.$/,
    ],
    [
      'http probe without url',
      { probes: '- name: web\n  http: {method: GET}\n' },
      /^Input 'probes': probe 1 \('web'\): needs 'url'/,
    ],
    [
      'prometheus probe without query',
      { probes: '- prometheus: {url: "http://127.0.0.1:9", condition: "< 1"}\n' },
      /^Input 'probes': probe 1: needs 'query'/,
    ],
    [
      'command probe without run',
      { probes: '- command: {timeout: 5s}\n' },
      /^Input 'probes': probe 1: needs 'run'/,
    ],
    [
      'condition that does not parse',
      {
        probes:
          '- name: errors\n  prometheus: {url: "http://127.0.0.1:9", query: up, condition: "about 1"}\n',
      },
      /^Input 'probes': probe 1 \('errors'\): condition "about 1" does not parse; use an operator/,
    ],
    [
      'min-samples out of reach',
      { duration: '2s', interval: '1s', 'min-samples': '5' },
      /^Input 'min-samples': 5 cannot be reached: duration 2\.0s at interval 1\.0s gives at most 3 samples per probe/,
    ],
    [
      'probes not a list',
      { probes: 'http: http://127.0.0.1:9\n' },
      /^Input 'probes': must be a YAML list of probes/,
    ],
  ];

  test.each(cases)('%s', async (_name, inputs, message) => {
    const before = server.counts.ok + server.counts.error;
    const run = await gate({ duration: '5s', interval: '1s', probes: httpProbe(), ...inputs });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(message);
    expect(run.outputs).toEqual({});
    expect(run.stdout).not.toMatch(/at .*\.js:\d+/);
    expect(server.counts.ok + server.counts.error).toBe(before);
  });
});
