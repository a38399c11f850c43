import { describe, expect, test } from '@jest/globals';
import { CheckFileError, parseCheckFile } from '../../src/http/check-schema.js';
import { planChecks } from '../../src/http/plan.js';
import { YamlSyntaxError } from '../../src/http/yaml-source.js';

function problems(text: string): string {
  try {
    parseCheckFile(text);
  } catch (err) {
    if (err instanceof CheckFileError) return err.message;
    throw err;
  }
  throw new Error('expected the file to be refused');
}

function planProblems(
  text: string,
  known: { variables?: string[]; secrets?: string[]; env?: Record<string, string> } = {},
): string {
  const file = parseCheckFile(text);
  try {
    planChecks(file.checks, {
      variables: new Set(known.variables ?? []),
      secrets: new Set(known.secrets ?? []),
      env: known.env ?? {},
    });
  } catch (err) {
    if (err instanceof CheckFileError) return err.message;
    throw err;
  }
  throw new Error('expected the plan to be refused');
}

describe('check file schema', () => {
  test('reads a full check with defaults', () => {
    const file = parseCheckFile(`
variables: { user: alice }
checks:
  - name: login
    request:
      method: post
      url: /api/login
      headers: { X-Trace: abc }
      query: { a: 1, b: [x, y] }
      json: { username: '{{user}}', password: '{{password}}' }
    expect:
      status: [200, 2xx]
      headers: { content-type: /json/ }
      json:
        $.token: { type: string }
      body-contains: token
      max-duration: 1s
    capture:
      token: $.token
      where: header:Location
      csrf: 'regex:csrf=(\\w+)'
    secret-captures: [token]
    retries: 2
  - name: health
    request: { url: /health }
`);
    expect(file.variables).toEqual({ user: 'alice' });
    const [login, health] = file.checks;
    expect(login.request.method).toBe('POST');
    expect(login.request.query).toEqual([
      ['a', '1'],
      ['b', 'x'],
      ['b', 'y'],
    ]);
    expect(login.request.body).toEqual({
      kind: 'json',
      value: { username: '{{user}}', password: '{{password}}' },
    });
    expect(login.expect.status).toEqual({ codes: [200], classes: [2], text: '200, 2xx' });
    expect(login.expect.maxDurationMs).toBe(1000);
    expect(login.captures.map((c) => [c.variable, c.source.kind, c.secret])).toEqual([
      ['token', 'json', true],
      ['where', 'header', false],
      ['csrf', 'regex', false],
    ]);
    expect(login.retries).toBe(2);
    expect(login.refs.sort()).toEqual(['password', 'user']);
    expect(login.line).toBe(4);
    expect(health.expect.status.text).toBe('2xx');
    expect(health.request.method).toBe('GET');
    expect(health.line).toBe(24);
  });

  test('malformed YAML gives line and column', () => {
    try {
      parseCheckFile('- name: a\n  request: { url: /x\n- name: b\n');
      throw new Error('expected a syntax error');
    } catch (err) {
      expect(err).toBeInstanceOf(YamlSyntaxError);
      expect((err as YamlSyntaxError).line).toBeGreaterThanOrEqual(2);
      expect((err as YamlSyntaxError).column).toBeGreaterThan(0);
    }
  });

  test('an unknown predicate names the check, its line and the predicates', () => {
    const msg = problems(
      `- name: ok\n  request: { url: /a }\n- name: token\n  request: { url: /b }\n  expect:\n    json:\n      $.token: { equal: 1 }\n`,
    );
    expect(msg).toMatch(
      /^line 7, check 'token': expect.json '\$.token': unknown predicate 'equal'; use one of: equals/,
    );
  });

  test('duplicate names point at both lines', () => {
    const msg = problems(
      `- name: health\n  request: { url: /a }\n- name: health\n  request: { url: /b }\n`,
    );
    expect(msg).toBe(
      "line 3, check 'health': duplicate check name (first used on line 1); names must be unique",
    );
  });

  test('every problem is collected, each with its line', () => {
    const msg = problems(
      [
        '- name: a',
        '  request: { url: /a, json: {}, body: x }',
        '  expect: { status: 700, colour: red }',
        '- request: { url: /b }',
        '- name: c',
        '  request: { method: "G E T" }',
        '  capture: { token: "$.[" }',
        '  secret-captures: [nope]',
      ].join('\n'),
    );
    expect(msg).toContain("line 2, check 'a': request has both 'json' and 'body'; use one");
    expect(msg).toContain(
      "line 3, check 'a': expect.status 700 is not a status code (100-599) or class (2xx)",
    );
    expect(msg).toContain("line 3, check 'a': unknown key 'colour' in expect");
    expect(msg).toContain("line 4: check #2 needs a 'name'");
    expect(msg).toContain("check 'c': request.method 'G E T' is not an HTTP method");
    expect(msg).toContain("check 'c': request.url is required");
    expect(msg).toMatch(/line 7, check 'c': capture 'token': .*position/);
    expect(msg).toContain("line 8, check 'c': secret-captures names 'nope'");
  });

  test('requests that could never be sent are refused up front', () => {
    const msg = problems(
      [
        '- name: a',
        '  request: { url: /a, json: { x: 1 } }',
        '- name: b',
        '  request: { url: /b, headers: { "Bad Header": x } }',
        '- name: c',
        '  request: { url: "ftp://host/file" }',
        '- name: d',
        '  request: { url: "http://[::1" }',
      ].join('\n'),
    );
    expect(msg).toContain(
      "line 2, check 'a': a GET request cannot have a body; use POST, PUT or PATCH",
    );
    expect(msg).toContain(
      "line 4, check 'b': request header name 'Bad Header' is not a valid HTTP header name",
    );
    expect(msg).toContain(
      'line 6, check \'c\': request.url "ftp://host/file" must be http:// or https://',
    );
    expect(msg).toContain(
      'line 8, check \'d\': request.url "http://[::1" is not a valid URL or path',
    );
  });

  test('the top level must be a list or a map with checks', () => {
    expect(problems('name: x')).toMatch(/unknown top-level key 'name'/);
    expect(problems('[]')).toMatch(/non-empty list of checks/);
    expect(problems('checks: 3')).toMatch(/non-empty list of checks/);
  });

  test('a malformed template is caught', () => {
    expect(problems('- name: a\n  request: { url: "/a/{{id}" }\n')).toMatch(
      /line 2, check 'a': request.url has a malformed template near '\{\{id\}'/,
    );
  });
});

