import { describe, expect, test } from '@jest/globals';
import {
  conditionHolds,
  parseCondition,
  parseStatusExpectation,
  statusMatches,
} from '../../src/gate/condition.js';
import { describeTarget, parseProbes } from '../../src/gate/probe-config.js';
import { commandArgv } from '../../src/gate/probes/command.js';
import { judgeQueryResponse, queryUrl } from '../../src/gate/probes/prometheus.js';
import {
  countedSlotsLeft,
  makePlan,
  maxCountedSamples,
  parseSuccessRate,
  parseWarmup,
} from '../../src/gate/rules.js';
import { percentile } from '../../src/gate/stats.js';
import type { Condition, StatusRange } from '../../src/gate/types.js';

describe('conditions', () => {
  test.each([
    ['< 0.01', '<', 0.01],
    ['>=99', '>=', 99],
    ['  == 1 ', '==', 1],
    ['= 1', '==', 1],
    ['!= 0', '!=', 0],
    ['> -5', '>', -5],
    ['<= 1e-3', '<=', 0.001],
    ['< .5', '<', 0.5],
  ])('%s parses', (text, op, threshold) => {
    expect(parseCondition(text)).toMatchObject({ op, threshold });
  });

  test.each(['about 1', '< ', '0.01', '<< 1', '< 1 2', '< abc', '=> 1', ''])(
    '%j does not parse',
    (text) => {
      expect(parseCondition(text)).toBeUndefined();
    },
  );

  test('comparisons at the boundary', () => {
    const c = (t: string): Condition => parseCondition(t)!;
    expect(conditionHolds(c('< 0.01'), 0.01)).toBe(false);
    expect(conditionHolds(c('<= 0.01'), 0.01)).toBe(true);
    expect(conditionHolds(c('>= 99'), 99)).toBe(true);
    expect(conditionHolds(c('> 99'), 99)).toBe(false);
    expect(conditionHolds(c('== 1'), 1)).toBe(true);
    expect(conditionHolds(c('!= 0'), 0)).toBe(false);
  });
});

describe('expect-status', () => {
  const ranges = (v: unknown): StatusRange[] => parseStatusExpectation(v) as StatusRange[];
  test('numbers, classes, ranges and lists', () => {
    expect(statusMatches(ranges(200), 200)).toBe(true);
    expect(statusMatches(ranges(200), 204)).toBe(false);
    expect(statusMatches(ranges('2xx'), 299)).toBe(true);
    expect(statusMatches(ranges('2xx'), 300)).toBe(false);
    expect(statusMatches(ranges('200-204'), 204)).toBe(true);
    expect(statusMatches(ranges([200, '3xx']), 302)).toBe(true);
    expect(statusMatches(ranges('200, 401'), 401)).toBe(true);
  });
  test.each([['6xx'], ['abc'], [[]], [{ a: 1 }], ['299-200'], [99]])('%j is refused', (v) => {
    expect(typeof parseStatusExpectation(v)).toBe('string');
  });
});

describe('rules inputs', () => {
  test.each([
    ['99%', 0.99],
    ['99.5%', 0.995],
    ['100%', 1],
    ['0%', 0],
    ['0.95', 0.95],
    ['1', 1],
  ])('success-rate %s', (text, value) => {
    expect(parseSuccessRate(text)).toBeCloseTo(value, 10);
  });
  test.each(['101%', '99', '-1%', '1.5', 'high', ''])('success-rate %j is refused', (text) => {
    expect(parseSuccessRate(text)).toBeUndefined();
  });

  test('warmup: a count or a duration', () => {
    expect(parseWarmup('0')).toEqual({ kind: 'samples', count: 0 });
    expect(parseWarmup('3')).toEqual({ kind: 'samples', count: 3 });
    expect(parseWarmup('30s')).toEqual({ kind: 'time', ms: 30_000 });
    expect(parseWarmup('soon')).toBeUndefined();
  });

  test('the plan samples the start and the end of the window', () => {
    expect(makePlan(60_000, 15_000).totalSlots).toBe(5);
    expect(makePlan(10_000, 3000).totalSlots).toBe(4);
    expect(makePlan(1000, 1000).totalSlots).toBe(2);
  });

  test('counted slots left, with warmup', () => {
    const plan = makePlan(9000, 1000); // 10 slots
    expect(maxCountedSamples(plan, { kind: 'samples', count: 0 })).toBe(10);
    expect(maxCountedSamples(plan, { kind: 'samples', count: 3 })).toBe(7);
    expect(maxCountedSamples(plan, { kind: 'time', ms: 2500 })).toBe(7);
    expect(maxCountedSamples(plan, { kind: 'time', ms: 3000 })).toBe(7);
    // two samples taken, one warmup sample still to come, next slot 2
    expect(countedSlotsLeft(plan, { kind: 'samples', count: 3 }, 2, 2)).toBe(7);
    // a slow probe skipped to slot 6 after 2 samples
    expect(countedSlotsLeft(plan, { kind: 'samples', count: 3 }, 6, 2)).toBe(3);
    expect(countedSlotsLeft(plan, { kind: 'time', ms: 2500 }, 1, 1)).toBe(7);
    expect(countedSlotsLeft(plan, { kind: 'time', ms: 2500 }, 10, 9)).toBe(0);
  });

  test('nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([], 95)).toBeUndefined();
  });
});

