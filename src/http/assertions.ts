import type { HttpResponse } from './client.js';
import { statusMatches, type CaptureSpec, type ExpectSpec } from './check-types.js';
import { queryJsonPath } from './jsonpath.js';
import { evaluatePredicates, parseRegex, show } from './predicates.js';
import { renderString, type JsonValue, type Lookup } from './template.js';

/**
 * Checks a response against a check's expectations and takes its captures. Every
 * failure message says what was expected and what came, prefixed by what was checked.
 */

/** The body, parsed as JSON once, on demand. */
class ParsedBody {
  private parsed: { ok: true; value: unknown } | { ok: false } | undefined;
  constructor(private readonly res: HttpResponse) {}

  json(): { ok: true; value: unknown } | { ok: false } {
    if (this.parsed === undefined) {
      try {
        this.parsed = { ok: true, value: JSON.parse(this.res.body) };
      } catch {
        this.parsed = { ok: false };
      }
    }
    return this.parsed;
  }

  notJson(): string {
    const type = this.res.headers.get('content-type') ?? 'no content-type';
    return `the response is not JSON (${type}${this.res.truncated ? ', body cut at the size cap' : ''}): ${snippet(this.res.body)}`;
  }
}

/** The start of a body on one line, for messages; `(empty body)` when there is none. */
export function snippet(text: string, max = 100): string {
  const one = text.replace(/\s+/g, ' ').trim();
  if (one === '') return '(empty body)';
  return one.length > max ? `${one.slice(0, max - 3)}...` : one;
}

export function statusFailure(expect: ExpectSpec, res: HttpResponse): string | undefined {
  if (statusMatches(expect.status, res.status)) return undefined;
  const body = res.body.trim() === '' ? '' : `; body: ${snippet(res.body, 80)}`;
  return `status: expected ${expect.status.text}, got ${res.status}${body}`;
}

function textMatch(expected: string, actual: string): boolean {
  if (/^\/.*\/[dgimsuvy]*$/s.test(expected)) return parseRegex(expected).test(actual);
  return actual === expected;
}

/** Every failed expectation except the status (checked first, see runCheck). */
export function assertResponse(expect: ExpectSpec, res: HttpResponse, lookup: Lookup): string[] {
  const failures: string[] = [];
  for (const h of expect.headers) {
    const expected = renderString(h.expected, lookup);
    const actual = res.headers.get(h.name);
    if (actual === null) failures.push(`header ${h.name}: expected ${show(expected)}, not present`);
    else if (!textMatch(expected, actual))
      failures.push(`header ${h.name}: expected ${show(expected)}, got ${show(actual)}`);
  }
  if (expect.json.length > 0) {
    const parsed = new ParsedBody(res);
    const doc = parsed.json();
    if (!doc.ok) {
      failures.push(`expect.json: ${parsed.notJson()}`);
    } else {
      for (const j of expect.json) {
        const failure = evaluatePredicates(j.predicates, queryJsonPath(doc.value, j.path), lookup);
        if (failure) failures.push(`${j.path.text}: ${failure}`);
      }
    }
  }
  for (const text of expect.bodyContains) {
    const expected = renderString(text, lookup);
    if (!res.body.includes(expected))
      failures.push(`body: expected to contain ${show(expected)}; body: ${snippet(res.body)}`);
  }
  for (const text of expect.bodyMatches) {
    const expected = renderString(text, lookup);
    if (!parseRegex(expected).test(res.body))
      failures.push(`body: expected to match ${expected}; body: ${snippet(res.body)}`);
  }
  if (expect.maxDurationMs !== undefined && res.durationMs > expect.maxDurationMs) {
    failures.push(`duration: expected at most ${expect.maxDurationMs}ms, took ${res.durationMs}ms`);
  }
  return failures;
}

export interface CaptureOutcome {
  values: Array<{ variable: string; value: JsonValue; secret: boolean }>;
  failures: string[];
}

/** Takes the captures of a response; a capture that finds nothing is a failure. */
export function takeCaptures(captures: readonly CaptureSpec[], res: HttpResponse): CaptureOutcome {
  const out: CaptureOutcome = { values: [], failures: [] };
  const parsed = new ParsedBody(res);
  for (const c of captures) {
    const prefix = `capture '${c.variable}'`;
    const src = c.source;
    if (src.kind === 'header') {
      const v = res.headers.get(src.name);
      if (v === null) out.failures.push(`${prefix}: header ${src.name} not present`);
      else out.values.push({ variable: c.variable, value: v, secret: c.secret });
    } else if (src.kind === 'regex') {
      const m = parseRegex(src.pattern).exec(res.body);
      if (!m)
        out.failures.push(
          `${prefix}: regex ${src.pattern} matched nothing; body: ${snippet(res.body, 60)}`,
        );
      else out.values.push({ variable: c.variable, value: m[1] ?? m[0], secret: c.secret });
    } else {
      const doc = parsed.json();
      if (!doc.ok) {
        out.failures.push(`${prefix}: ${parsed.notJson()}`);
        continue;
      }
      const r = queryJsonPath(doc.value, src.path);
      if (!r.found) out.failures.push(`${prefix}: ${src.path.text} not found in the response`);
      else out.values.push({ variable: c.variable, value: r.value as JsonValue, secret: c.secret });
    }
  }
  return out;
}
