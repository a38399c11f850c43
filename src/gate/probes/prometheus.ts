import * as core from '@actions/core';
import {
  RetryCancelledError,
  defaultRetryPolicy,
  isRetryableStatus,
  parseRetryAfter,
  statusReason,
  withRetries,
} from '../../kit/retry.js';
import type { RetryAttempt, RetryEnvironment, RetryReason } from '../../kit/retry.js';
import { conditionHolds } from '../condition.js';
import type { Condition, NoDataPolicy, PrometheusProbeSpec, ProbeResult } from '../types.js';
import type { Probe } from './probe.js';
import { timedFetch } from './timed-fetch.js';
import type { FetchOutcome } from './timed-fetch.js';

/** `<base>/api/v1/query?query=...`: the base may carry a path prefix (Prometheus behind a proxy). */
export function queryUrl(base: URL, query: string): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
  url.search = '';
  url.searchParams.set('query', query);
  return url;
}

/**
 * Whether a query is worth repeating: a network error or a "try again" status. A timeout is
 * not: the server is slow, and a second heavy query would add to its load.
 */
function retryReason(outcome: RetryAttempt<FetchOutcome>): RetryReason | undefined {
  const out = outcome.value;
  if (!out) return undefined;
  if (out.kind === 'error') return { reason: out.error };
  if (out.kind === 'response' && isRetryableStatus(out.response.status)) {
    return {
      reason: statusReason(out.response.status),
      retryAfterMs: parseRetryAfter(out.response.retryAfter),
    };
  }
  return undefined;
}

/**
 * An instant query whose every series must meet the condition; an empty result follows `noData`.
 * A query is a read, so a network error or a 429/502/503/504 is retried within the probe's
 * timeout (the sample as a whole must not outlast it); the retries are logged.
 */
export function prometheusProbe(
  spec: PrometheusProbeSpec,
  noData: NoDataPolicy,
  retryEnv: Omit<RetryEnvironment, 'signal'> = {},
): Probe {
  const url = queryUrl(spec.url, spec.query);
  const headers = { Accept: 'application/json', ...spec.headers };
  const policy = defaultRetryPolicy(process.env, {
    attempts: 3,
    maxElapsedMs: spec.timeoutMs,
    baseDelayMs: 250,
    maxDelayMs: 2000,
  });
  return {
    spec,
    async sample(stop: AbortSignal): Promise<ProbeResult | undefined> {
      let out: FetchOutcome;
      try {
        ({ value: out } = await withRetries(
          policy,
          () => timedFetch(url, { method: 'GET', headers }, spec.timeoutMs, stop),
          {
            log: (line) => core.info(line),
            ...retryEnv,
            signal: stop,
            who: `prometheus (${spec.name})`,
            what: `GET ${url.pathname}`,
            classify: retryReason,
          },
        ));
      } catch (err) {
        if (err instanceof RetryCancelledError) return undefined;
        throw err;
      }
      if (out.kind === 'stopped') return undefined;
      if (out.kind !== 'response')
        return { ok: false, durationMs: out.elapsedMs, error: out.error };
      const { status, body, elapsedMs } = out.response;
      return { durationMs: elapsedMs, ...judgeQueryResponse(status, body, spec.condition, noData) };
    },
  };
}

interface Series {
  labels: string;
  value: number;
}

type Judgement = Omit<ProbeResult, 'durationMs'>;

/** Reads Prometheus's answer and compares it with the condition. Pure, for unit tests. */
export function judgeQueryResponse(
  httpStatus: number,
  body: string,
  condition: Condition,
  noData: NoDataPolicy,
): Judgement {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, error: `Prometheus answered HTTP ${httpStatus} without JSON` };
  }
  const doc = isObject(json) ? json : {};
  if (doc.status !== 'success') {
    const detail = `${String(doc.errorType ?? 'error')}: ${String(doc.error ?? `HTTP ${httpStatus}`)}`;
    // 400 bad_data / 422 execution: the query itself is wrong, and will be on every sample
    const fatal = httpStatus === 400 || httpStatus === 422;
    return {
      ok: false,
      fatal,
      error: `Prometheus ${fatal ? 'rejected the query' : 'query failed'}: ${detail}`,
    };
  }
  const data = isObject(doc.data) ? doc.data : {};
  let series: Series[];
  if (data.resultType === 'scalar') {
    series = [{ labels: '', value: sampleValue(data.result) }];
  } else if (data.resultType === 'vector' && Array.isArray(data.result)) {
    series = data.result.map((r: unknown) => {
      const item = isObject(r) ? r : {};
      return { labels: formatLabels(item.metric), value: sampleValue(item.value) };
    });
  } else {
    return {
      ok: false,
      fatal: true,
      error: `the query returned a ${String(data.resultType)} result; use an instant query that gives a number or a vector (no [range] at the top level)`,
    };
  }
  // 0/0 (an error ratio without traffic) is NaN: there is nothing to judge, like an empty result
  series = series.filter((s) => !Number.isNaN(s.value));
  if (series.length === 0) {
    return noData === 'ignore'
      ? { ok: true, noData: true, error: 'no data (ignored)' }
      : { ok: false, noData: true, error: 'the query returned no data (no-data: fail)' };
  }
  const failing = series.find((s) => !conditionHolds(condition, s.value));
  if (failing) {
    return {
      ok: false,
      value: failing.value,
      error: `${failing.labels ? `${failing.labels}: ` : ''}value ${formatValue(failing.value)} is not ${condition.text}`,
    };
  }
  // the value closest to breaking the condition tells most about the margin
  const worst = series.reduce((a, b) => (closer(condition, b.value, a.value) ? b : a));
  return { ok: true, value: worst.value };
}

/** Enough digits for small ratios (0.0042), no float noise (0.30000000000000004). */
export function formatValue(v: number): string {
  return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(6)));
}

function closer(condition: Condition, a: number, b: number): boolean {
  return condition.op === '<' || condition.op === '<='
    ? a > b
    : condition.op === '>' || condition.op === '>='
      ? a < b
      : false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `[<unix time>, "<value>"]`; Prometheus spells infinities `+Inf` / `-Inf`. */
function sampleValue(pair: unknown): number {
  const text = Array.isArray(pair) ? String(pair[1]) : '';
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const n = Number(text);
  return text === '' ? NaN : n;
}

/** `name{a="b"}`, or '' for a series without labels (what sum() returns). */
function formatLabels(metric: unknown): string {
  if (!isObject(metric) || Object.keys(metric).length === 0) return '';
  const { __name__: name, ...rest } = metric;
  const labels = Object.entries(rest)
    .map(([k, v]) => `${k}="${String(v)}"`)
    .join(',');
  return `${typeof name === 'string' ? name : ''}{${labels}}`;
}
