import { parseDuration } from '../kit/durations.js';
import { compileJsonPath, JsonPathError } from './jsonpath.js';
import { parsePredicates, PredicateSpecError } from './predicates.js';
import { readCaptures, tryRegex } from './capture-schema.js';
import { readTlsExpectation } from './tls-schema.js';
import { templateRefs, type JsonValue } from './template.js';
import {
  CheckFileError,
  CheckReader,
  isObj,
  type Path,
  type SchemaProblem,
} from './check-reader.js';
import { joinUrl } from './request-builder.js';
import { YamlSource } from './yaml-source.js';
import type {
  BodySpec,
  CheckFile,
  CheckSpec,
  ExpectSpec,
  RequestSpec,
  StatusSpec,
} from './check-types.js';

/**
 * Validates a check file up front. Every problem is collected with its line and check
 * name, so one run of the action reports all of them, and no request is sent first.
 */

export {
  CheckFileError,
  formatProblem,
  VARIABLE_NAME,
  type SchemaProblem,
} from './check-reader.js';

export function parseStatus(v: unknown): StatusSpec | string {
  const items = Array.isArray(v) ? v : [v];
  const spec: StatusSpec = { codes: [], classes: [], text: items.map(String).join(', ') };
  if (items.length === 0) return 'status must not be an empty list';
  for (const item of items) {
    const s = String(item).trim().toLowerCase();
    if (/^[1-5]xx$/.test(s)) spec.classes.push(Number(s[0]));
    else if (/^[1-5]\d\d$/.test(s)) spec.codes.push(Number(s));
    else return `status ${JSON.stringify(item)} is not a status code (100-599) or class (2xx)`;
  }
  return spec;
}

const CHECK_KEYS = ['name', 'request', 'expect', 'capture', 'secret-captures', 'retries', 'needs'];
const REQUEST_KEYS = [
  'method',
  'url',
  'headers',
  'query',
  'json',
  'body',
  'form',
  'follow-redirects',
];
const EXPECT_KEYS = [
  'status',
  'headers',
  'json',
  'body-contains',
  'body-matches',
  'max-duration',
  'tls',
];

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Why a URL without templates cannot be requested, or undefined when it can. */
function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = joinUrl(new URL('http://base.invalid/'), url);
  } catch {
    return 'is not a valid URL or path';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return 'must be http:// or https://';
  return undefined;
}

function readRequest(r: CheckReader, v: unknown): RequestSpec | undefined {
  if (!isObj(v)) {
    r.problem(
      ['request'],
      v === undefined
        ? "'request' is required (a map with at least url)"
        : "'request' must be a map",
    );
    return undefined;
  }
  r.keys(v, ['request'], REQUEST_KEYS, 'request');
  const method = (
    r.string(v.method ?? 'GET', ['request', 'method'], 'request.method') ?? 'GET'
  ).toUpperCase();
  if (!/^[A-Z]+$/.test(method))
    r.problem(['request', 'method'], `request.method '${method}' is not an HTTP method`);
  const url = v.url === undefined ? undefined : r.string(v.url, ['request', 'url'], 'request.url');
  if (url === undefined || url.trim() === '') {
    r.problem(['request'], 'request.url is required (a path such as /health, or an absolute URL)');
  }
  const bodies = (['json', 'body', 'form'] as const).filter((k) => v[k] !== undefined);
  if (bodies.length > 1)
    r.problem(
      ['request', bodies[1]],
      `request has both '${bodies[0]}' and '${bodies[1]}'; use one`,
      true,
    );
  if (bodies.length > 0 && (method === 'GET' || method === 'HEAD')) {
    r.problem(
      ['request', bodies[0]],
      `a ${method} request cannot have a body; use POST, PUT or PATCH`,
      true,
    );
  }
  let body: BodySpec | undefined;
  if (v.json !== undefined) body = { kind: 'json', value: v.json };
  else if (v.body !== undefined)
    body = { kind: 'text', value: r.string(v.body, ['request', 'body'], 'request.body') ?? '' };
  else if (v.form !== undefined)
    body = { kind: 'form', value: r.pairs(v.form, ['request', 'form'], 'request.form', true) };
  const follow = v['follow-redirects'] ?? true;
  if (typeof follow !== 'boolean')
    r.problem(['request', 'follow-redirects'], 'request.follow-redirects must be true or false');
  if (url !== undefined && templateRefs(url).length === 0) {
    const problem = urlProblem(url);
    if (problem) r.problem(['request', 'url'], `request.url ${JSON.stringify(url)} ${problem}`);
  }
  const headers = r.pairs(v.headers, ['request', 'headers'], 'request header');
  for (const [name] of headers) {
    if (!HEADER_NAME.test(name)) {
      r.problem(
        ['request', 'headers', name],
        `request header name '${name}' is not a valid HTTP header name`,
        true,
      );
    }
  }
  return {
    method,
    url: url ?? '',
    headers,
    query: r.pairs(v.query, ['request', 'query'], 'request.query', true),
    body,
    followRedirects: follow !== false,
  };
}

