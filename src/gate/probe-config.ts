import { InputError } from '../kit/errors.js';
import { parseDuration } from '../kit/durations.js';
import { registerSecret, registerUrlPassword } from '../kit/secrets.js';
import { parseCondition, parseStatusExpectation } from './condition.js';
import {
  parseJsonConditions,
  parseOutputConditions,
  SQL_KEYS,
  sqlSpec,
} from './probe-conditions.js';
import type {
  CommandProbeSpec,
  HttpProbeSpec,
  ProbeKind,
  ProbeSpec,
  PrometheusProbeSpec,
} from './types.js';

export const PROBE_KINDS: readonly ProbeKind[] = ['http', 'prometheus', 'command', 'sql'];
export const DEFAULT_TIMEOUT_MS: Record<ProbeKind, number> = {
  http: 5000,
  prometheus: 5000,
  command: 30_000,
  sql: 10_000,
};

const KEYS: Record<ProbeKind, readonly string[]> = {
  http: ['url', 'method', 'headers', 'expect-status', 'json', 'timeout'],
  prometheus: ['url', 'query', 'condition', 'headers', 'timeout'],
  command: ['run', 'output', 'timeout'],
  sql: SQL_KEYS,
};
const SECRET_HEADER =
  /^(?:authorization|proxy-authorization|cookie)$|token|secret|api-?key|password/i;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

type Fields = Record<string, unknown>;

function isMap(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Turns the `probes` input (already parsed YAML) into probe specs, or throws an InputError
 * naming the probe and what is wrong with it. Items look like
 * `{name?, http: {url, method, headers, expect-status, timeout}}`, `{prometheus: {url, query,
 * condition, headers, timeout}}` or `{command: {run, timeout}}`; `http: <url>` and
 * `command: <script>` are shorthands.
 */
export function parseProbes(value: unknown, input = 'probes'): ProbeSpec[] {
  if (value === undefined || value === null || value === '') {
    throw new InputError(
      input,
      'is required: a YAML list of probes (http, prometheus or command).',
    );
  }
  if (!Array.isArray(value)) {
    throw new InputError(
      input,
      'must be a YAML list of probes, e.g. "- http: {url: https://app/healthz}".',
    );
  }
  if (value.length === 0) throw new InputError(input, 'is an empty list; give at least one probe.');
  const specs = value.map((item, i) => parseProbe(item, i, input));
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name))
      throw new InputError(input, `two probes are named '${s.name}'; names must be unique.`);
    seen.add(s.name);
  }
  return specs;
}

function parseProbe(item: unknown, index: number, input: string): ProbeSpec {
  const position = `probe ${index + 1}`;
  if (!isMap(item)) {
    throw new InputError(
      input,
      `${position} must be a mapping with one of: ${PROBE_KINDS.join(', ')}.`,
    );
  }
  const rawName = item.name;
  if (rawName !== undefined && (typeof rawName !== 'string' || rawName.trim() === '')) {
    throw new InputError(input, `${position}: name must be a non-empty text.`);
  }
  const label = typeof rawName === 'string' ? `${position} ('${rawName.trim()}')` : position;
  const bad = (msg: string): InputError => new InputError(input, `${label}: ${msg}`);

  const kinds = Object.keys(item).filter((k) => k !== 'name');
  const unknown = kinds.filter((k) => !(PROBE_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw bad(`unknown probe kind '${unknown[0]}'; use one of: ${PROBE_KINDS.join(', ')}.`);
  }
  if (kinds.length !== 1) {
    throw bad(
      kinds.length === 0
        ? `has no probe; give one of: ${PROBE_KINDS.join(', ')}.`
        : `has more than one kind (${kinds.join(', ')}); give one per list item.`,
    );
  }
  const kind = kinds[0] as ProbeKind;
  const name = typeof rawName === 'string' ? rawName.trim() : `${kind}-${index + 1}`;

  let fields: Fields;
  const body = item[kind];
  if (typeof body === 'string' && kind === 'http') fields = { url: body };
  else if (typeof body === 'string' && kind === 'command') fields = { run: body };
  else if (isMap(body)) fields = body;
  else if (body === null || body === undefined) fields = {};
  else throw bad(`'${kind}' must be a mapping of its settings.`);

  const extra = Object.keys(fields).filter((k) => !KEYS[kind].includes(k));
  if (extra.length > 0) {
    throw bad(`unknown ${kind} setting '${extra[0]}'; accepted: ${KEYS[kind].join(', ')}.`);
  }

  const timeoutMs = parseTimeout(fields.timeout, DEFAULT_TIMEOUT_MS[kind], bad);
  switch (kind) {
    case 'http':
      return httpSpec(name, fields, timeoutMs, bad);
    case 'prometheus':
      return prometheusSpec(name, fields, timeoutMs, bad);
    case 'command':
      return commandSpec(name, fields, timeoutMs, bad);
    case 'sql':
      return sqlSpec(name, fields, timeoutMs, bad);
  }
}

type Bad = (msg: string) => InputError;

function parseTimeout(value: unknown, fallback: number, bad: Bad): number {
  if (value === undefined || value === null) return fallback;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined || ms <= 0) {
    throw bad(
      `timeout ${JSON.stringify(value)} is not a positive duration such as 500ms, 5s or 1m.`,
    );
  }
  return ms;
}

