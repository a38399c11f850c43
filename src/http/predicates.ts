import { renderJson, templateRefs, type JsonValue, type Lookup } from './template.js';
import type { PathResult } from './jsonpath.js';

/**
 * The predicates of `expect.json`. A plain value means `equals`; a map whose keys are
 * predicate names applies each of them (all must hold). A map with any other key is an
 * error, so a typo never silently turns into an equality check against an object.
 */

export const PREDICATES = [
  'equals',
  'not-equals',
  'exists',
  'contains',
  'matches',
  'in',
  'not-in',
  'gt',
  'gte',
  'lt',
  'lte',
  'type',
  'length',
] as const;
export type PredicateName = (typeof PREDICATES)[number];

export const TYPES = ['string', 'number', 'integer', 'boolean', 'null', 'array', 'object'] as const;

export type Predicate =
  | { op: Exclude<PredicateName, 'length'>; operand: JsonValue }
  | { op: 'length'; operand: Predicate[] };

export class PredicateSpecError extends Error {}

function isMap(v: unknown): v is { [key: string]: JsonValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `/pattern/flags` or a bare pattern; throws SyntaxError for an invalid one. */
export function parseRegex(text: string): RegExp {
  const m = /^\/(.*)\/([dgimsuvy]*)$/s.exec(text);
  return m ? new RegExp(m[1], m[2]) : new RegExp(text);
}

/** A regex operand, checked now unless a template makes it known only at run time. */
export function checkRegex(text: string, what: string): void {
  if (templateRefs(text).length > 0) return;
  try {
    parseRegex(text);
  } catch (err) {
    throw new PredicateSpecError(
      `${what} ${JSON.stringify(text)} is not a valid regular expression: ${(err as Error).message}`,
    );
  }
}

function isTemplate(v: JsonValue): boolean {
  return typeof v === 'string' && templateRefs(v).length > 0;
}

function checkOperand(op: PredicateName, operand: JsonValue): Predicate {
  switch (op) {
    case 'exists':
      if (typeof operand !== 'boolean')
        throw new PredicateSpecError(`'exists' takes true or false, not ${show(operand)}`);
      return { op, operand };
    case 'matches':
      if (typeof operand !== 'string')
        throw new PredicateSpecError(
          `'matches' takes a regular expression text, not ${show(operand)}`,
        );
      checkRegex(operand, "'matches'");
      return { op, operand };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof operand !== 'number' && !isTemplate(operand)) {
        throw new PredicateSpecError(`'${op}' takes a number, not ${show(operand)}`);
      }
      return { op, operand };
    case 'in':
    case 'not-in':
      if (!Array.isArray(operand) && !isTemplate(operand)) {
        throw new PredicateSpecError(`'${op}' takes a list of values, not ${show(operand)}`);
      }
      return { op, operand };
    case 'type':
      if (typeof operand !== 'string' || !(TYPES as readonly string[]).includes(operand)) {
        throw new PredicateSpecError(
          `'type' takes one of: ${TYPES.join(', ')}; got ${show(operand)}`,
        );
      }
      return { op, operand };
    case 'length': {
      const inner = parsePredicates(operand);
      return { op, operand: inner };
    }
    default:
      return { op, operand };
  }
}

/** Turns an expectation (a value or a predicate map) into predicates; throws PredicateSpecError. */
export function parsePredicates(spec: JsonValue): Predicate[] {
  if (!isMap(spec)) return [{ op: 'equals', operand: spec }];
  const keys = Object.keys(spec);
  if (keys.length === 0) {
    throw new PredicateSpecError(
      'an empty map is not an expectation; to compare with an empty object write {equals: {}}',
    );
  }
  return keys.map((key) => {
    if (!(PREDICATES as readonly string[]).includes(key)) {
      throw new PredicateSpecError(
        `unknown predicate '${key}'; use one of: ${PREDICATES.join(', ')} (to compare with an object write {equals: {...}})`,
      );
    }
    return checkOperand(key as PredicateName, spec[key]);
  });
}

