import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCheckFile } from '../../src/http/check-schema.js';
import { planSmokeTests, runSmokeTests, type SmokeOptions } from '../../src/http/smoke-runner.js';

/**
 * The run's cookie jar over real HTTP: cookies set on redirects, several Set-Cookie
 * headers, paths, deletion, other origins, and the cookie:/regex:header: captures.
 * The server records the Cookie header of every request.
 */

interface Seen {
  path: string;
  cookie: string | undefined;
}

let server: Server;
let other: Server;
let base = '';
let otherBase = '';
const seen: Seen[] = [];

function handler(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push({ path: url.pathname, cookie: req.headers.cookie });
  switch (url.pathname) {
    case '/login':
      // two cookies in two headers; the first has an Expires date with a comma in it
      res.setHeader('set-cookie', [
        'sid=s3cr3t; Path=/; Expires=Wed, 01 Jan 2031 00:00:00 GMT; HttpOnly',
        'theme=dark; Path=/app',
      ]);
      res.writeHead(302, { location: '/app/home?id=42' });
      res.end();
      return;
    case '/to-other':
      res.writeHead(302, { location: `${otherBase}/echo` });
      res.end();
      return;
    case '/logout':
      res.setHeader('set-cookie', 'sid=; Path=/; Max-Age=0');
      res.end('bye');
      return;
    default:
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`cookie: ${req.headers.cookie ?? '(none)'}`);
  }
}

async function listen(s: Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  server = createServer(handler);
  // another site: `localhost` is another host than 127.0.0.1 for cookies
  other = createServer(handler);
  base = await listen(server);
  otherBase = (await listen(other)).replace('127.0.0.1', 'localhost');
});
afterAll(async () => {
  server.closeAllConnections();
  other.closeAllConnections();
  await new Promise((r) => server.close(r));
  await new Promise((r) => other.close(r));
});
beforeEach(() => {
  seen.length = 0;
});

async function smoke(yaml: string, over: Partial<SmokeOptions> = {}) {
  const opts: SmokeOptions = {
    baseUrl: new URL(base),
    variables: {},
    secrets: {},
    env: {},
    timeoutMs: 5000,
    retries: 0,
    retryDelayMs: 10,
    waitForReadyMs: 0,
    concurrency: 1,
    failFast: false,
    registerSecret: () => {},
    ...over,
  };
  const values: { secrets: string[] } = { secrets: [] };
  const report = await runSmokeTests(planSmokeTests(parseCheckFile(yaml), opts), {
    ...opts,
    registerSecret: (v) => void values.secrets.push(v),
  });
  return { report, results: Object.fromEntries(report.results.map((r) => [r.name, r])), values };
}

const LOGIN = `
- name: login
  request: { url: /login }
  expect:
    # the longer path first (RFC 6265 5.4)
    body-contains: 'cookie: theme=dark; sid=s3cr3t'
`;

describe('cookie jar', () => {
  test('cookies set on a redirect go with the redirected request and later checks', async () => {
    const { results } = await smoke(`${LOGIN}
- name: later
  needs: [login]
  request: { url: /app/other }
  expect: { body-contains: 'cookie: theme=dark; sid=s3cr3t' }
- name: outside /app
  needs: [login]
  request: { url: /api }
  expect: { body-contains: 'cookie: sid=s3cr3t' }
`);
    expect(Object.values(results).map((r) => r.failures)).toEqual([[], [], []]);
    expect(seen.map((s) => [s.path, s.cookie])).toEqual([
      ['/login', undefined],
      ['/app/home', 'theme=dark; sid=s3cr3t'],
      ['/app/other', 'theme=dark; sid=s3cr3t'],
      ['/api', 'sid=s3cr3t'],
    ]);
  });

  test('a cookie deleted by Max-Age=0 is not sent again; a check can still add its own', async () => {
    const { results } = await smoke(`${LOGIN}
- name: logout
  needs: [login]
  request: { url: /logout }
- name: after
  needs: [logout]
  request:
    url: /api
    headers: { Cookie: mine=1 }
  expect: { body-contains: 'cookie: mine=1' }
`);
    expect(results.after.failures).toEqual([]);
    expect(seen[seen.length - 1]).toEqual({ path: '/api', cookie: 'mine=1' });
  });

  test('host-only cookies do not follow a redirect to another host', async () => {
    const { results } = await smoke(`${LOGIN}
- name: elsewhere
  needs: [login]
  request: { url: /to-other }
  expect: { body-contains: 'cookie: (none)' }
`);
    expect(results.elsewhere.failures).toEqual([]);
    expect(seen[seen.length - 1]).toEqual({ path: '/echo', cookie: undefined });
  });

  test('cookies: false sends nothing the responses set', async () => {
    const { results } = await smoke(
      `
- name: login
  request: { url: /login }
- name: later
  needs: [login]
  request: { url: /app/x }
  expect: { body-contains: 'cookie: (none)' }
`,
      { cookies: false },
    );
    expect(results.later.failures).toEqual([]);
    expect(seen.every((s) => s.cookie === undefined)).toBe(true);
  });
});