describe('probes input', () => {
  test('all three kinds with defaults and shorthands', () => {
    const specs = parseProbes([
      { http: 'https://app.example/healthz' },
      {
        name: 'errors',
        prometheus: {
          url: 'http://prom:9090/prom/',
          query: 'up',
          condition: '>= 1',
          timeout: '2s',
        },
      },
      { command: 'kubectl rollout status deploy/web' },
      {
        name: 'api',
        http: {
          url: 'https://u:p%40ss@app.example/api',
          method: 'head',
          'expect-status': [200, '3xx'],
        },
      },
    ]);
    expect(specs.map((s) => s.name)).toEqual(['http-1', 'errors', 'command-3', 'api']);
    expect(specs[0]).toMatchObject({ kind: 'http', method: 'GET', timeoutMs: 5000 });
    expect(specs[1]).toMatchObject({
      kind: 'prometheus',
      timeoutMs: 2000,
      condition: { op: '>=', threshold: 1 },
    });
    expect(specs[2]).toMatchObject({
      kind: 'command',
      run: 'kubectl rollout status deploy/web',
      timeoutMs: 30_000,
    });
    expect(specs[3]).toMatchObject({ kind: 'http', method: 'HEAD' });
    expect(describeTarget(specs[3])).toBe('HEAD https://u:***@app.example/api');
    expect(describeTarget(specs[1])).toBe('up >= 1');
  });

  test.each<[string, unknown, string]>([
    ['missing', undefined, "Input 'probes': is required"],
    ['a mapping', { http: 'x' }, "Input 'probes': must be a YAML list"],
    ['empty', [], "Input 'probes': is an empty list"],
    ['a scalar item', ['http://x'], "Input 'probes': probe 1 must be a mapping"],
    [
      'unknown kind',
      [{ name: 'db', tcp: {} }],
      "Input 'probes': probe 1 ('db'): unknown probe kind 'tcp'; use one of: http, prometheus, command, sql.",
    ],
    [
      'two kinds',
      [{ http: 'http://a', command: 'true' }],
      'probe 1: has more than one kind (http, command)',
    ],
    ['no kind', [{ name: 'x' }], "probe 1 ('x'): has no probe"],
    ['no url', [{ http: {} }], "probe 1: needs 'url'"],
    ['bad url', [{ http: 'not a url' }], 'probe 1: url is not a valid absolute URL'],
    ['ftp url', [{ http: 'ftp://host/x' }], "url scheme 'ftp' is not supported"],
    ['no query', [{ prometheus: { url: 'http://p', condition: '< 1' } }], "probe 1: needs 'query'"],
    [
      'no condition',
      [{ prometheus: { url: 'http://p', query: 'up' } }],
      "probe 1: needs 'condition'",
    ],
    [
      'bad condition',
      [{ prometheus: { url: 'http://p', query: 'up', condition: 'low' } }],
      'condition "low" does not parse',
    ],
    ['no run', [{ command: { timeout: '1s' } }], "probe 1: needs 'run'"],
    [
      'bad timeout',
      [{ http: { url: 'http://a', timeout: 'soon' } }],
      'timeout "soon" is not a positive duration',
    ],
    [
      'typo in a setting',
      [{ http: { url: 'http://a', expect_status: 200 } }],
      "unknown http setting 'expect_status'",
    ],
    [
      'bad status',
      [{ http: { url: 'http://a', 'expect-status': 'ok' } }],
      'expect-status "ok" is not a status',
    ],
    [
      'bad method',
      [{ http: { url: 'http://a', method: 'FETCH' } }],
      "method 'FETCH' is not one of",
    ],
    [
      'duplicate names',
      [
        { name: 'a', http: 'http://a' },
        { name: 'a', command: 'true' },
      ],
      "two probes are named 'a'",
    ],
    ['second probe named', [{ http: 'http://a' }, { command: {} }], "probe 2: needs 'run'"],
  ])('%s', (_name, value, message) => {
    expect(() => parseProbes(value)).toThrow(message);
  });
});

