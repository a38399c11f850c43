import { compileJsonPath, JsonPathError } from '../http/jsonpath.js';
import { parsePredicates, parseRegex, PredicateSpecError } from '../http/predicates.js';
import type { JsonValue } from '../http/template.js';
import type { InputError } from '../kit/errors.js';
import { registerUrlPassword } from '../kit/secrets.js';
import { conditionHolds, parseCondition } from './condition.js';
import type { Condition, JsonCondition, OutputConditions, SqlProbeSpec } from './types.js';

/**
 * The body and output conditions of probes, and the sql probe's settings: the checks a
 * release runbook does by hand with curl | jq, grep over the logs, and psql.
 */

type Bad = (msg: string) => InputError;
type Fields = Record<string, unknown>;

function isMap(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function conditionOf(value: unknown, what: string, bad: Bad): Condition {
  if (value === undefined || value === null || String(value).trim() === '') {
    throw bad(`needs '${what}' to compare the value with, such as '== 0' or '< 0.1'.`);
  }
  const c = parseCondition(String(value));
  if (!c) {
    throw bad(
      `${what} ${JSON.stringify(String(value))} does not parse; use an operator (<, <=, >, >=, ==, !=) and a number, such as '== 0' or '< 0.1'.`,
    );
  }
  return c;
}

/** `json: {"$.status": ok, "$.checks.db": {in: [up, degraded]}}` of an http probe. */
export function parseJsonConditions(value: unknown, bad: Bad): JsonCondition[] {
  if (value === undefined || value === null) return [];
  if (!isMap(value) || Object.keys(value).length === 0) {
    throw bad(
      `json must be a mapping of JSONPath to an expected value or predicates, e.g. {"$.status": ok}.`,
    );
  }
  return Object.entries(value).map(([path, spec]) => {
    let compiled;
    try {
      compiled = compileJsonPath(path);
    } catch (err) {
      if (err instanceof JsonPathError)
        throw bad(`json path ${JSON.stringify(path)}: ${err.message}`);
      throw err;
    }
    try {
      return { path, compiled, predicates: parsePredicates(spec as JsonValue) };
    } catch (err) {
      if (err instanceof PredicateSpecError) throw bad(`json ${path}: ${err.message}`);
      throw err;
    }
  });
}

const OUTPUT_KEYS = ['matches', 'not-matches', 'number', 'condition'];

function regexOf(value: unknown, what: string, bad: Bad): RegExp {
  if (typeof value !== 'string' || value === '')
    throw bad(`output ${what} must be a regular expression text such as '/ERROR|FATAL/'.`);
  try {
    return parseRegex(value);
  } catch (err) {
    throw bad(
      `output ${what} ${JSON.stringify(value)} is not a valid regular expression: ${(err as Error).message}`,
    );
  }
}

/**
 * `output: {matches, not-matches, number, condition}` of a command probe. `condition` reads a
 * number from the output: the first group of the `number` regex, else the whole output.
 */
export function parseOutputConditions(value: unknown, bad: Bad): OutputConditions | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isMap(value)) throw bad(`output must be a mapping with ${OUTPUT_KEYS.join(', ')}.`);
  const extra = Object.keys(value).filter((k) => !OUTPUT_KEYS.includes(k));
  if (extra.length > 0)
    throw bad(`unknown output setting '${extra[0]}'; accepted: ${OUTPUT_KEYS.join(', ')}.`);
  const out: OutputConditions = {};
  if (value.matches !== undefined) out.matches = regexOf(value.matches, 'matches', bad);
  if (value['not-matches'] !== undefined)
    out.notMatches = regexOf(value['not-matches'], 'not-matches', bad);
  if (value.number !== undefined && value.condition === undefined)
    throw bad(`output number needs a condition, such as '< 10'.`);
  if (value.condition !== undefined) {
    out.number = {
      pattern: value.number === undefined ? undefined : regexOf(value.number, 'number', bad),
      condition: conditionOf(value.condition, 'output condition', bad),
    };
  }
  if (!out.matches && !out.notMatches && !out.number)
    throw bad(`output needs at least one of: matches, not-matches, condition.`);
  return out;
}

/** Why the output of a good exit is still a bad sample, or undefined when it is good. */
export function outputFailure(
  c: OutputConditions,
  output: string,
): { error?: string; value?: number } {
  if (c.matches && !c.matches.test(output))
    return { error: `output does not match ${String(c.matches)}` };
  if (c.notMatches) {
    const m = c.notMatches.exec(output);
    if (m)
      return { error: `output matches ${String(c.notMatches)}: ${lineAround(output, m.index)}` };
  }
  if (c.number) {
    const m = c.number.pattern?.exec(output);
    const text = c.number.pattern ? (m?.[1] ?? m?.[0]) : output.trim();
    const value = text === undefined || text.trim() === '' ? NaN : Number(text.trim());
    if (!Number.isFinite(value)) {
      return {
        error: c.number.pattern
          ? `output has no number matching ${String(c.number.pattern)}`
          : `output ${JSON.stringify(output.trim().slice(0, 60))} is not a number`,
      };
    }
    if (!conditionHolds(c.number.condition, value))
      return { value, error: `output value ${value} is not ${c.number.condition.text}` };
    return { value };
  }
  return {};
}

function lineAround(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const end = text.indexOf('\n', index);
  const line = text.slice(start, end === -1 ? undefined : end).trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

const SQL_KEYS = ['url', 'url-env', 'query', 'condition', 'timeout'];
export { SQL_KEYS };

/** `sql: {url | url-env, query, condition}`; env is where url-env is read from. */
export function sqlSpec(
  name: string,
  f: Fields,
  timeoutMs: number,
  bad: Bad,
  env: NodeJS.ProcessEnv = process.env,
): SqlProbeSpec {
  let url: string;
  let urlFrom: string;
  if (f.url !== undefined && f['url-env'] !== undefined)
    throw bad(`give either url or url-env, not both.`);
  if (typeof f['url-env'] === 'string' && f['url-env'].trim() !== '') {
    const envName = f['url-env'].trim();
    url = env[envName] ?? '';
    urlFrom = `url-env ${envName}`;
    if (url.trim() === '')
      throw bad(`url-env ${envName}: the environment variable ${envName} is empty or not set.`);
  } else if (typeof f.url === 'string' && f.url.trim() !== '') {
    url = f.url;
    urlFrom = 'url';
  } else {
    throw bad(
      `needs 'url-env' (the environment variable holding the database URL, e.g. DATABASE_URL) or 'url'.`,
    );
  }
  registerUrlPassword(url);
  if (typeof f.query !== 'string' || f.query.trim() === '')
    throw bad(
      `needs 'query' (a read-only query returning one value, e.g. SELECT count(*) FROM ...).`,
    );
  return {
    kind: 'sql',
    name,
    url: url.trim(),
    urlFrom,
    query: f.query.trim().replace(/;\s*$/, ''),
    condition: conditionOf(f.condition, 'condition', bad),
    timeoutMs,
  };
}
