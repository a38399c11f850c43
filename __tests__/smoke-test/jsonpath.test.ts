import { describe, expect, test } from '@jest/globals';
import { compileJsonPath, JsonPathError, queryJsonPath } from '../../src/http/jsonpath.js';

const doc = {
  token: 'abc',
  user: { name: 'alice', 'first-name': 'Alice', roles: ['admin', 'deployer'] },
  orders: [
    { id: 1, total: 12.5, status: 'paid' },
    { id: 2, total: 99, status: 'open' },
    { id: 3, total: 7, status: 'paid' },
  ],
  'weird key': { 'a.b': true },
};

function q(path: string): unknown {
  const r = queryJsonPath(doc, compileJsonPath(path));
  return r.found ? r.value : 'NOT FOUND';
}

describe('JSONPath subset', () => {
  test('members, indices and the optional $', () => {
    expect(q('$.token')).toBe('abc');
    expect(q('token')).toBe('abc');
    expect(q('$.user.name')).toBe('alice');
    expect(q('user.first-name')).toBe('Alice');
    expect(q("$['weird key']['a.b']")).toBe(true);
    expect(q('$["user"]["roles"][1]')).toBe('deployer');
    expect(q('$.orders[0].id')).toBe(1);
    expect(q('$.orders[-1].id')).toBe(3);
    expect(q('[0]')).toBe('NOT FOUND');
    expect(q('$')).toEqual(doc);
  });

  test('missing members are not found, not undefined', () => {
    expect(q('$.nope')).toBe('NOT FOUND');
    expect(q('$.orders[7]')).toBe('NOT FOUND');
    expect(q('$.token.length')).toBe('NOT FOUND');
  });

  test('wildcards, recursive descent, unions and slices give lists', () => {
    expect(q('$.orders[*].id')).toEqual([1, 2, 3]);
    expect(q('$.orders.*.status')).toEqual(['paid', 'open', 'paid']);
    expect(q('$..name')).toEqual(['alice']);
    expect(q('$..id')).toEqual([1, 2, 3]);
    expect(q('$.orders[0,2].id')).toEqual([1, 3]);
    expect(q('$.orders[1:].id')).toEqual([2, 3]);
    expect(q('$.orders[:2].id')).toEqual([1, 2]);
    expect(q('$.orders[::2].id')).toEqual([1, 3]);
    expect(q('$.orders[*].nope')).toBe('NOT FOUND');
  });

  test('filters compare a member with a literal', () => {
    expect(q("$.orders[?(@.status == 'paid')].id")).toEqual([1, 3]);
    expect(q('$.orders[?(@.total > 10)].id')).toEqual([1, 2]);
    expect(q('$.orders[?(@.total <= 7)].id')).toEqual([3]);
    expect(q("$.orders[?(@.status != 'paid')].id")).toEqual([2]);
    expect(q('$.orders[?(@.id)].id')).toEqual([1, 2, 3]);
  });

  test('definite paths are told apart from indefinite ones', () => {
    expect(compileJsonPath('$.a.b[0]').definite).toBe(true);
    expect(compileJsonPath('$.a[*]').definite).toBe(false);
    expect(compileJsonPath('$..a').definite).toBe(false);
  });

  test.each(['', '$.', '$[', "$['open", '$.a[?(@.x ==)]', '$.a[1:2:0]', '$$', '$.a b'])(
    'rejects %p with a position',
    (path) => {
      expect(() => compileJsonPath(path)).toThrow(JsonPathError);
    },
  );
});