describe('captures from cookies and headers', () => {
  test('cookie:, header:Set-Cookie (first line only) and regex:header: on each line', async () => {
    const { results, values } = await smoke(
      `
- name: login
  request: { url: /login, follow-redirects: false }
  expect:
    status: 302
    # matched against each Set-Cookie line, not the lines joined with ", "
    headers: { set-cookie: /^theme=dark; Path=/app$/ }
  capture:
    sid: cookie:sid
    theme: cookie:theme
    first: header:Set-Cookie
    theme-path: 'regex:header:Set-Cookie:/^theme=[^;]*; Path=(\\S+)/'
    id: 'regex:header:Location:/id=(\\d+)/'
  secret-captures: [sid, first]
- name: use
  request:
    url: /echo/{{id}}/{{theme}}/{{theme-path}}
  expect:
    body-contains: 'cookie: sid={{sid}}'
`,
    );
    expect(results.login.failures).toEqual([]);
    expect(results.use.failures).toEqual([]);
    // header:Set-Cookie is the first line alone, not both lines joined with ", "
    expect(values.secrets.sort()).toEqual([
      's3cr3t',
      'sid=s3cr3t; Path=/; Expires=Wed, 01 Jan 2031 00:00:00 GMT; HttpOnly',
    ]);
    expect(seen[1].path).toBe('/echo/42/dark//app');
    expect(results.login.captured.sort()).toEqual(['first', 'id', 'sid', 'theme', 'theme-path']);
  });

  test('a missing cookie and a header regex that matches nothing fail with what was there', async () => {
    const { results } = await smoke(`
- name: login
  request: { url: /login, follow-redirects: false }
  expect: { status: 302 }
  capture:
    csrf: cookie:csrftoken
    nope: 'regex:header:Location:/page=(\\d+)/'
    absent: 'regex:header:X-Missing:/(.)/'
`);
    expect(results.login.failures).toEqual([
      "capture 'csrf': cookie csrftoken was not set (set: sid, theme) and is not in the jar",
      "capture 'nope': regex /page=(\\d+)/ matched nothing; header Location: /app/home?id=42",
      "capture 'absent': regex /(.)/ matched nothing; header X-Missing not present",
    ]);
  });

  test('cookie: reads the jar when this response set nothing', async () => {
    const { results } = await smoke(`${LOGIN}
- name: read
  needs: [login]
  request: { url: /api }
  capture: { sid: cookie:sid }
- name: show
  request: { url: '/shown/{{sid}}' }
`);
    expect(results.read.failures).toEqual([]);
    expect(seen[seen.length - 1].path).toBe('/shown/s3cr3t');
  });
});

describe('Set-Cookie values stay out of messages', () => {
  test('a failed Set-Cookie expectation or header regex names the cookies, not their values', async () => {
    const { results } = await smoke(`
- name: login
  request: { url: /login, follow-redirects: false }
  expect:
    status: 302
    headers: { set-cookie: /^csrftoken=/ }
  capture:
    x: 'regex:header:Set-Cookie:/^nothing=(.*)/'
`);
    const text = results.login.failures.join('\n');
    expect(text).not.toContain('s3cr3t');
    expect(results.login.failures).toEqual([
      "capture 'x': regex /^nothing=(.*)/ matched nothing; header Set-Cookie: sid=…; Path=/; Expires=Wed, 01 Jan 2031 00:00:00 GMT; Htt...",
      'header set-cookie: expected "/^csrftoken=/", got "sid=…; Path=/; Expires=Wed, 01 Jan 2031 00:00:00 GMT; HttpOnly" and "theme=…; Path=/app"',
    ]);
  });
});