function readExpect(r: CheckReader, v: unknown): ExpectSpec {
  const out: ExpectSpec = {
    status: { codes: [], classes: [2], text: '2xx' },
    headers: [],
    json: [],
    bodyContains: [],
    bodyMatches: [],
  };
  if (v === undefined || v === null) return out;
  if (!isObj(v)) {
    r.problem(['expect'], "'expect' must be a map");
    return out;
  }
  r.keys(v, ['expect'], EXPECT_KEYS, 'expect');
  if (v.status !== undefined) {
    const status = parseStatus(v.status);
    if (typeof status === 'string') r.problem(['expect', 'status'], `expect.${status}`);
    else out.status = status;
  }
  for (const [name, expected] of r.pairs(v.headers, ['expect', 'headers'], 'expect.headers')) {
    if (expected.startsWith('/'))
      tryRegex(r, expected, ['expect', 'headers', name], `expect.headers '${name}'`);
    out.headers.push({ name, expected });
  }
  if (v.json !== undefined) {
    if (!isObj(v.json))
      r.problem(
        ['expect', 'json'],
        'expect.json must be a map of JSONPath: expected value or {predicate: value}',
      );
    else {
      for (const [pathText, spec] of Object.entries(v.json)) {
        const at: Path = ['expect', 'json', pathText];
        try {
          out.json.push({ path: compileJsonPath(pathText), predicates: parsePredicates(spec) });
        } catch (err) {
          if (!(err instanceof JsonPathError || err instanceof PredicateSpecError)) throw err;
          r.problem(at, `expect.json '${pathText}': ${err.message}`, err instanceof JsonPathError);
        }
      }
    }
  }
  out.bodyContains = r.texts(
    v['body-contains'],
    ['expect', 'body-contains'],
    'expect.body-contains',
  );
  out.bodyMatches = r.texts(v['body-matches'], ['expect', 'body-matches'], 'expect.body-matches');
  out.bodyMatches.forEach((re, i) =>
    tryRegex(r, re, ['expect', 'body-matches', i], 'expect.body-matches'),
  );
  if (v['max-duration'] !== undefined) {
    const ms = parseDuration(String(v['max-duration']));
    if (ms === undefined || ms === 0) {
      r.problem(
        ['expect', 'max-duration'],
        `expect.max-duration ${JSON.stringify(v['max-duration'])} is not a duration such as 500ms or 2s`,
      );
    } else out.maxDurationMs = ms;
  }
  out.tls = readTlsExpectation(r, v.tls);
  return out;
}

