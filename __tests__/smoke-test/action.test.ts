import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runAction, type ActionRun, scratchDir } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';
import { startTestApp, type TestApp } from './server.js';

/** The bundled action (dist/smoke-test) run like the runner does, against the test app. */

const examples = join(repoRoot, 'workflows-examples/smoke');
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});
beforeEach(() => app.reset());

interface Result {
  name: string;
  ok: boolean;
  skipped: boolean;
  status: number | null;
  duration_ms: number;
  error: string | null;
}

function results(run: ActionRun): Record<string, Result> {
  const list = JSON.parse(run.outputs.results) as Result[];
  return Object.fromEntries(list.map((r) => [r.name, r]));
}

function smoke(inputs: Record<string, string | number | boolean>): Promise<ActionRun> {
  return runAction('smoke-test', { 'base-url': app.url, ...inputs }, { timeoutMs: 60_000 });
}

describe('smoke-test action: the example files', () => {
  test('login flow passes; the token and password never show', async () => {
    const run = await smoke({
      'checks-file': join(examples, 'login-flow.checks.yml'),
      secrets: `password: ${app.password}`,
      report: 'reports/login.xml',
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ passed: '6', failed: '0', skipped: '0', total: '6' });
    expect(Object.values(results(run)).every((r) => r.ok && r.error === null)).toBe(true);
    expect(run.outputs['report-path']).toBe(join(run.workspace, 'reports/login.xml'));
    const xml = readFileSync(run.outputs['report-path'], 'utf8');
    expect(xml).toContain('tests="6" failures="0" errors="0" skipped="0"');
    expect(run.summary).toContain('Smoke test: 6/6 passed');
    expect(run.summary).toContain('/api/orders?limit=10');

    const token = app.tokens[app.tokens.length - 1];
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    // the token was handed to the runner to mask before anything printed it
    expect(run.masks).toContain(token);
    expect(run.masks).toContain(app.password);
    expectNoSecret(run, [token, app.password]);
    expect(xml).not.toContain(token);
    expect(xml).not.toContain(app.password);
  });

  test('job flow passes: create, capture the id, approve, check the status', async () => {
    const run = await smoke({
      'checks-file': join(examples, 'job-flow.checks.yml'),
      secrets: `password: ${app.password}`,
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ passed: '4', total: '4', 'report-path': '' });
    const order = app.events.map((e) => `${e.method} ${e.path.replace(/\d+/g, 'N')}`);
    expect(order).toEqual([
      'POST /api/login',
      'POST /api/jobs',
      'POST /api/jobs/N/approve',
      'GET /api/jobs/N',
    ]);
    expectNoSecret(run, [...app.tokens, app.password]);
  });
});

