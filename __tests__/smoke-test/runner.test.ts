import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseCheckFile } from '../../src/http/check-schema.js';
import {
  planSmokeTests,
  runSmokeTests,
  type SmokeOptions,
  type SmokeReport,
} from '../../src/http/smoke-runner.js';
import { startTestApp, type TestApp } from './server.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});
beforeEach(() => app.reset());

async function smoke(yaml: string, opts: Partial<SmokeOptions> = {}): Promise<SmokeReport> {
  const full: SmokeOptions = {
    baseUrl: new URL(app.url),
    variables: {},
    secrets: { password: app.password },
    env: { RUN: '7' },
    timeoutMs: 5000,
    retries: 0,
    retryDelayMs: 10,
    waitForReadyMs: 0,
    concurrency: 4,
    failFast: false,
    registerSecret: () => {},
    ...opts,
  };
  const plan = planSmokeTests(parseCheckFile(yaml), full);
  return runSmokeTests(plan, full);
}

const byName = (r: SmokeReport, name: string) => {
  const found = r.results.find((x) => x.name === name);
  if (!found) throw new Error(`no result ${name}`);
  return found;
};

describe('smoke runner against a real HTTP server', () => {
  test('sends query, headers, JSON, form and text bodies as asked', async () => {
    const r = await smoke(
      `
- name: json
  request: { method: POST, url: /echo, query: { a: '{{env.RUN}}', b: [1, 2] }, headers: { X-Id: 'run-{{env.RUN}}' }, json: { n: '{{n}}', s: 'x{{n}}' } }
  expect:
    json:
      $.method: POST
      $.query.a: '7'
      $.headers.x-id: run-7
      $.headers.content-type: application/json
      $.body: '{"n":3,"s":"x3"}'
- name: form
  request: { method: POST, url: /echo, form: { user: alice, note: 'a b&c' } }
  expect:
    json:
      $.headers.content-type: application/x-www-form-urlencoded
      $.body: user=alice&note=a+b%26c
- name: text
  request: { method: PUT, url: /echo, body: 'plain {{n}}', headers: { Content-Type: text/csv } }
  expect:
    json: { $.body: plain 3, $.headers.content-type: text/csv, $.method: PUT }
`,
      { variables: { n: 3 } },
    );
    expect(r.results.map((x) => [x.name, x.outcome, x.failures])).toEqual([
      ['json', 'passed', []],
      ['form', 'passed', []],
      ['text', 'passed', []],
    ]);
  });

  test('follows a redirect and records it', async () => {
    const r = await smoke(
      '- name: old\n  request: { url: /old }\n  expect: { status: 200, json: { $.status: ok } }\n- name: raw\n  request: { url: /old, follow-redirects: false }\n  expect: { status: 302, headers: { location: /health } }\n',
    );
    expect(byName(r, 'old').outcome).toBe('passed');
    expect(byName(r, 'old').redirects).toEqual([
      { status: 302, from: `${app.url}/old`, to: `${app.url}/health` },
    ]);
    expect(byName(r, 'raw').outcome).toBe('passed');
    expect(byName(r, 'raw').redirects).toEqual([]);
  });

  test('redirects: 307 keeps the method and body, 302 turns POST into GET, auth stays on its origin', async () => {
    const other = await startTestApp();
    try {
      const to = (path: string) => encodeURIComponent(path);
      const r = await smoke(`
- name: keep
  request: { method: POST, url: '/go?code=307&to=${to('/echo')}', json: { a: 1 } }
  expect: { json: { $.method: POST, $.body: '{"a":1}' } }
- name: change
  request: { method: POST, url: '/go?code=302&to=${to('/echo')}', json: { a: 1 } }
  expect: { json: { $.method: GET, $.body: '', $.headers.content-type: { exists: false } } }
- name: same origin keeps auth
  request: { url: '/go?to=${to('/echo')}', headers: { Authorization: Bearer abc } }
  expect: { json: { $.headers.authorization: Bearer abc } }
- name: other origin drops auth
  request: { url: '/go?to=${to(`${other.url}/echo`)}', headers: { Authorization: Bearer abc } }
  expect: { json: { $.headers.authorization: { exists: false } } }
`);
      expect(r.results.map((x) => [x.name, x.outcome, x.failures])).toEqual([
        ['keep', 'passed', []],
        ['change', 'passed', []],
        ['same origin keeps auth', 'passed', []],
        ['other origin drops auth', 'passed', []],
      ]);
      expect(byName(r, 'other origin drops auth').redirects[0].to).toBe(`${other.url}/echo`);
    } finally {
      await other.stop();
    }
  });

  test('HTML bodies: contains, matches, and a clear message when JSON was expected', async () => {
    const r = await smoke(`
- name: page
  request: { url: / }
  expect: { body-contains: Welcome, body-matches: '/<h1>\\w+<\\/h1>/' }
- name: page as json
  request: { url: / }
  expect: { json: { $.x: 1 } }
`);
    expect(byName(r, 'page').outcome).toBe('passed');
    expect(byName(r, 'page as json').failures).toEqual([
      'expect.json: the response is not JSON (text/html; charset=utf-8): <!doctype html><html><body><h1>Shop</h1><p>Welcome back</p></body></html>',
    ]);
  });

  test('a timeout is a request failure naming the deadline', async () => {
    const r = await smoke('- name: slow\n  request: { url: /slow?ms=2000 }\n', { timeoutMs: 150 });
    expect(byName(r, 'slow').outcome).toBe('failed');
    expect(byName(r, 'slow').status).toBeUndefined();
    expect(byName(r, 'slow').failures).toEqual(['request failed: timed out after 150ms']);
  });

  test('a refused connection is a request failure', async () => {
    const closed = createServer();
    await new Promise<void>((res) => closed.listen(0, '127.0.0.1', res));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((res) => closed.close(res));
    const r = await smoke(`- name: down\n  request: { url: "http://127.0.0.1:${port}/x" }\n`);
    expect(byName(r, 'down').failures[0]).toMatch(
      /^request failed: connection refused \(ECONNREFUSED\)/,
    );
  });

  test('retries recover from 5xx; an expected 5xx is not retried', async () => {
    const r = await smoke(`
- name: flaky
  retries: 3
  request: { url: '/flaky?key=a&fail=2' }
  expect: { json: { $.calls: 3 } }
- name: expected 503
  retries: 3
  request: { url: '/flaky?key=b&fail=5' }
  expect: { status: 503 }
- name: gives up
  retries: 1
  request: { url: '/flaky?key=c&fail=5' }
`);
    expect(byName(r, 'flaky')).toMatchObject({ outcome: 'passed', attempts: 3 });
    expect(byName(r, 'expected 503')).toMatchObject({ outcome: 'passed', attempts: 1 });
    expect(byName(r, 'gives up')).toMatchObject({ outcome: 'failed', attempts: 2 });
    expect(byName(r, 'gives up').failures[0]).toBe(
      'status: expected 2xx, got 503; body: {"error":"warming up","calls":2} (after 2 attempts)',
    );
  });

  test('wait-for-ready retries the first check, then runs the rest', async () => {
    const yaml =
      "- name: ready\n  request: { url: '/flaky?key=w&fail=4' }\n- name: after\n  request: { url: /health }\n";
    const ok = await smoke(yaml, { waitForReadyMs: 5000 });
    expect(byName(ok, 'ready')).toMatchObject({ outcome: 'passed', attempts: 5 });
    expect(byName(ok, 'after').outcome).toBe('passed');
    const flakyEnd = Math.max(
      ...app.events.filter((e) => e.path.startsWith('/flaky')).map((e) => e.end ?? 0),
    );
    const healthStart = app.events.find((e) => e.path === '/health')?.start ?? 0;
    expect(healthStart).toBeGreaterThan(flakyEnd);

    app.reset();
    const bad = await smoke(yaml.replace('fail=4', 'fail=1000'), {
      waitForReadyMs: 300,
      retryDelayMs: 50,
    });
    expect(byName(bad, 'ready').failures[0]).toMatch(
      /^status: expected 2xx, got 503; body: .*\(not ready: \d+ attempts within wait-for-ready 300ms\)$/,
    );
    expect(byName(bad, 'after')).toMatchObject({
      outcome: 'skipped',
      failures: [
        "skipped: 'ready' did not pass within wait-for-ready, so the service is not ready",
      ],
    });
  });

  test('captures flow; a failed capture skips its dependents with the reason', async () => {
    const r = await smoke(`
- name: login
  request: { method: POST, url: /api/login, json: { username: alice, password: '{{password}}' } }
  capture: { token: $.token, missing: $.nope }
- name: me
  request: { url: /api/me, headers: { Authorization: 'Bearer {{token}}' } }
- name: uses missing
  request: { url: '/echo?m={{missing}}' }
- name: second hop
  request: { url: '/echo?x={{echoed}}' }
- name: source
  request: { url: '/echo?v=1', headers: { Authorization: 'Bearer {{token}}' } }
  capture: { echoed: $.query.v }
`);
    expect(byName(r, 'login').failures).toEqual([
      "capture 'missing': $.nope not found in the response",
    ]);
    expect(byName(r, 'me').outcome).toBe('skipped');
    expect(byName(r, 'me').failures).toEqual([
      "skipped: uses {{token}} captured by 'login', which did not pass",
    ]);
    expect(byName(r, 'uses missing').failures).toEqual([
      "skipped: uses {{missing}} captured by 'login', which did not pass",
    ]);
    expect(byName(r, 'source').outcome).toBe('skipped');
    expect(byName(r, 'second hop').failures).toEqual([
      "skipped: uses {{echoed}} captured by 'source', which did not pass",
    ]);
    expect(r).toMatchObject({ passed: 0, failed: 1, skipped: 4, total: 5 });
  });

  test('header and regex captures, and secret captures are registered', async () => {
    const registered: string[] = [];
    const r = await smoke(
      `
- name: login
  request: { method: POST, url: /api/login, json: { username: alice, password: '{{password}}' } }
  capture: { token: $.token }
  secret-captures: token
- name: create
  request: { method: POST, url: /api/jobs, headers: { Authorization: 'Bearer {{token}}' }, json: { name: x } }
  expect: { status: 201 }
  capture: { where: 'header:Location', num: 'regex:"id":(\\d+)' }
- name: follow
  request: { url: '{{where}}', headers: { Authorization: 'Bearer {{token}}' } }
  expect: { json: { $.id: '{{num}}', $.status: pending } }
`,
      { registerSecret: (v) => registered.push(v) },
    );
    expect(r.results.map((x) => [x.name, x.outcome, x.failures])).toEqual([
      ['login', 'passed', []],
      ['create', 'passed', []],
      [
        'follow',
        'failed',
        [
          `$.id: expected "${/\d+/.exec(byName(r, 'follow').target)?.[0]}", got ${/\d+/.exec(byName(r, 'follow').target)?.[0]}`,
        ],
      ],
    ]);
    expect(registered).toEqual([app.tokens[app.tokens.length - 1]]);
  });

  test('a URL made invalid by a captured value fails that check only', async () => {
    const r = await smoke(`
- name: source
  request: { url: '/echo?v=http://[oops' }
  capture: { where: $.query.v }
- name: broken
  request: { url: '{{where}}' }
- name: fine
  request: { url: /health }
`);
    expect(byName(r, 'broken').outcome).toBe('failed');
    expect(byName(r, 'broken').failures[0]).toMatch(/^request\.url: /);
    expect(byName(r, 'fine').outcome).toBe('passed');
  });

  test('fail-fast skips what had not started', async () => {
    const r = await smoke(
      '- name: a\n  request: { url: /nope-404 }\n- name: b\n  request: { url: /health }\n',
      { concurrency: 1, failFast: true },
    );
    expect(byName(r, 'a').outcome).toBe('failed');
    expect(byName(r, 'b').failures).toEqual(["skipped: fail-fast after 'a' failed"]);
  });

  test('a base URL with a path prefix keeps it', async () => {
    const r = await smoke(
      '- name: prefixed\n  request: { url: /orders }\n  expect: { status: 401 }\n',
      { baseUrl: new URL(`${app.url}/api/`) },
    );
    expect(byName(r, 'prefixed')).toMatchObject({ outcome: 'passed', target: '/api/orders' });
  });
});
