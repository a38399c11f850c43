import { describe, expect, test } from '@jest/globals';
import {
  CookieJar,
  defaultPath,
  domainMatches,
  parseSetCookie,
  pathMatches,
} from '../../src/http/cookie-jar.js';

/** RFC 6265 §5 rules of the run's cookie jar, one by one. */

const u = (s: string) => new URL(s);

function jarAt(start = Date.UTC(2026, 0, 1)) {
  const clock = { now: start };
  return { jar: new CookieJar(() => clock.now), clock };
}

describe('parsing', () => {
  test('name, value and attributes; the last attribute of a kind wins', () => {
    const c = parseSetCookie('sid = a=b ; Path=/x; path=/y; Secure; HttpOnly; SameSite=Strict');
    expect(c?.name).toBe('sid');
    expect(c?.value).toBe('a=b');
    expect(c?.attrs.get('path')).toBe('/y');
    expect(c?.attrs.has('secure')).toBe(true);
  });
  test('a line without = or without a name is ignored', () => {
    expect(parseSetCookie('justtext; Path=/')).toBeUndefined();
    expect(parseSetCookie('=v')).toBeUndefined();
  });
  test('default path is the directory of the request path', () => {
    expect(defaultPath(u('http://h/'))).toBe('/');
    expect(defaultPath(u('http://h/login'))).toBe('/');
    expect(defaultPath(u('http://h/admin/login/'))).toBe('/admin/login');
    expect(defaultPath(u('http://h/a/b/c'))).toBe('/a/b');
  });
  test('domain and path matching', () => {
    expect(domainMatches('api.example.com', 'example.com')).toBe(true);
    expect(domainMatches('badexample.com', 'example.com')).toBe(false);
    expect(domainMatches('1.2.3.4', '2.3.4')).toBe(false);
    expect(pathMatches('/admin/x', '/admin')).toBe(true);
    expect(pathMatches('/admin', '/admin')).toBe(true);
    expect(pathMatches('/administrator', '/admin')).toBe(false);
    expect(pathMatches('/admin/x', '/admin/')).toBe(true);
  });
});

describe('storing and sending', () => {
  test('a host-only cookie goes back to exactly its host, on any port', () => {
    const { jar } = jarAt();
    jar.store(u('http://app.example.com:8000/login'), ['sid=1; Path=/']);
    expect(jar.cookieHeader(u('http://app.example.com:9000/x'))).toBe('sid=1');
    expect(jar.cookieHeader(u('http://sub.app.example.com/x'))).toBeUndefined();
    expect(jar.cookieHeader(u('http://example.com/x'))).toBeUndefined();
  });

  test('a Domain cookie goes to the domain and its subdomains; a foreign Domain is refused', () => {
    const { jar } = jarAt();
    const got = jar.store(u('http://app.example.com/'), [
      'a=1; Domain=.example.com; Path=/',
      'b=2; Domain=other.com; Path=/',
      'c=3; Domain=com; Path=/',
    ]);
    expect(got.map((c) => [c.name, c.stored])).toEqual([
      ['a', true],
      ['b', false],
      ['c', false],
    ]);
    expect(jar.cookieHeader(u('http://www.example.com/'))).toBe('a=1');
    expect(jar.cookieHeader(u('http://example.com/'))).toBe('a=1');
    expect(jar.cookieHeader(u('http://other.com/'))).toBeUndefined();
  });

  test('Domain=localhost is accepted from localhost (a dotless domain that is the host)', () => {
    const { jar } = jarAt();
    jar.store(u('http://localhost:3000/'), ['a=1; Domain=localhost']);
    expect(jar.cookieHeader(u('http://localhost:4000/'))).toBe('a=1');
  });

  test('path: default and explicit; longer paths come first in the header', () => {
    const { jar } = jarAt();
    jar.store(u('http://h/admin/login/'), ['deep=1']);
    jar.store(u('http://h/'), ['root=2; Path=/', 'admin=3; Path=/admin']);
    expect(jar.cookieHeader(u('http://h/admin/login/'))).toBe('deep=1; admin=3; root=2');
    expect(jar.cookieHeader(u('http://h/admin/'))).toBe('admin=3; root=2');
    expect(jar.cookieHeader(u('http://h/administrator'))).toBe('root=2');
  });

  test('Secure cookies go over https only', () => {
    const { jar } = jarAt();
    jar.store(u('https://h/'), ['s=1; Secure; Path=/', 'p=2; Path=/']);
    expect(jar.cookieHeader(u('https://h/'))).toBe('s=1; p=2');
    expect(jar.cookieHeader(u('http://h/'))).toBe('p=2');
  });

  test('the same name, domain and path replaces the value and keeps its place', () => {
    const { jar } = jarAt();
    jar.store(u('http://h/'), ['a=1; Path=/', 'b=2; Path=/']);
    jar.store(u('http://h/'), ['a=3; Path=/']);
    expect(jar.cookieHeader(u('http://h/'))).toBe('a=3; b=2');
    jar.store(u('http://h/'), ['a=4; Path=/other']);
    expect(jar.all()).toHaveLength(3);
  });

  test('Max-Age and Expires: expiry, Max-Age wins, 0 and past dates delete', () => {
    const { jar, clock } = jarAt();
    jar.store(u('http://h/'), [
      'short=1; Path=/; Max-Age=60',
      'both=2; Path=/; Max-Age=60; Expires=Wed, 01 Jan 2031 00:00:00 GMT',
      'long=3; Path=/; Expires=Wed, 01 Jan 2031 00:00:00 GMT',
      'session=4; Path=/',
    ]);
    expect(jar.cookieHeader(u('http://h/'))).toBe('short=1; both=2; long=3; session=4');
    clock.now += 61_000;
    expect(jar.cookieHeader(u('http://h/'))).toBe('long=3; session=4');
    const deleted = jar.store(u('http://h/'), [
      'long=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
      'session=; Path=/; Max-Age=0',
    ]);
    expect(deleted.every((c) => !c.stored)).toBe(true);
    expect(jar.cookieHeader(u('http://h/'))).toBeUndefined();
  });

  test('a deletion for another path leaves the cookie alone', () => {
    const { jar } = jarAt();
    jar.store(u('http://h/'), ['a=1; Path=/']);
    jar.store(u('http://h/'), ['a=; Path=/x; Max-Age=0']);
    expect(jar.cookieHeader(u('http://h/x'))).toBe('a=1');
  });
});