describe('prometheus answers', () => {
  const lt = parseCondition('< 0.05')!;
  const vector = (...values: Array<[Record<string, string>, string]>): string =>
    JSON.stringify({
      status: 'success',
      data: {
        resultType: 'vector',
        result: values.map(([metric, v]) => ({ metric, value: [1, v] })),
      },
    });

  test('the query URL keeps a path prefix', () => {
    expect(queryUrl(new URL('http://h:9090/prom/'), 'sum(up) > 0').href).toBe(
      'http://h:9090/prom/api/v1/query?query=sum%28up%29+%3E+0',
    );
  });

  test('every series must meet the condition', () => {
    expect(judgeQueryResponse(200, vector([{}, '0.01']), lt, 'fail')).toEqual({
      ok: true,
      value: 0.01,
    });
    expect(
      judgeQueryResponse(
        200,
        vector([{ svc: 'a' }, '0.01'], [{ __name__: 'ratio', svc: 'b' }, '0.0625']),
        lt,
        'fail',
      ),
    ).toEqual({ ok: false, value: 0.0625, error: 'ratio{svc="b"}: value 0.0625 is not < 0.05' });
    const scalar = JSON.stringify({
      status: 'success',
      data: { resultType: 'scalar', result: [1, '0.2'] },
    });
    expect(judgeQueryResponse(200, scalar, lt, 'fail')).toMatchObject({
      ok: false,
      error: 'value 0.2 is not < 0.05',
    });
    expect(judgeQueryResponse(200, vector([{}, '+Inf']), lt, 'fail').ok).toBe(false);
  });

  test('an empty result or NaN follows no-data', () => {
    for (const body of [vector(), vector([{}, 'NaN'])]) {
      expect(judgeQueryResponse(200, body, lt, 'fail')).toMatchObject({ ok: false, noData: true });
      expect(judgeQueryResponse(200, body, lt, 'ignore')).toMatchObject({ ok: true, noData: true });
    }
  });

  test('a rejected query is fatal, an unavailable server is not', () => {
    const bad = JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' });
    expect(judgeQueryResponse(400, bad, lt, 'fail')).toEqual({
      ok: false,
      fatal: true,
      error: 'Prometheus rejected the query: bad_data: parse error',
    });
    const busy = JSON.stringify({
      status: 'error',
      errorType: 'unavailable',
      error: 'shutting down',
    });
    expect(judgeQueryResponse(503, busy, lt, 'fail')).toMatchObject({ ok: false, fatal: false });
    expect(judgeQueryResponse(502, '<html>bad gateway</html>', lt, 'fail')).toEqual({
      ok: false,
      error: 'Prometheus answered HTTP 502 without JSON',
    });
    const matrix = JSON.stringify({
      status: 'success',
      data: { resultType: 'matrix', result: [] },
    });
    expect(judgeQueryResponse(200, matrix, lt, 'fail')).toMatchObject({ ok: false, fatal: true });
  });
});

describe('command probe', () => {
  test('runs the script the way a bash run: step does', () => {
    expect(commandArgv('curl -fsS http://x | grep ok')).toEqual([
      'bash',
      '--noprofile',
      '--norc',
      '-eo',
      'pipefail',
      '-c',
      'curl -fsS http://x | grep ok',
    ]);
  });
});
