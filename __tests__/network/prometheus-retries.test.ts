import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { parseCondition } from '../../src/gate/condition.js';
import { prometheusProbe } from '../../src/gate/probes/prometheus.js';
import type { PrometheusProbeSpec } from '../../src/gate/types.js';

/**
 * The Prometheus probe against a server speaking the query API that answers the statuses
 * a test scripts (503, 429 with Retry-After, 400) before a real answer.
 */
let server: Server;
let base = '';
let script: Array<{ status: number; retryAfter?: string }> = [];
let requests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    const next = script.shift();
    if (next) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (next.retryAfter) headers['retry-after'] = next.retryAfter;
      res.writeHead(next.status, headers).end(
        JSON.stringify({
          status: 'error',
          errorType: next.status === 400 ? 'bad_data' : 'unavailable',
          error: 'scripted',
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [0, '0.002'] }] },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

function probe(log: string[], slept: number[], timeoutMs = 10_000) {
  const spec: PrometheusProbeSpec = {
    kind: 'prometheus',
    name: 'errors',
    timeoutMs,
    url: new URL(base),
    query: 'sum(rate(errors[1m]))',
    condition: parseCondition('< 0.01')!,
    headers: {},
  };
  return prometheusProbe(spec, 'fail', {
    log: (l) => log.push(l),
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
}

describe('Prometheus query retries', () => {
  test('503 then 429 with Retry-After: the third answer is the sample, two log lines', async () => {
    script = [{ status: 503 }, { status: 429, retryAfter: '2' }];
    requests = 0;
    const log: string[] = [];
    const slept: number[] = [];
    const result = await probe(log, slept).sample(new AbortController().signal);
    expect(result).toMatchObject({ ok: true, value: 0.002 });
    expect(requests).toBe(3);
    expect(slept[1]).toBe(2000);
    expect(log).toEqual([
      expect.stringMatching(
        /^prometheus \(errors\): 503 Service Unavailable on GET \/api\/v1\/query; retry 1\/2 in \d+ms$/,
      ),
      'prometheus (errors): 429 Too Many Requests on GET /api/v1/query; retry 2/2 in 2.0s',
    ]);
  });

  test('a rejected query (400) is not retried: it would fail the same way every time', async () => {
    script = [{ status: 400 }];
    requests = 0;
    const log: string[] = [];
    const result = await probe(log, []).sample(new AbortController().signal);
    expect(result).toMatchObject({ ok: false, fatal: true });
    expect(requests).toBe(1);
    expect(log).toEqual([]);
  });

  test('the retries stay within the probe timeout: a long Retry-After ends them', async () => {
    script = [{ status: 503, retryAfter: '30' }];
    requests = 0;
    const log: string[] = [];
    const result = await probe(log, [], 5000).sample(new AbortController().signal);
    expect(result).toMatchObject({ ok: false });
    expect(result?.error).toMatch(/unavailable: scripted/);
    expect(requests).toBe(1);
    expect(log[0]).toMatch(
      /giving up after 1 attempts: the next retry \(Retry-After 30\.0s\) would pass the 5\.0s retry budget$/,
    );
  });
});
