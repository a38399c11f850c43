import { describe, expect, test } from '@jest/globals';
import {
  evaluatePredicates,
  parsePredicates,
  PredicateSpecError,
} from '../../src/http/predicates.js';
import type { JsonValue } from '../../src/http/template.js';

const lookup = (name: string): JsonValue | undefined => ({ id: 7 })[name];

function check(spec: JsonValue, value: unknown, found = true): string | undefined {
  return evaluatePredicates(
    parsePredicates(spec),
    found ? { found: true, value } : { found: false },
    lookup,
  );
}

describe('predicates', () => {
  test('a plain value means equals, deep and type-strict', () => {
    expect(check('ok', 'ok')).toBeUndefined();
    expect(check({ equals: { a: [1, 2] } }, { a: [1, 2] })).toBeUndefined();
    expect(check(42, '42')).toBe('expected 42, got "42"');
    expect(check('approved', 'pending')).toBe('expected "approved", got "pending"');
    expect(check('x', undefined, false)).toBe('not found (expected "x")');
  });

  test('templates in operands take the captured value with its type', () => {
    expect(check('{{id}}', 7)).toBeUndefined();
    expect(check({ gt: '{{id}}' }, 8)).toBeUndefined();
    expect(check({ gt: '{{id}}' }, 7)).toBe('expected > 7, got 7');
  });

  test('each predicate passes and fails with expected vs actual', () => {
    expect(check({ 'not-equals': 'a' }, 'b')).toBeUndefined();
    expect(check({ 'not-equals': 'a' }, 'a')).toBe('expected anything but "a", got "a"');
    expect(check({ in: ['up', 'degraded'] }, 'up')).toBeUndefined();
    expect(check({ in: [{ a: 1 }, 2] }, { a: 1 })).toBeUndefined();
    expect(check({ in: ['up', 'degraded'] }, 'down')).toBe(
      'expected one of ["up","degraded"], got "down"',
    );
    expect(check({ 'not-in': ['down'] }, 'up')).toBeUndefined();
    expect(check({ 'not-in': ['down'] }, 'down')).toBe('expected none of ["down"], got "down"');
    expect(check({ 'not-in': ['down'] }, undefined, false)).toBeUndefined();
    expect(() => parsePredicates({ in: 'up' })).toThrow('\'in\' takes a list of values, not "up"');
    expect(check({ exists: true }, 1)).toBeUndefined();
    expect(check({ exists: true }, undefined, false)).toBe('expected to exist, not found');
    expect(check({ exists: false }, 'x')).toBe('expected not to exist, got "x"');
    expect(check({ contains: 'deployer' }, ['admin', 'deployer'])).toBeUndefined();
    expect(check({ contains: 'ell' }, 'hello')).toBeUndefined();
    expect(check({ contains: 'x' }, ['a'])).toBe('expected to contain "x", got ["a"]');
    expect(check({ matches: '^v\\d+' }, 'v12')).toBeUndefined();
    expect(check({ matches: '/^V/i' }, 'v12')).toBeUndefined();
    expect(check({ matches: '^x' }, 'abc')).toBe('expected to match ^x, got "abc"');
    expect(check({ gte: 3, lt: 10 }, 3)).toBeUndefined();
    expect(check({ lte: 3 }, 4)).toBe('expected <= 3, got 4');
    expect(check({ gt: 1 }, 'abc')).toBe('expected a number > 1, got "abc"');
    expect(check({ type: 'integer' }, 3)).toBeUndefined();
    expect(check({ type: 'array' }, {})).toBe('expected type array, got object {}');
    expect(check({ length: 2 }, [1, 2])).toBeUndefined();
    expect(check({ length: { gte: 16 } }, 'short')).toBe('length expected >= 16, got 5');
    expect(check({ length: 1 }, 5)).toMatch(/with a length/);
  });

  test('bad predicate specs are refused up front', () => {
    expect(() => parsePredicates({ equal: 1 })).toThrow(
      /unknown predicate 'equal'; use one of: equals, not-equals/,
    );
    expect(() => parsePredicates({})).toThrow(PredicateSpecError);
    expect(() => parsePredicates({ exists: 'yes' })).toThrow(/'exists' takes true or false/);
    expect(() => parsePredicates({ gt: 'ten' })).toThrow(/'gt' takes a number/);
    expect(() => parsePredicates({ type: 'float' })).toThrow(/'type' takes one of/);
    expect(() => parsePredicates({ matches: '(' })).toThrow(/not a valid regular expression/);
    expect(() => parsePredicates({ length: { nope: 1 } })).toThrow(/unknown predicate 'nope'/);
  });
});
