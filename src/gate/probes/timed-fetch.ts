import { formatDuration } from '../../kit/durations.js';
import { redact } from '../../kit/secrets.js';

export interface TimedResponse {
  status: number;
  body: string;
  /** ms from the request until the whole body arrived */
  elapsedMs: number;
  /** the Retry-After header, for the probes that retry (Prometheus) */
  retryAfter?: string;
}

export type FetchOutcome =
  | { kind: 'response'; response: TimedResponse }
  | { kind: 'timeout'; elapsedMs: number; error: string }
  | { kind: 'error'; elapsedMs: number; error: string }
  | { kind: 'stopped' };

// Bodies of health endpoints are small; a huge one is read only this far.
const MAX_BODY = 1024 * 1024;

/**
 * One request with its own timeout that never throws: a timeout, a refused connection or the
 * gate stopping come back as outcomes. Credentials in the URL become a Basic header, since
 * fetch refuses URLs that carry them.
 */
export async function timedFetch(
  url: URL,
  init: { method: string; headers: Record<string, string> },
  timeoutMs: number,
  stop: AbortSignal,
): Promise<FetchOutcome> {
  const target = new URL(url.href);
  const headers: Record<string, string> = { ...init.headers };
  if (target.username || target.password) {
    const user = decodeURIComponent(target.username);
    const pass = decodeURIComponent(target.password);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
      headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    target.username = '';
    target.password = '';
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([stop, timeout]);
  const started = performance.now();
  try {
    const res = await fetch(target, { method: init.method, headers, signal, redirect: 'manual' });
    const body = await readBody(res);
    return {
      kind: 'response',
      response: {
        status: res.status,
        body,
        elapsedMs: performance.now() - started,
        retryAfter: res.headers.get('retry-after') ?? undefined,
      },
    };
  } catch (err) {
    const elapsedMs = performance.now() - started;
    if (stop.aborted) return { kind: 'stopped' };
    if (timeout.aborted) {
      return {
        kind: 'timeout',
        elapsedMs,
        error: `no response within ${formatDuration(timeoutMs)}`,
      };
    }
    return { kind: 'error', elapsedMs, error: `request failed: ${describeFetchError(err)}` };
  }
}

async function readBody(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** undici hides the useful part (ECONNREFUSED, ENOTFOUND, a TLS problem) in `cause`. */
export function describeFetchError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as unknown) : undefined;
  const parts: string[] = [];
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    parts.push(code && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message);
  } else if (err instanceof Error) {
    parts.push(err.message);
  } else {
    parts.push(String(err));
  }
  return redact(parts.join(': '));
}