/** A value for a message: JSON, shortened. */
export function show(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isMap(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return a === b || stableJson(a) === stableJson(b);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function lengthOf(v: unknown): number | undefined {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  return undefined;
}

const SYMBOL: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

function evaluateOne(p: Predicate, result: PathResult, lookup: Lookup): string | undefined {
  if (p.op === 'exists') {
    if (p.operand === result.found) return undefined;
    return result.found
      ? `expected not to exist, got ${show(result.value)}`
      : 'expected to exist, not found';
  }
  if (p.op === 'length') {
    if (!result.found) return 'expected a value with a length, not found';
    const n = lengthOf(result.value);
    if (n === undefined)
      return `expected a string, array or object with a length, got ${show(result.value)}`;
    for (const inner of p.operand) {
      const failure = evaluateOne(inner, { found: true, value: n }, lookup);
      if (failure) return `length ${failure}`;
    }
    return undefined;
  }
  const expected = renderJson(p.operand, lookup);
  if (!result.found) {
    return p.op === 'not-equals' || p.op === 'not-in'
      ? undefined
      : `not found (expected ${describe(p.op, expected)})`;
  }
  const actual = result.value;
  const got = `got ${show(actual)}`;
  switch (p.op) {
    case 'equals':
      return deepEqual(actual, expected) ? undefined : `expected ${show(expected)}, ${got}`;
    case 'not-equals':
      return deepEqual(actual, expected)
        ? `expected anything but ${show(expected)}, ${got}`
        : undefined;
    case 'contains': {
      const ok =
        typeof actual === 'string'
          ? typeof expected === 'string' && actual.includes(expected)
          : Array.isArray(actual)
            ? actual.some((x) => deepEqual(x, expected))
            : isMap(actual) && typeof expected === 'string' && expected in actual;
      return ok ? undefined : `expected to contain ${show(expected)}, ${got}`;
    }
    case 'matches': {
      const text =
        typeof actual === 'string'
          ? actual
          : typeof actual === 'number'
            ? String(actual)
            : undefined;
      const re = parseRegex(String(expected));
      return text !== undefined && re.test(text)
        ? undefined
        : `expected to match ${String(expected)}, ${got}`;
    }
    case 'in':
    case 'not-in': {
      const list = Array.isArray(expected) ? expected : [expected];
      const member = list.some((x) => deepEqual(actual, x));
      if (p.op === 'in') return member ? undefined : `expected one of ${show(list)}, ${got}`;
      return member ? `expected none of ${show(list)}, ${got}` : undefined;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const limit = typeof expected === 'string' ? Number(expected) : expected;
      if (typeof actual !== 'number' || typeof limit !== 'number' || Number.isNaN(limit)) {
        return `expected a number ${SYMBOL[p.op]} ${show(expected)}, ${got}`;
      }
      const ok =
        p.op === 'gt'
          ? actual > limit
          : p.op === 'gte'
            ? actual >= limit
            : p.op === 'lt'
              ? actual < limit
              : actual <= limit;
      return ok ? undefined : `expected ${SYMBOL[p.op]} ${limit}, ${got}`;
    }
    case 'type': {
      const t = typeOf(actual);
      const ok = expected === 'integer' ? Number.isInteger(actual) : t === expected;
      return ok ? undefined : `expected type ${String(expected)}, got ${t} ${show(actual)}`;
    }
  }
}

function describe(op: PredicateName, expected: JsonValue): string {
  if (op === 'equals') return show(expected);
  return `${SYMBOL[op] ?? op} ${show(expected)}`;
}

/** The first failing predicate's message (expected vs actual), or undefined when all hold. */
export function evaluatePredicates(
  preds: readonly Predicate[],
  result: PathResult,
  lookup: Lookup,
): string | undefined {
  for (const p of preds) {
    const failure = evaluateOne(p, result, lookup);
    if (failure) return failure;
  }
  return undefined;
}
