import { STATUS_CODES } from 'node:http';
import { formatDuration, parseDuration } from './durations.js';

/**
 * Retries of idempotent HTTP calls (registry reads, manifest PUTs, restarted blob uploads,
 * Prometheus queries): jittered exponential backoff that honours `Retry-After`, bounded both in
 * attempts and in total time, one log line per retry saying why. Callers decide what is safe
 * to repeat; this module only decides when and how long to wait.
 */
export interface RetryPolicy {
  /** attempts in all, the first one included (1: no retry) */
  attempts: number;
  /** no retry starts after this long since the first attempt (waiting included) */
  maxElapsedMs: number;
  /** the first backoff; each later one doubles, up to maxDelayMs */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** What the caller injects: tests pass a fast sleep and a fixed random. */
export interface RetryEnvironment {
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
  log?: (line: string) => void;
  /** cancellation: no retry starts and no wait goes on once it aborts */
  signal?: AbortSignal;
}

/** Why an attempt should be repeated: `503 Service Unavailable`, `ECONNRESET (socket hang up)`. */
export interface RetryReason {
  reason: string;
  /** the server's Retry-After, in ms from now */
  retryAfterMs?: number;
}

export interface RetryAttempt<T> {
  value?: T;
  error?: unknown;
}

export interface RetryOptions<T> extends RetryEnvironment {
  /** who is retrying and what: `registry` / `HEAD /v2/acme/web/manifests/latest` */
  who: string;
  what: string;
  /** a reason when the outcome is worth another attempt, else undefined (done or fatal) */
  classify: (outcome: RetryAttempt<T>) => RetryReason | undefined;
  /** releases a value that is thrown away for a retry (a response body) */
  discard?: (value: T) => Promise<void> | void;
}

export interface RetryResult<T> {
  value: T;
  attempts: number;
}

/** Statuses a server uses for "try again later": rate limiting and gateways or overload. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/** `503 Service Unavailable` */
export function statusReason(status: number, statusText?: string): string {
  const text = statusText && statusText.trim() !== '' ? statusText : STATUS_CODES[status];
  return text ? `${status} ${text}` : String(status);
}

/** `Retry-After` as delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // an HTTP-date names its day and month (`Wed, 21 Oct 2026 07:28:00 GMT`); Date.parse alone
  // would also take `-1` as a year
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * The wait before retry number `retry` (1-based): half of the exponential step fixed, half
 * random ("equal jitter"), so clients that failed together do not come back together.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

/**
 * The default policy: 5 attempts within 60 s, backoff from 500 ms. `RUNBOOK_RETRY_ATTEMPTS`
 * and `RUNBOOK_RETRY_BASE_DELAY` (a duration) tune it for a runner or a test.
 */
export function defaultRetryPolicy(
  env: NodeJS.ProcessEnv = process.env,
  base: RetryPolicy = { attempts: 5, maxElapsedMs: 60_000, baseDelayMs: 500, maxDelayMs: 10_000 },
): RetryPolicy {
  const attempts = Number(env.RUNBOOK_RETRY_ATTEMPTS);
  const delay = env.RUNBOOK_RETRY_BASE_DELAY
    ? parseDuration(env.RUNBOOK_RETRY_BASE_DELAY)
    : undefined;
  return {
    ...base,
    attempts: Number.isInteger(attempts) && attempts >= 1 ? attempts : base.attempts,
    baseDelayMs: delay ?? base.baseDelayMs,
  };
}

export class RetryCancelledError extends Error {
  constructor(what: string) {
    super(`${what} was cancelled`);
    this.name = 'RetryCancelledError';
  }
}

/** Waits ms; rejects when the signal aborts first. */
export function sleepCancellable(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new RetryCancelledError('the wait'));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RetryCancelledError('the wait'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until `classify` finds nothing to retry or the budget is spent; then the
 * last outcome is returned or thrown as it came, with the number of attempts made.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  opts: RetryOptions<T>,
): Promise<RetryResult<T>> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? sleepCancellable;
  const log = opts.log ?? ((): void => undefined);
  const started = now();
  const maxRetries = Math.max(0, policy.attempts - 1);
  for (let n = 1; ; n++) {
    let outcome: RetryAttempt<T>;
    try {
      outcome = { value: await attempt(n) };
    } catch (error) {
      outcome = { error };
    }
    const why = opts.classify(outcome);
    const finish = (): RetryResult<T> => {
      if ('error' in outcome) throw outcome.error;
      return { value: outcome.value as T, attempts: n };
    };
    if (!why || opts.signal?.aborted) return finish();
    const prefix = `${opts.who}: ${why.reason} on ${opts.what}`;
    if (n > maxRetries) {
      if (maxRetries > 0) log(`${prefix}; giving up after ${n} attempts`);
      return finish();
    }
    const delay = why.retryAfterMs ?? backoffDelay(policy, n, opts.random);
    const elapsed = now() - started;
    if (elapsed + delay > policy.maxElapsedMs) {
      const asked = why.retryAfterMs !== undefined ? ` (Retry-After ${formatDuration(delay)})` : '';
      log(
        `${prefix}; giving up after ${n} attempts: the next retry${asked} would pass the ${formatDuration(policy.maxElapsedMs)} retry budget`,
      );
      return finish();
    }
    if (outcome.value !== undefined) await opts.discard?.(outcome.value);
    log(`${prefix}; retry ${n}/${maxRetries} in ${formatDuration(delay)}`);
    await sleep(delay, opts.signal);
  }
}