describe('smoke-test action: a broken server fails exactly the affected checks', () => {
  test('wrong status, missing field, slow response over max-duration', async () => {
    app.faults = {
      status: { orders: 500 },
      dropField: { health: 'version' },
      delayMs: { me: 2300 },
    };
    const run = await smoke({
      'checks-file': join(examples, 'login-flow.checks.yml'),
      secrets: `password: ${app.password}`,
      report: 'smoke.xml',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ passed: '3', failed: '3', skipped: '0', total: '6' });
    const r = results(run);
    expect(r.health.error).toBe(
      '$.version: not found (expected matches "^\\\\d+\\\\.\\\\d+\\\\.\\\\d+$")',
    );
    expect(r.orders.error).toBe(
      'status: expected 2xx, got 500; body: {"orders":[{"id":1,"total":12.5},{"id":2,"total":99}],"total":2,"limit":10}',
    );
    expect(r.orders.status).toBe(500);
    expect(r.profile.error).toMatch(/^duration: expected at most 2000ms, took [2-9]\d{3}ms$/);
    expect(['login', 'anonymous is refused', 'home page'].every((n) => r[n].ok)).toBe(true);

    expect(run.errors[run.errors.length - 1]).toBe(
      "3 of 6 checks failed: 'health', 'profile', 'orders'",
    );
    expect(run.errors).toContain(`check 'orders': ${r.orders.error}`);
    expect(run.summary).toContain('Smoke test: 3/6 passed');
    expect(run.summary).toMatch(
      /❌ fail<\/td><td>orders<\/td><td>GET<\/td><td>\/api\/orders\?limit=10<\/td><td>500<\/td>/,
    );
    expect(run.summary).toContain('duration: expected at most 2000ms, took');

    const xml = readFileSync(join(run.workspace, 'smoke.xml'), 'utf8');
    expect(xml).toContain('tests="6" failures="3" errors="0" skipped="0"');
    expect(xml).toContain(
      `<failure message="$.version: not found (expected matches &quot;^\\\\d+\\\\.\\\\d+\\\\.\\\\d+$&quot;)" type="assertion">`,
    );
    expect(xml).toMatch(
      /<testcase name="profile" [^>]*>\s*<failure message="duration: expected at most 2000ms, took [2-9]\d{3}ms"/,
    );
    expectNoSecret(run, [...app.tokens, app.password]);
  });

  test('a failed capture skips its dependents with the reason, everywhere', async () => {
    app.faults = { dropField: { 'create-job': 'id' } };
    const run = await smoke({
      'checks-file': join(examples, 'job-flow.checks.yml'),
      secrets: `password: ${app.password}`,
      report: 'jobs.xml',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ passed: '1', failed: '1', skipped: '2', total: '4' });
    const r = results(run);
    expect(r['create job'].error).toBe(
      'capture \'job_id\': $.id not found in the response | $.id: not found (expected type "integer")',
    );
    expect(r['approve job']).toMatchObject({
      ok: false,
      skipped: true,
      status: null,
      error: "skipped: uses {{job_id}} captured by 'create job', which did not pass",
    });
    expect(r['job is approved'].error).toBe(
      "skipped: uses {{job_id}} captured by 'create job', which did not pass",
    );
    expect(app.events.some((e) => e.path.includes('approve'))).toBe(false);
    expect(run.summary).toContain('⏭️ skip');
    expect(run.summary).toContain(
      'skipped: uses {{job_id}} captured by &#39;create job&#39;'.replace(/&#39;/g, "'"),
    );
    const xml = readFileSync(join(run.workspace, 'jobs.xml'), 'utf8');
    expect(xml).toContain(
      '<skipped message="skipped: uses {{job_id}} captured by &apos;create job&apos;, which did not pass"/>',
    );
    expect(run.errors[run.errors.length - 1]).toBe(
      "1 of 4 checks failed, 2 skipped: 'create job', 'approve job', 'job is approved'",
    );
  });

  test('a missing field in the approval fails it; the status check that needs it is skipped', async () => {
    app.faults = { dropField: { approve: 'status' } };
    const run = await smoke({
      'checks-file': join(examples, 'job-flow.checks.yml'),
      secrets: `password: ${app.password}`,
    });
    const r = results(run);
    expect(r['approve job'].error).toBe('$.status: not found (expected "approved")');
    expect(r['job is approved'].error).toBe("skipped: needs 'approve job', which did not pass");
    expect(r['create job'].ok).toBe(true);
  });
});

describe('smoke-test action: scheduling', () => {
  test('concurrency 4 with 12 independent slow checks: the server sees 4 at once', async () => {
    const checks = Array.from(
      { length: 12 },
      (_, i) => `- name: slow ${i}\n  request: { url: '/slow?ms=300&n=${i}' }`,
    ).join('\n');
    const run = await smoke({ checks, concurrency: 4 });
    expect(run.exitCode).toBe(0);
    expect(app.events.filter((e) => e.path.startsWith('/slow'))).toHaveLength(12);
    expect(app.maxConcurrent('/slow')).toBe(4);
  });

  test('a capture chain runs in order, next to independent checks', async () => {
    const chain = [
      "- name: c1\n  request: { url: '/echo?v=a' }\n  capture: { v1: $.query.v }",
      "- name: c2\n  request: { url: '/echo?v={{v1}}b' }\n  capture: { v2: $.query.v }",
      "- name: c3\n  request: { url: '/echo?v={{v2}}c' }\n  capture: { v3: $.query.v }",
      "- name: c4\n  request: { url: '/echo?v={{v3}}d' }\n  expect: { json: { $.query.v: abcd } }",
      "- name: side\n  request: { url: '/slow?ms=400' }",
    ].join('\n');
    const run = await smoke({ checks: chain, concurrency: 4 });
    expect(run.exitCode).toBe(0);
    const echo = app.events.filter((e) => e.path.startsWith('/echo'));
    expect(echo.map((e) => e.path)).toEqual([
      '/echo?v=a',
      '/echo?v=ab',
      '/echo?v=abc',
      '/echo?v=abcd',
    ]);
    for (let i = 1; i < echo.length; i++)
      expect(echo[i].start).toBeGreaterThanOrEqual(echo[i - 1].end ?? Infinity);
    // the independent slow check ran alongside the chain
    expect(app.maxConcurrent('/')).toBe(2);
  });
});

describe('smoke-test action: retries and wait-for-ready', () => {
  const flaky =
    "- name: flaky\n  request: { url: '/flaky?key=k&fail=2' }\n- name: health\n  request: { url: /health }";

  test('without them the flaky endpoint fails', async () => {
    const run = await smoke({ checks: flaky });
    expect(run.exitCode).toBe(1);
    expect(results(run).flaky.error).toMatch(/^status: expected 2xx, got 503/);
  });

  test('retries recover', async () => {
    const run = await smoke({ checks: flaky, retries: 2, 'retry-delay': '50ms' });
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain('passed on attempt 3');
  });

  test('wait-for-ready recovers, and the other checks wait for it', async () => {
    const run = await smoke({ checks: flaky, 'wait-for-ready': '20s', 'retry-delay': '50ms' });
    expect(run.exitCode).toBe(0);
    const lastFlaky = app.events.filter((e) => e.path.startsWith('/flaky')).at(-1);
    const health = app.events.find((e) => e.path === '/health');
    expect(health?.start).toBeGreaterThanOrEqual(lastFlaky?.end ?? Infinity);
  });
});

describe('smoke-test action: report', () => {
  test('a report that cannot be written fails the step after outputs and summary', async () => {
    const workspace = scratchDir('smoke-ws-');
    mkdirSync(join(workspace, 'taken'));
    const run = await runAction(
      'smoke-test',
      {
        'base-url': app.url,
        checks: '- name: health\n  request: { url: /health }',
        report: 'taken',
      },
      { workspace },
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `Input 'report': cannot write the JUnit report to ${join(workspace, 'taken')} (EISDIR)`,
    ]);
    expect(run.outputs).toMatchObject({ passed: '1', total: '1', 'report-path': '' });
    expect(run.summary).toContain('Smoke test: 1/1 passed');
    expect(readdirSync(workspace)).toEqual(['taken']);
  });
});

