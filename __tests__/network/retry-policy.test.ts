import { describe, expect, test } from '@jest/globals';
import {
  backoffDelay,
  defaultRetryPolicy,
  isRetryableStatus,
  parseRetryAfter,
  withRetries,
} from '../../src/kit/retry.js';
import type { RetryPolicy } from '../../src/kit/retry.js';

const policy: RetryPolicy = {
  attempts: 4,
  maxElapsedMs: 60_000,
  baseDelayMs: 400,
  maxDelayMs: 1000,
};

/** A fake clock: sleeping moves it forward, so the time budget is checked without waiting. */
function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

describe('Retry-After', () => {
  test('delay-seconds and HTTP-date, relative to now; junk is ignored', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 02 Dec 2026 10:00:05 GMT', now)).toBe(5000);
    // a date in the past means "now"
    expect(parseRetryAfter('Wed, 02 Dec 2026 09:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('backoff', () => {
  test('equal jitter: half fixed, half random, doubling up to the cap', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(200);
    expect(backoffDelay(policy, 1, () => 1)).toBe(400);
    expect(backoffDelay(policy, 2, () => 0.5)).toBe(600);
    expect(backoffDelay(policy, 5, () => 1)).toBe(1000);
    expect(backoffDelay(policy, 5, () => 0)).toBe(500);
  });

  test('retryable statuses are the "try again later" ones only', () => {
    expect([429, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 500, 501].some(isRetryableStatus)).toBe(false);
  });

  test('the environment tunes attempts and the base delay; nonsense keeps the defaults', () => {
    expect(
      defaultRetryPolicy({ RUNBOOK_RETRY_ATTEMPTS: '2', RUNBOOK_RETRY_BASE_DELAY: '10ms' }),
    ).toMatchObject({
      attempts: 2,
      baseDelayMs: 10,
    });
    expect(
      defaultRetryPolicy({ RUNBOOK_RETRY_ATTEMPTS: 'x', RUNBOOK_RETRY_BASE_DELAY: 'soon' }),
    ).toMatchObject({
      attempts: 5,
      baseDelayMs: 500,
    });
  });
});

describe('withRetries', () => {
  test('retries until success, one log line per retry with reason and countdown', async () => {
    const time = fakeTime();
    const log: string[] = [];
    const statuses = [503, 502, 200];
    const result = await withRetries(policy, async () => statuses.shift()!, {
      ...time,
      random: () => 0,
      log: (l) => log.push(l),
      who: 'registry',
      what: 'HEAD /v2/a/b/manifests/v1',
      classify: ({ value }) => (value !== 200 ? { reason: `${value} Bad` } : undefined),
    });
    expect(result).toEqual({ value: 200, attempts: 3 });
    expect(log).toEqual([
      'registry: 503 Bad on HEAD /v2/a/b/manifests/v1; retry 1/3 in 200ms',
      'registry: 502 Bad on HEAD /v2/a/b/manifests/v1; retry 2/3 in 400ms',
    ]);
    expect(time.slept).toEqual([200, 400]);
  });

  test('Retry-After replaces the backoff', async () => {
    const time = fakeTime();
    const outcomes = [true, false];
    await withRetries(policy, async () => outcomes.shift()!, {
      ...time,
      who: 'x',
      what: 'y',
      classify: ({ value }) => (value ? { reason: '429', retryAfterMs: 2500 } : undefined),
    });
    expect(time.slept).toEqual([2500]);
  });

  test('bounded in attempts: the last outcome is returned as it came, with a give-up line', async () => {
    const time = fakeTime();
    const log: string[] = [];
    let calls = 0;
    const result = await withRetries(policy, async () => ++calls, {
      ...time,
      log: (l) => log.push(l),
      who: 'registry',
      what: 'GET /v2/',
      classify: () => ({ reason: '503 Service Unavailable' }),
    });
    expect(result).toEqual({ value: 4, attempts: 4 });
    expect(calls).toBe(4);
    expect(log).toHaveLength(4);
    expect(log[3]).toBe(
      'registry: 503 Service Unavailable on GET /v2/; giving up after 4 attempts',
    );
  });

  test('bounded in time: a Retry-After beyond the budget ends at once, errors are rethrown', async () => {
    const time = fakeTime();
    const log: string[] = [];
    const boom = new Error('reset');
    await expect(
      withRetries({ ...policy, maxElapsedMs: 10_000 }, async () => Promise.reject(boom), {
        ...time,
        log: (l) => log.push(l),
        who: 'registry',
        what: 'PUT /v2/a/manifests/v1',
        classify: () => ({ reason: 'ECONNRESET', retryAfterMs: 30_000 }),
      }),
    ).rejects.toBe(boom);
    expect(time.slept).toEqual([]);
    expect(log[0]).toMatch(
      /giving up after 1 attempts: the next retry \(Retry-After 30\.0s\) would pass the 10\.0s retry budget/,
    );
  });

  test('an outcome that is not retryable is never repeated', async () => {
    let calls = 0;
    await expect(
      withRetries(policy, async () => Promise.reject(new Error(`bad ${++calls}`)), {
        who: 'x',
        what: 'y',
        classify: () => undefined,
      }),
    ).rejects.toThrow('bad 1');
    expect(calls).toBe(1);
  });

  test('cancellation: no retry after the signal, and a wait in progress ends', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = withRetries(
      { ...policy, baseDelayMs: 60_000, maxDelayMs: 60_000, maxElapsedMs: 600_000 },
      async () => ++calls,
      {
        signal: controller.signal,
        who: 'x',
        what: 'y',
        classify: () => ({ reason: '503' }),
      },
    );
    setTimeout(() => controller.abort(), 20);
    await expect(run).rejects.toThrow(/cancelled/);
    expect(calls).toBe(1);
  });
});