function parseProbeUrl(value: unknown, key: string, bad: Bad): URL {
  if (typeof value !== 'string' || value.trim() === '') {
    throw bad(`needs '${key}' (an http:// or https:// URL).`);
  }
  registerUrlPassword(value);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw bad(`${key} is not a valid absolute URL; use http://host:port/path.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw bad(
      `${key} scheme '${url.protocol.replace(/:$/, '')}' is not supported; use http:// or https://.`,
    );
  }
  return url;
}

function parseHeaders(value: unknown, bad: Bad): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isMap(value)) throw bad('headers must be a mapping of header name to value.');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k))
      throw bad(`header name ${JSON.stringify(k)} is not valid.`);
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw bad(`header '${k}' must have a text value.`);
    }
    out[k] = String(v);
    // credentials may come from vars rather than secrets; mask them either way
    if (SECRET_HEADER.test(k)) registerSecret(String(v));
  }
  return out;
}

function httpSpec(name: string, f: Fields, timeoutMs: number, bad: Bad): HttpProbeSpec {
  const url = parseProbeUrl(f.url, 'url', bad);
  const method = f.method === undefined ? 'GET' : String(f.method).toUpperCase();
  if (!METHODS.includes(method))
    throw bad(`method '${String(f.method)}' is not one of: ${METHODS.join(', ')}.`);
  const expect = f['expect-status'] === undefined ? '2xx' : f['expect-status'];
  const ranges = parseStatusExpectation(expect);
  if (typeof ranges === 'string') throw bad(`expect-status ${ranges}.`);
  return {
    kind: 'http',
    name,
    url,
    method,
    headers: parseHeaders(f.headers, bad),
    expectStatus: ranges,
    json: parseJsonConditions(f.json, bad),
    timeoutMs,
  };
}

function prometheusSpec(name: string, f: Fields, timeoutMs: number, bad: Bad): PrometheusProbeSpec {
  const url = parseProbeUrl(f.url, 'url', bad);
  if (typeof f.query !== 'string' || f.query.trim() === '') {
    throw bad(
      `needs 'query' (a PromQL instant query such as sum(rate(http_requests_total{code=~"5.."}[5m]))).`,
    );
  }
  if (f.condition === undefined || f.condition === null || String(f.condition).trim() === '') {
    throw bad(`needs 'condition' to compare the result with, such as '< 0.01' or '>= 99'.`);
  }
  const condition = parseCondition(String(f.condition));
  if (!condition) {
    throw bad(
      `condition ${JSON.stringify(String(f.condition))} does not parse; use an operator (<, <=, >, >=, ==, !=) and a number, such as '< 0.01' or '>= 99'.`,
    );
  }
  return {
    kind: 'prometheus',
    name,
    url,
    query: f.query.trim(),
    condition,
    headers: parseHeaders(f.headers, bad),
    timeoutMs,
  };
}

function commandSpec(name: string, f: Fields, timeoutMs: number, bad: Bad): CommandProbeSpec {
  if (typeof f.run !== 'string' || f.run.trim() === '') {
    throw bad(`needs 'run' (a bash script; exit code 0 is a good sample).`);
  }
  return {
    kind: 'command',
    name,
    run: f.run,
    output: parseOutputConditions(f.output, bad),
    timeoutMs,
  };
}

/** The probe's target for logs and the summary: URL (password hidden), query or command. */
export function describeTarget(spec: ProbeSpec): string {
  switch (spec.kind) {
    case 'http':
      return `${spec.method} ${hidePassword(spec.url)}`;
    case 'prometheus':
      return `${spec.query} ${spec.condition.text}`;
    case 'command':
      return spec.run.trim().split('\n')[0];
    case 'sql':
      return `${spec.query.split('\n')[0]} ${spec.condition.text} (${spec.urlFrom})`;
  }
}

function hidePassword(url: URL): string {
  if (!url.password) return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}
