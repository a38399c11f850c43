import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckFileError, parseCheckFile } from '../../src/http/check-schema.js';
import { planChecks } from '../../src/http/plan.js';
import { repoRoot } from '../support/run-action.js';

/** The new capture forms and expect.tls: read right, and refused with their line. */

function problems(text: string): string {
  try {
    parseCheckFile(text);
  } catch (err) {
    if (err instanceof CheckFileError) return err.message;
    throw err;
  }
  throw new Error('expected the file to be refused');
}

describe('captures: cookie: and regex:header:', () => {
  test('are read into their sources', () => {
    const [c] = parseCheckFile(`
- name: login
  request: { url: /admin/login/ }
  capture:
    csrf: cookie:csrftoken
    id: 'regex:header:Location:/id=(\\d+)/'
    body: 'regex:/header:(\\w+)/'
    loc: header:Location
`).checks;
    expect(c.captures.map((x) => x.source)).toEqual([
      { kind: 'cookie', name: 'csrftoken' },
      { kind: 'regex', pattern: '/id=(\\d+)/', header: 'Location' },
      // not a header name followed by a colon: a body regex that mentions "header:"
      { kind: 'regex', pattern: '/header:(\\w+)/' },
      { kind: 'header', name: 'Location' },
    ]);
  });

  test('bad forms are refused with their line', () => {
    expect(
      problems(`
- name: login
  request: { url: /x }
  capture:
    a: 'cookie:'
    b: 'cookie:bad name'
    c: 'regex:header::/x/'
    d: 'regex:header:Location:/(/'
    e: 42
`),
    ).toBe(
      [
        "line 5, check 'login': capture 'a': cookie: needs a cookie name (such as cookie:csrftoken)",
        "line 6, check 'login': capture 'b': cookie: needs a cookie name (such as cookie:csrftoken)",
        "line 7, check 'login': capture 'c': regex:header: needs a header name, as in regex:header:Location:/id=(\\d+)/",
        `line 8, check 'login': capture 'd' regex "/(/" is not a valid regular expression: Invalid regular expression: /(/: Unterminated group`,
        "line 9, check 'login': capture 'e' must be a JSONPath, header:Name, cookie:name, regex:pattern or regex:header:Name:pattern",
      ].join('; '),
    );
  });
});

describe('expect.tls', () => {
  test('is read with its predicates and hostname', () => {
    const [c] = parseCheckFile(`
- name: cert
  request: { url: /health }
  expect:
    tls:
      days-left: { gte: 14 }
      hostname: '{{host}}'
      issuer: { contains: "Let's Encrypt" }
`).checks;
    expect(c.expect.tls).toEqual({
      daysLeft: [{ op: 'gte', operand: 14 }],
      hostname: '{{host}}',
      subject: [],
      issuer: [{ op: 'contains', operand: "Let's Encrypt" }],
    });
    expect(c.refs).toEqual(['host']);
  });

  test('bad expectations are refused with their line', () => {
    expect(
      problems(`
- name: cert
  request: { url: /health }
  expect:
    tls:
      days-left: { atleast: 14 }
      hostname: ''
      expiry: 3
- name: cert2
  request: { url: /health }
  expect: { tls: 14 }
- name: cert3
  request: { url: /health }
  expect: { tls: {} }
`),
    ).toBe(
      [
        "line 8, check 'cert': unknown key 'expiry' in expect.tls; use: days-left, hostname, subject, issuer",
        "line 6, check 'cert': expect.tls.days-left: unknown predicate 'atleast'; use one of: equals, not-equals, exists, contains, matches, in, not-in, gt, gte, lt, lte, type, length (to compare with an object write {equals: {...}})",
        "line 7, check 'cert': expect.tls.hostname must not be empty",
        "line 11, check 'cert2': expect.tls must be a map with days-left, hostname, subject or issuer",
        "line 14, check 'cert3': expect.tls is empty; give days-left, hostname, subject or issuer",
      ].join('; '),
    );
  });
});

describe('the new examples', () => {
  const dir = join(repoRoot, 'workflows-examples/smoke');
  test('django-admin-login and certificate check files are valid and plan', () => {
    const django = parseCheckFile(readFileSync(join(dir, 'django-admin-login.checks.yml'), 'utf8'));
    const plan = planChecks(django.checks, {
      variables: new Set(Object.keys(django.variables)),
      secrets: new Set(['admin-password']),
      env: {},
    });
    expect(plan.map((p) => p.deps)).toEqual([[], [0], [1]]);
    expect(django.checks[0].captures[0]).toMatchObject({
      source: { kind: 'cookie', name: 'csrftoken' },
      secret: true,
    });
    const cert = parseCheckFile(readFileSync(join(dir, 'certificate.checks.yml'), 'utf8'));
    expect(cert.checks[0].expect.tls?.daysLeft).toEqual([{ op: 'gte', operand: 14 }]);
  });

  test('the README snippets for cookies and TLS are valid', () => {
    const readme = readFileSync(join(repoRoot, 'actions/smoke-test/README.md'), 'utf8');
    for (const heading of ['## Cookies', '## TLS certificates']) {
      const section = readme.slice(readme.indexOf(heading));
      const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
      expect(parseCheckFile(yaml).checks.length).toBeGreaterThanOrEqual(1);
    }
  });
});
