/** What a health gate watches and how it decides; shared by the probes, the evaluator and the sampler. */

import type { JsonPath } from '../http/jsonpath.js';
import type { Predicate } from '../http/predicates.js';

export type ProbeKind = 'http' | 'prometheus' | 'command' | 'sql';

/** Accepted HTTP statuses as inclusive ranges: 200 is [200, 200], `2xx` is [200, 299]. */
export interface StatusRange {
  from: number;
  to: number;
  /** how the user wrote it, for messages */
  text: string;
}

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Condition {
  op: Operator;
  threshold: number;
  /** normalised text, e.g. `< 0.01` */
  text: string;
}

export type NoDataPolicy = 'fail' | 'ignore';

interface ProbeBase {
  /** unique within the gate; defaults to `<kind>-<position>` */
  name: string;
  timeoutMs: number;
}

export interface HttpProbeSpec extends ProbeBase {
  kind: 'http';
  url: URL;
  method: string;
  headers: Record<string, string>;
  expectStatus: StatusRange[];
  /** conditions on the JSON body (smoke-test's predicate language), all must hold */
  json: JsonCondition[];
}

/** `json:` of an http probe: a JSONPath and the predicates its value must satisfy. */
export interface JsonCondition {
  /** as written, for messages */
  path: string;
  compiled: JsonPath;
  predicates: Predicate[];
}

export interface PrometheusProbeSpec extends ProbeBase {
  kind: 'prometheus';
  /** the server's base URL; `/api/v1/query` is appended to its path */
  url: URL;
  query: string;
  condition: Condition;
  headers: Record<string, string>;
}

export interface CommandProbeSpec extends ProbeBase {
  kind: 'command';
  run: string;
  /** conditions on what the script printed on stdout (exit code 0 is still required) */
  output?: OutputConditions;
}

/** `output:` of a command probe. */
export interface OutputConditions {
  /** the output must match */
  matches?: RegExp;
  /** the output must not match (e.g. /ERROR|FATAL/ over the last minutes of logs) */
  notMatches?: RegExp;
  /** a number read from the output (the first group of `number`, else the whole output) */
  number?: { pattern?: RegExp; condition: Condition };
}

/** A read-only query whose single value is compared with a condition. */
export interface SqlProbeSpec extends ProbeBase {
  kind: 'sql';
  /** the database URL (a secret: never printed) */
  url: string;
  /** where the URL came from, for messages: `url` or `url-env NAME` */
  urlFrom: string;
  query: string;
  condition: Condition;
}

export type ProbeSpec = HttpProbeSpec | PrometheusProbeSpec | CommandProbeSpec | SqlProbeSpec;

/** What one probe call observed. */
export interface ProbeResult {
  ok: boolean;
  /** how long the call took (ms) */
  durationMs: number;
  /** http: time until the whole response arrived; a timeout records the time waited */
  latencyMs?: number;
  /** http: the response status */
  status?: number;
  /** prometheus, sql and command `number`: the value compared with the condition (prometheus: the first failing series, else the worst) */
  value?: number;
  /** prometheus: the query returned no series (or only NaN); sql: no row */
  noData?: boolean;
  /** why the sample is bad, or a note on a good one (no data ignored) */
  error?: string;
  /** a problem no later sample can fix (Prometheus rejected the query): the gate fails at once */
  fatal?: boolean;
}

/** A probe result placed in the window. */
export interface Sample extends ProbeResult {
  /** the schedule slot it was taken in: slot k is due at k × interval */
  slot: number;
  /** when it started, ms after the window opened */
  atMs: number;
}

export type Warmup = { kind: 'samples'; count: number } | { kind: 'time'; ms: number };

export interface GateRules {
  /** minimum share of good samples, 0..1 */
  successRate: number;
  /** http probes: the 95th percentile latency must stay at or under this; undefined = no limit */
  maxP95Ms?: number;
  /** this many failed samples in a row fail the gate; 0 = no limit */
  maxConsecutiveFailures: number;
  /** each probe needs at least this many counted samples to pass */
  minSamples: number;
  /** samples ignored at the start of the window */
  warmup: Warmup;
}

/** The sampling schedule: slots at 0, interval, 2 × interval ... up to the duration inclusive. */
export interface Plan {
  durationMs: number;
  intervalMs: number;
  totalSlots: number;
}

/** `cancelled`: the run was cancelled (SIGINT/SIGTERM) before a verdict */
export type GateState = 'watching' | 'pass' | 'fail' | 'cancelled';

export type GateRule =
  | 'consecutive-failures'
  | 'success-rate'
  | 'max-p95'
  | 'min-samples'
  | 'fatal'
  | 'baseline'
  | 'all';

export interface Verdict {
  state: GateState;
  reason: string;
  /** the probe that decided a fail */
  probe?: string;
  rule?: GateRule;
}