function readCheck(
  src: YamlSource,
  problems: SchemaProblem[],
  base: Path,
  index: number,
  v: unknown,
): CheckSpec | undefined {
  const r = new CheckReader(src, problems, base, undefined);
  if (!isObj(v)) {
    r.problem([], `check #${index + 1} must be a map with name, request and expect`);
    return undefined;
  }
  const name =
    typeof v.name === 'string' || typeof v.name === 'number' ? String(v.name).trim() : '';
  if (name === '')
    r.problem(v.name === undefined ? [] : ['name'], `check #${index + 1} needs a 'name'`);
  else r.name = name;
  r.keys(v, [], CHECK_KEYS, 'a check');
  const request = readRequest(r, v.request);
  const expect = readExpect(r, v.expect);
  const captures = readCaptures(r, v.capture, v['secret-captures']);
  let retries: number | undefined;
  if (v.retries !== undefined) {
    if (
      typeof v.retries !== 'number' ||
      !Number.isInteger(v.retries) ||
      v.retries < 0 ||
      v.retries > 100
    ) {
      r.problem(
        ['retries'],
        `retries must be a whole number from 0 to 100, not ${JSON.stringify(v.retries)}`,
      );
    } else retries = v.retries;
  }
  const needs = r.texts(v.needs, ['needs'], 'needs');
  if (!request || name === '') return undefined;
  const refLines: Record<string, number | undefined> = {};
  const walk = (value: unknown, rel: Path): void => {
    if (typeof value === 'string') {
      for (const ref of templateRefs(value)) refLines[ref] ??= r.line(rel);
    } else if (Array.isArray(value)) value.forEach((x, i) => walk(x, [...rel, i]));
    else if (isObj(value)) for (const [k, x] of Object.entries(value)) walk(x, [...rel, k]);
  };
  walk(v.request, ['request']);
  walk(v.expect, ['expect']);
  return {
    name,
    index,
    line: src.line(base),
    request,
    expect,
    captures,
    retries,
    needs,
    refs: Object.keys(refLines),
    refLines,
  };
}

/** Parses and validates a check file's text; throws YamlSyntaxError or CheckFileError. */
export function parseCheckFile(text: string): CheckFile {
  const src = YamlSource.parse(text);
  const problems: SchemaProblem[] = [];
  let list: unknown = src.value;
  let base: Path = [];
  const variables: Record<string, JsonValue> = {};
  if (isObj(src.value)) {
    const top = src.value;
    for (const k of Object.keys(top)) {
      if (k !== 'checks' && k !== 'variables') {
        problems.push({
          line: src.line([k], { key: true }),
          message: `unknown top-level key '${k}'; use checks and variables`,
        });
      }
    }
    if (top.variables !== undefined && top.variables !== null) {
      if (!isObj(top.variables))
        problems.push({
          line: src.line(['variables']),
          message: "'variables' must be a map of name: value",
        });
      else Object.assign(variables, top.variables);
    }
    list = top.checks;
    base = ['checks'];
  }
  if (!Array.isArray(list) || list.length === 0) {
    problems.push({
      line: src.line(base),
      message: 'expected a non-empty list of checks (or a map with a checks: list)',
    });
    throw new CheckFileError(problems);
  }
  const checks: CheckSpec[] = [];
  list.forEach((item, i) => {
    const c = readCheck(src, problems, [...base, i], i, item);
    if (c) checks.push(c);
  });
  const seen = new Map<string, CheckSpec>();
  for (const c of checks) {
    const first = seen.get(c.name);
    if (first) {
      problems.push({
        line: c.line,
        check: c.name,
        message: `duplicate check name (first used on line ${first.line ?? '?'}); names must be unique`,
      });
    } else seen.set(c.name, c);
  }
  for (const c of checks) {
    for (const need of c.needs) {
      if (!seen.has(need))
        problems.push({
          line: c.line,
          check: c.name,
          message: `needs '${need}', which is not the name of a check`,
        });
      else if (need === c.name)
        problems.push({ line: c.line, check: c.name, message: 'needs itself' });
    }
  }
  if (problems.length > 0) throw new CheckFileError(problems);
  return { checks, variables };
}
