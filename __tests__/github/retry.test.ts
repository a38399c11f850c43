import { describe, expect, test } from '@jest/globals';
import { decide, retryAfterMs, type RetryPolicy } from '../../src/github/retry.js';

const policy: RetryPolicy = { retries: 3, baseMs: 1000, maxWaitMs: 120_000 };
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('when a GitHub API request is retried', () => {
  test('Retry-After in seconds or as an HTTP date', () => {
    expect(retryAfterMs('7', NOW)).toBe(7000);
    expect(retryAfterMs(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
    expect(retryAfterMs('soon', NOW)).toBeUndefined();
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
  });

  test('secondary rate limit: 403 with retry-after, 403 naming it, or 429', () => {
    expect(
      decide({ status: 403, headers: { 'retry-after': '5' }, message: 'x' }, 0, policy, NOW),
    ).toEqual({
      retry: true,
      waitMs: 5000,
      why: 'secondary rate limit',
    });
    // without retry-after GitHub asks to wait at least a minute
    expect(
      decide(
        { status: 403, headers: {}, message: 'You have exceeded a secondary rate limit' },
        0,
        policy,
        NOW,
      ),
    ).toMatchObject({
      retry: true,
      waitMs: 60_000,
    });
    expect(
      decide({ status: 429, headers: { 'retry-after': '2' }, message: '' }, 1, policy, NOW),
    ).toMatchObject({ retry: true, waitMs: 2000 });
  });

  test('primary rate limit used up: wait until x-ratelimit-reset (bounded)', () => {
    const headers = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 20) };
    expect(
      decide({ status: 403, headers, message: 'API rate limit exceeded' }, 0, policy, NOW),
    ).toEqual({
      retry: true,
      waitMs: 21_000,
      why: 'rate limit used up',
    });
    const far = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 3600) };
    expect(decide({ status: 403, headers: far, message: '' }, 0, policy, NOW)).toEqual({
      retry: false,
      why: 'rate limit used up: GitHub asks to wait 3601s, longer than the 120s this step waits',
    });
  });

  test('5xx backs off exponentially without Retry-After; retries are bounded', () => {
    expect(decide({ status: 502, headers: {}, message: '' }, 0, policy, NOW)).toMatchObject({
      retry: true,
      waitMs: 1000,
    });
    expect(decide({ status: 503, headers: {}, message: '' }, 2, policy, NOW)).toMatchObject({
      retry: true,
      waitMs: 4000,
    });
    expect(decide({ status: 503, headers: {}, message: '' }, 3, policy, NOW)).toEqual({
      retry: false,
    });
  });

  test('a plain 403, 404 or 422 is not retried', () => {
    for (const status of [401, 403, 404, 422]) {
      expect(
        decide(
          { status, headers: {}, message: 'Resource not accessible by integration' },
          0,
          policy,
          NOW,
        ),
      ).toEqual({ retry: false });
    }
  });
});
