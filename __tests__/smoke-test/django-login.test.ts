import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCheckFile } from '../../src/http/check-schema.js';
import { planSmokeTests, runSmokeTests, type SmokeOptions } from '../../src/http/smoke-runner.js';
import { repoRoot, runAction } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';
import { startDjango, type DjangoApp } from './django-app.js';

/**
 * A session login with a CSRF token against a real Django admin: the cookie jar carries
 * csrftoken and sessionid between checks and across the login's redirect.
 */

const example = join(repoRoot, 'workflows-examples/smoke/django-admin-login.checks.yml');
let django: DjangoApp;

beforeAll(async () => {
  django = await startDjango();
}, 120_000);
afterAll(async () => {
  await django?.stop();
});

function options(over: Partial<SmokeOptions> = {}): SmokeOptions {
  return {
    baseUrl: new URL(django.url),
    variables: {},
    secrets: { 'admin-password': django.password },
    env: {},
    timeoutMs: 10_000,
    retries: 0,
    retryDelayMs: 10,
    waitForReadyMs: 0,
    concurrency: 4,
    failFast: false,
    registerSecret: () => {},
    ...over,
  };
}

async function smoke(yaml: string, over: Partial<SmokeOptions> = {}) {
  const opts = options(over);
  const report = await runSmokeTests(planSmokeTests(parseCheckFile(yaml), opts), opts);
  return Object.fromEntries(report.results.map((r) => [r.name, r]));
}

// The two-check form: the POST follows Django's 302 to /admin/, which needs the session
// cookie set on that very redirect.
const TWO_CHECKS = `
- name: login page
  request: { url: /admin/login/ }
  capture:
    csrf: 'regex:/name="csrfmiddlewaretoken" value="([^"]+)"/'
    csrf-cookie: cookie:csrftoken
- name: log in
  request:
    method: POST
    url: /admin/login/?next=/admin/
    form:
      username: smoke
      password: '{{admin-password}}'
      csrfmiddlewaretoken: '{{csrf}}'
      next: /admin/
  expect:
    status: 200
    body-contains: Site administration
`;

describe('Django admin login with CSRF (real Django)', () => {
  test('the shipped example passes in the bundled action; the password never shows', async () => {
    const run = await runAction(
      'smoke-test',
      {
        'base-url': django.url,
        'checks-file': example,
        secrets: `admin-password: ${JSON.stringify(django.password)}`,
        report: 'django.xml',
      },
      { timeoutMs: 60_000 },
    );
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ passed: '3', failed: '0', total: '3' });
    expect(readFileSync(join(run.workspace, 'django.xml'), 'utf8')).toContain(
      'tests="3" failures="0" errors="0" skipped="0"',
    );
    expectNoSecret(run, [django.password]);
  }, 90_000);

  test('two checks: the token from the form, the session cookie across the redirect', async () => {
    const r = await smoke(TWO_CHECKS);
    expect(r['login page'].failures).toEqual([]);
    expect(r['log in'].failures).toEqual([]);
    expect(r['log in'].redirects.map((h) => [h.status, new URL(h.to).pathname])).toEqual([
      [302, '/admin/'],
    ]);
    expect(r['login page'].captured.sort()).toEqual(['csrf', 'csrf-cookie']);
  });

  test('with cookies off, Django refuses the login for its missing CSRF cookie', async () => {
    const r = await smoke(TWO_CHECKS, { cookies: false });
    // the cookie is still readable by a capture, but nothing sends it back
    expect(r['login page'].outcome).toBe('passed');
    expect(r['log in'].status).toBe(403);
    expect(r['log in'].failures[0]).toMatch(
      /^status: expected 200, got 403; body: <!DOCTYPE html>/,
    );
  });

  test('a wrong password: Django answers the login form again, not a redirect', async () => {
    const text = readFileSync(example, 'utf8');
    const r = await smoke(text, { secrets: { 'admin-password': 'not-the-password' } });
    expect(r['log in'].status).toBe(200);
    expect(r['log in'].failures[0]).toMatch(/^status: expected 302, got 200/);
    expect(r['admin home'].outcome).toBe('skipped');
  });

  test('without the session, /admin/ redirects to the login page', async () => {
    const r = await smoke(`
- name: admin anonymously
  request: { url: /admin/, follow-redirects: false }
  expect:
    status: 302
  capture:
    next: 'regex:header:Location:/next=([^&]+)/'
`);
    expect(r['admin anonymously'].failures).toEqual([]);
    expect(r['admin anonymously'].captured).toEqual(['next']);
  });
});
