import { queryJsonPath } from '../../http/jsonpath.js';
import { evaluatePredicates } from '../../http/predicates.js';
import { describeStatuses, statusMatches } from '../condition.js';
import type { HttpProbeSpec, JsonCondition, ProbeResult } from '../types.js';
import { timedFetch } from './timed-fetch.js';
import type { Probe } from './probe.js';

/**
 * Requests the URL; a good sample is an expected status in time and, with `json:`, a body
 * whose values satisfy every condition (a health endpoint that answers 200 with
 * `{"status": "degraded"}` is a bad sample). Redirects are not followed.
 */
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
          const { status, elapsedMs, body } = out.response;
          const statusOk = statusMatches(spec.expectStatus, status);
          const error = statusOk
            ? jsonFailure(spec.json, body)
            : `status ${status}, expected ${describeStatuses(spec.expectStatus)}`;
          return {
            ok: error === undefined,
            durationMs: elapsedMs,
            latencyMs: elapsedMs,
            status,
            error,
          };
        }
      }
    },
  };
}

/** The first json condition the body breaks, as `$.path: expected ..., got ...`. */
export function jsonFailure(
  conditions: readonly JsonCondition[],
  body: string,
): string | undefined {
  if (conditions.length === 0) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    const start = body.trim().slice(0, 60);
    return `the body is not JSON (json conditions need one): ${JSON.stringify(start)}`;
  }
  for (const c of conditions) {
    const failure = evaluatePredicates(
      c.predicates,
      queryJsonPath(doc, c.compiled),
      () => undefined,
    );
    if (failure) return `${c.path}: ${failure}`;
  }
  return undefined;
}
