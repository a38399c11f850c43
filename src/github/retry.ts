/**
 * When to try a GitHub API request again, and after how long. GitHub asks clients to wait
 * for `retry-after` seconds on a secondary rate limit (403 or 429), until `x-ratelimit-reset`
 * when the primary limit is used up, and to back off on 5xx. Waits are bounded: a wait
 * longer than maxWaitMs is not slept through but reported, so a job never hangs on a limit.
 */

export interface RetryPolicy {
  /** retries after the first attempt */
  retries: number;
  /** first backoff when the server names no wait (doubles each retry) */
  baseMs: number;
  /** the longest single wait the client accepts */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseMs: 1000, maxWaitMs: 120_000 };

export interface FailedResponse {
  status: number;
  headers: Record<string, string | number | undefined>;
  message: string;
}

export type RetryDecision =
  { retry: true; waitMs: number; why: string } | { retry: false; why?: string };

function header(r: FailedResponse, name: string): string | undefined {
  const v = r.headers[name] ?? r.headers[name.toLowerCase()];
  return v === undefined ? undefined : String(v);
}

/** Seconds (or an HTTP date) of a Retry-After header, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(at - nowMs, 0);
}

/** What to do after attempt number `attempt` (0-based) failed with response r. */
export function decide(
  r: FailedResponse,
  attempt: number,
  policy: RetryPolicy,
  nowMs = Date.now(),
): RetryDecision {
  if (attempt >= policy.retries) return { retry: false };
  const after = retryAfterMs(header(r, 'retry-after'), nowMs);
  const remaining = header(r, 'x-ratelimit-remaining');
  const reset = header(r, 'x-ratelimit-reset');
  let waitMs: number | undefined;
  let why: string;
  if (
    r.status === 429 ||
    (r.status === 403 && (after !== undefined || /secondary rate limit/i.test(r.message)))
  ) {
    why = 'secondary rate limit';
    waitMs = after ?? Math.max(60_000, policy.baseMs * 2 ** attempt);
  } else if (r.status === 403 && remaining === '0' && reset !== undefined) {
    why = 'rate limit used up';
    waitMs = Math.max(Number(reset) * 1000 - nowMs, 0) + 1000;
  } else if (r.status >= 500 && r.status <= 599) {
    why = `server error ${r.status}`;
    waitMs = after ?? policy.baseMs * 2 ** attempt;
  } else {
    return { retry: false };
  }
  if (waitMs > policy.maxWaitMs) {
    return {
      retry: false,
      why: `${why}: GitHub asks to wait ${Math.ceil(waitMs / 1000)}s, longer than the ${Math.ceil(policy.maxWaitMs / 1000)}s this step waits`,
    };
  }
  return { retry: true, waitMs, why };
}
