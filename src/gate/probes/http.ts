import { describeStatuses, statusMatches } from '../condition.js';
import type { HttpProbeSpec, ProbeResult } from '../types.js';
import { timedFetch } from './timed-fetch.js';
import type { Probe } from './probe.js';

/** Requests the URL; a good sample is an expected status in time. Redirects are not followed. */
export function httpProbe(spec: HttpProbeSpec): Probe {
  return {
    spec,
    async sample(stop: AbortSignal): Promise<ProbeResult | undefined> {
      const out = await timedFetch(spec.url, spec, spec.timeoutMs, stop);
      switch (out.kind) {
        case 'stopped':
          return undefined;
        case 'timeout':
          return {
            ok: false,
            durationMs: out.elapsedMs,
            latencyMs: out.elapsedMs,
            error: out.error,
          };
        case 'error':
          return { ok: false, durationMs: out.elapsedMs, error: out.error };
        case 'response': {
          const { status, elapsedMs } = out.response;
          const ok = statusMatches(spec.expectStatus, status);
          return {
            ok,
            durationMs: elapsedMs,
            latencyMs: elapsedMs,
            status,
            error: ok
              ? undefined
              : `status ${status}, expected ${describeStatuses(spec.expectStatus)}`,
          };
        }
      }
    },
  };
}
