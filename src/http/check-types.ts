import type { JsonPath } from './jsonpath.js';
import type { Predicate } from './predicates.js';
import type { JsonValue } from './template.js';

/** The checks of a smoke-test file, validated. Strings may hold `{{name}}` templates. */

export type BodySpec =
  | { kind: 'json'; value: JsonValue }
  | { kind: 'text'; value: string }
  | { kind: 'form'; value: Array<[string, string]> };

export interface RequestSpec {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  query: Array<[string, string]>;
  body?: BodySpec;
  followRedirects: boolean;
}

/** Accepted statuses: exact codes and classes (2 for `2xx`); `text` is how the user wrote it. */
export interface StatusSpec {
  codes: number[];
  classes: number[];
  text: string;
}

export interface HeaderExpectation {
  name: string;
  /** exact text, or `/regex/` */
  expected: string;
}

export interface JsonExpectation {
  path: JsonPath;
  predicates: Predicate[];
}

export interface ExpectSpec {
  status: StatusSpec;
  headers: HeaderExpectation[];
  json: JsonExpectation[];
  bodyContains: string[];
  bodyMatches: string[];
  maxDurationMs?: number;
  /** `expect.tls`: the server certificate, probed once per origin */
  tls?: TlsExpectation;
}

export interface TlsExpectation {
  /** whole days until the certificate's notAfter */
  daysLeft: Predicate[];
  /** a host name the certificate must be valid for (its SAN/CN), templates allowed */
  hostname?: string;
  /** on the subject and issuer as `CN=..., O=...` text */
  subject: Predicate[];
  issuer: Predicate[];
}

export type CaptureSource =
  | { kind: 'json'; path: JsonPath }
  | { kind: 'header'; name: string }
  /** from the body, or from a header's value(s) when `header` is set */
  | { kind: 'regex'; pattern: string; header?: string }
  /** a cookie set by the response (any hop), else the jar's cookie for the final URL */
  | { kind: 'cookie'; name: string };

export interface CaptureSpec {
  variable: string;
  source: CaptureSource;
  secret: boolean;
}

export interface CheckSpec {
  name: string;
  /** position in the file, 0-based */
  index: number;
  /** 1-based line of the check in its file or input */
  line?: number;
  request: RequestSpec;
  expect: ExpectSpec;
  captures: CaptureSpec[];
  retries?: number;
  /** names of checks that must pass before this one starts (`needs:`) */
  needs: string[];
  /** every `{{name}}` the check uses, in its request and its expectations */
  refs: string[];
  /** where each reference is used first, for error messages: ref -> line */
  refLines: Record<string, number | undefined>;
}

export interface CheckFile {
  checks: CheckSpec[];
  /** `variables:` of a file written as a map with `checks:` */
  variables: Record<string, JsonValue>;
}

export function statusMatches(spec: StatusSpec, status: number): boolean {
  return spec.codes.includes(status) || spec.classes.includes(Math.floor(status / 100));
}