describe('planning references and dependencies', () => {
  test('an unknown variable is an error naming the known ones', () => {
    const msg = planProblems('- name: a\n  request:\n    url: /x/{{nope}}\n', {
      variables: ['user'],
      secrets: ['password'],
    });
    expect(msg).toBe(
      "line 3, check 'a': uses {{nope}}, which is not a variable, a secret or a capture of any check (known: password, user)",
    );
  });

  test('an unset environment variable is an error', () => {
    expect(planProblems('- name: a\n  request: { url: "/{{env.NOT_SET_HERE}}" }\n')).toMatch(
      /uses \{\{env.NOT_SET_HERE\}\} but the environment variable NOT_SET_HERE is not set/,
    );
  });

  test('a capture cycle is an error showing the loop', () => {
    const msg = planProblems(`
- name: a
  request: { url: '/a/{{y}}' }
  capture: { x: $.x }
- name: b
  request: { url: '/b/{{x}}' }
  capture: { y: $.y }
`);
    expect(msg).toBe(
      "line 2, check 'a': dependency cycle: 'a' uses {{y}} from 'b', 'b' uses {{x}} from 'a'",
    );
  });

  test('a check using its own capture is a cycle too', () => {
    expect(
      planProblems("- name: a\n  request: { url: '/a/{{x}}' }\n  capture: { x: $.x }\n"),
    ).toMatch(/dependency cycle: 'a' uses \{\{x\}\} from 'a'/);
  });

  test('two checks capturing one name, or a capture shadowing a variable, are errors', () => {
    const two = planProblems(
      '- name: a\n  request: { url: /a }\n  capture: { x: $.x }\n- name: b\n  request: { url: /b }\n  capture: { x: $.x }\n',
    );
    expect(two).toMatch(/check 'b': captures 'x', which check 'a' captures too/);
    const shadow = planProblems('- name: a\n  request: { url: /a }\n  capture: { user: $.x }\n', {
      variables: ['user'],
    });
    expect(shadow).toMatch(/captures 'user', which is already a variable/);
  });

  test('dependencies come from captures and needs', () => {
    const file = parseCheckFile(`
- name: login
  request: { url: /login }
  capture: { token: $.token }
- name: create
  request: { url: /jobs, headers: { Authorization: 'Bearer {{token}}' } }
  capture: { id: $.id }
- name: approve
  request: { url: '/jobs/{{id}}/approve', headers: { Authorization: 'Bearer {{token}}' } }
- name: status
  needs: [approve]
  request: { url: '/jobs/{{id}}' }
- name: health
  request: { url: /health }
`);
    const plan = planChecks(file.checks, { variables: new Set(), secrets: new Set(), env: {} });
    expect(plan.map((p) => p.deps)).toEqual([[], [0], [0, 1], [1, 2], []]);
    expect(plan[2].uses).toEqual([
      { variable: 'id', from: 1 },
      { variable: 'token', from: 0 },
    ]);
  });

  test('needs must name a check', () => {
    expect(problems('- name: a\n  needs: ghost\n  request: { url: /a }\n')).toMatch(
      /check 'a': needs 'ghost', which is not the name of a check/,
    );
  });
});