describe('smoke-test action: secrets', () => {
  test('a secret capture echoed back in a failure message is masked everywhere', async () => {
    const checks = `
- name: login
  request: { method: POST, url: /api/login, json: { username: alice, password: '{{password}}' } }
  capture: { token: $.token }
  secret-captures: [token]
- name: echo
  request: { url: /echo, headers: { Authorization: 'Bearer {{token}}' } }
  expect: { json: { $.headers.authorization: nope } }
`;
    const run = await smoke({ checks, secrets: `password: ${app.password}`, report: 'r.xml' });
    expect(run.exitCode).toBe(1);
    expect(results(run).echo.error).toBe(
      '$.headers.authorization: expected "nope", got "Bearer ***"',
    );
    const token = app.tokens[0];
    expectNoSecret(run, [token, app.password]);
    const xml = readFileSync(join(run.workspace, 'r.xml'), 'utf8');
    expect(xml).toContain('got &quot;Bearer ***&quot;');
    expect(xml).not.toContain(token);
  });
});

describe('smoke-test action: bad inputs fail before any request', () => {
  const ok = '- name: health\n  request: { url: /health }';
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'malformed YAML',
      { checks: '- name: a\n  request: { url: /x\n- name: b' },
      /^Input 'checks': is not valid YAML at line \d+, column \d+: /,
    ],
    [
      'unknown predicate',
      { checks: `${ok}\n  expect:\n    json:\n      $.status: { equal: ok }` },
      /^Input 'checks': line 5, check 'health': expect.json '\$.status': unknown predicate 'equal'; use one of: equals, not-equals, exists/,
    ],
    [
      'duplicate names',
      { checks: `${ok}\n${ok}` },
      /^Input 'checks': line 3, check 'health': duplicate check name \(first used on line 1\)/,
    ],
    [
      'unknown variable',
      { checks: "- name: a\n  request: { url: '/x/{{ghost}}' }", variables: 'user: alice' },
      /^Input 'checks': line 2, check 'a': uses \{\{ghost\}\}, which is not a variable, a secret or a capture of any check \(known: user\)$/,
    ],
    [
      'capture cycle',
      {
        checks:
          "- name: a\n  request: { url: '/{{y}}' }\n  capture: { x: $.x }\n- name: b\n  request: { url: '/{{x}}' }\n  capture: { y: $.y }",
      },
      /^Input 'checks': line 1, check 'a': dependency cycle: 'a' uses \{\{y\}\} from 'b', 'b' uses \{\{x\}\} from 'a'$/,
    ],
    [
      'invalid base-url',
      { 'base-url': 'not a url', checks: ok },
      /^Input 'base-url': "not a url" is not a valid URL/,
    ],
    [
      'base-url scheme',
      { 'base-url': 'ftp://127.0.0.1/', checks: ok },
      /^Input 'base-url': scheme 'ftp' is not supported; use one of: http:\/\/, https:\/\//,
    ],
    [
      'both checks and checks-file',
      { checks: ok, 'checks-file': 'x.yml' },
      /^Input 'checks': and 'checks-file' are both set/,
    ],
    ['neither', {}, /^Input 'checks': is required: set 'checks' .* or 'checks-file'/],
    [
      'missing file',
      { 'checks-file': 'nope/checks.yml' },
      /^Input 'checks-file': cannot read "nope\/checks.yml" \(no such file\)/,
    ],
    [
      'bad concurrency',
      { checks: ok, concurrency: '0' },
      /^Input 'concurrency': 0 is out of range/,
    ],
    ['bad timeout', { checks: ok, timeout: '10' }, /^Input 'timeout': "10" is not a duration/],
    [
      'variables not a map',
      { checks: ok, variables: '- a' },
      /^Input 'variables': must be a YAML map/,
    ],
  ];

  test.each(cases)('%s', async (_what, inputs, message) => {
    const run = await smoke(inputs);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(message);
    expect(app.events).toEqual([]);
    expect(run.stdout).not.toMatch(/\n\s+at /);
  });

  test('a check file error names the file and the line', async () => {
    const workspace = scratchDir('smoke-ws-');
    writeFileSync(join(workspace, 'smoke.yml'), `${ok}\n  retries: -1\n`);
    const run = await runAction(
      'smoke-test',
      { 'base-url': app.url, 'checks-file': 'smoke.yml' },
      { workspace },
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "Input 'checks-file': smoke.yml: line 3, check 'health': retries must be a whole number from 0 to 100, not -1",
    ]);
    expect(app.events).toEqual([]);
  });
});
