import type { HttpResponse } from './client.js';
import type { Cookie, ReceivedCookie } from './cookie-jar.js';
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

/**
 * A header's values: each Set-Cookie line on its own (Headers.get joins them with `, `,
 * which puts the second cookie inside the first one's attributes), any other header as
 * the one combined value.
 */
export function headerValues(res: HttpResponse, name: string): string[] {
  if (name.toLowerCase() === 'set-cookie') return res.headers.getSetCookie();
  const v = res.headers.get(name);
  return v === null ? [] : [v];
}

/**
 * A header value for a message. A Set-Cookie value is a credential (a session id), so
 * messages show its name and attributes only: `sessionid=…; Path=/; HttpOnly`.
 */
export function showHeaderValue(name: string, value: string): string {
  if (name.toLowerCase() !== 'set-cookie') return value;
  return value.replace(/^([^=;]*)=[^;]*/, '$1=…');
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
    const values = headerValues(res, h.name);
    if (values.length === 0)
      failures.push(`header ${h.name}: expected ${show(expected)}, not present`);
    else if (!values.some((actual) => textMatch(expected, actual)))
      failures.push(
        `header ${h.name}: expected ${show(expected)}, got ${values.map((a) => show(showHeaderValue(h.name, a))).join(' and ')}`,
      );
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

/** The cookies an exchange saw: those its responses set (every hop), and the jar's. */
export interface ExchangeCookies {
  received: readonly ReceivedCookie[];
  /** the jar's cookies for the final URL (empty when the jar is off) */
  jar: readonly Cookie[];
}

function cookieValue(name: string, cookies: ExchangeCookies | undefined): string | undefined {
  const set = cookies?.received.filter((c) => c.name === name && c.stored) ?? [];
  if (set.length > 0) return set[set.length - 1].value;
  return cookies?.jar.find((c) => c.name === name)?.value;
}

/** Takes the captures of a response; a capture that finds nothing is a failure. */
export function takeCaptures(
  captures: readonly CaptureSpec[],
  res: HttpResponse,
  cookies?: ExchangeCookies,
): CaptureOutcome {
  const out: CaptureOutcome = { values: [], failures: [] };
  const parsed = new ParsedBody(res);
  for (const c of captures) {
    const prefix = `capture '${c.variable}'`;
    const src = c.source;
    if (src.kind === 'header') {
      const v = headerValues(res, src.name);
      if (v.length === 0) out.failures.push(`${prefix}: header ${src.name} not present`);
      else out.values.push({ variable: c.variable, value: v[0], secret: c.secret });
    } else if (src.kind === 'cookie') {
      const v = cookieValue(src.name, cookies);
      if (v === undefined) {
        const names = [...new Set(cookies?.received.map((x) => x.name) ?? [])];
        out.failures.push(
          `${prefix}: cookie ${src.name} was not set${names.length > 0 ? ` (set: ${names.join(', ')})` : ' (no Set-Cookie)'} and is not in the jar`,
        );
      } else out.values.push({ variable: c.variable, value: v, secret: c.secret });
    } else if (src.kind === 'regex') {
      const re = parseRegex(src.pattern);
      const texts = src.header === undefined ? [res.body] : headerValues(res, src.header);
      const m = texts.map((t) => re.exec(t)).find((x) => x !== null);
      if (!m) {
        const where =
          src.header === undefined
            ? `body: ${snippet(res.body, 60)}`
            : texts.length === 0
              ? `header ${src.header} not present`
              : `header ${src.header}: ${snippet(texts.map((t) => showHeaderValue(src.header as string, t)).join(' | '), 60)}`;
        out.failures.push(`${prefix}: regex ${src.pattern} matched nothing; ${where}`);
      } else out.values.push({ variable: c.variable, value: m[1] ?? m[0], secret: c.secret });
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
