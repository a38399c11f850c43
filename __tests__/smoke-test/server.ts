import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

/**
 * The application the smoke tests run against, on 127.0.0.1 and a free port: a health
 * endpoint, a login returning a token, endpoints that need it, jobs to create and approve,
 * a slow endpoint, a flaky one (fails its first N calls), redirects and an HTML page.
 * It records every request (start, end, concurrency) and can be broken on purpose.
 */

export interface RequestEvent {
  id: number;
  method: string;
  path: string;
  start: number;
  end?: number;
}

export interface Faults {
  /** route -> status to answer instead (e.g. { me: 500 }) */
  status?: Record<string, number>;
  /** route -> a top-level JSON field to leave out (e.g. { approve: 'status' }) */
  dropField?: Record<string, string>;
  /** route -> extra delay in ms before answering */
  delayMs?: Record<string, number>;
}

export interface TestApp {
  url: string;
  port: number;
  username: string;
  password: string;
  /** every token login handed out */
  tokens: string[];
  events: RequestEvent[];
  maxInFlight: number;
  faults: Faults;
  /** clears events, concurrency figures, flaky counters and faults */
  reset(): void;
  /** the highest concurrency seen among requests to paths starting with prefix */
  maxConcurrent(prefix: string): number;
  stop(): Promise<void>;
}

interface Job {
  id: number;
  name: string;
  status: 'pending' | 'approved';
  approved_at?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTestApp(): Promise<TestApp> {
  const tokens = new Set<string>();
  const jobs = new Map<number, Job>();
  const flaky = new Map<string, number>();
  let nextJob = 100;
  let nextEvent = 0;
  let inFlight = 0;

  const app: TestApp = {
    url: '',
    port: 0,
    username: 'alice',
    password: 'correct horse battery staple',
    tokens: [],
    events: [],
    maxInFlight: 0,
    faults: {},
    reset() {
      app.events = [];
      app.maxInFlight = 0;
      app.faults = {};
      flaky.clear();
    },
    maxConcurrent(prefix) {
      const evs = app.events.filter((e) => e.path.startsWith(prefix));
      const points = evs.flatMap((e) => [
        { t: e.start, d: 1 },
        { t: e.end ?? Infinity, d: -1 },
      ]);
      // at equal times, count the end before the start: touching is not overlapping
      points.sort((a, b) => a.t - b.t || a.d - b.d);
      let cur = 0;
      let max = 0;
      for (const p of points) {
        cur += p.d;
        max = Math.max(max, cur);
      }
      return max;
    },
    stop: async () => {},
  };

  function send(
    res: ServerResponse,
    route: string,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    let payload = body;
    const drop = app.faults.dropField?.[route];
    if (drop && payload && typeof payload === 'object' && !Array.isArray(payload)) {
      const copy = { ...(payload as Record<string, unknown>) };
      delete copy[drop];
      payload = copy;
    }
    const code = app.faults.status?.[route] ?? status;
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const type = typeof payload === 'string' ? 'text/html; charset=utf-8' : 'application/json';
    res.writeHead(code, { 'content-type': type, ...headers });
    res.end(text);
  }

  function authorised(req: IncomingMessage): boolean {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return m !== null && tokens.has(m[1]);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const route = routeName(method, path);
    const delay = app.faults.delayMs?.[route];
    if (delay) await sleep(delay);
    const bodyText = await readBody(req);

    if (route === 'health') return send(res, route, 200, { status: 'ok', version: '1.4.2' });
    if (route === 'home')
      return send(
        res,
        route,
        200,
        '<!doctype html><html><body><h1>Shop</h1><p>Welcome back</p></body></html>',
      );
    if (route === 'old')
      return send(res, route, 302, { moved: '/health' }, { location: '/health' });
    if (route === 'go') {
      const code = Number(url.searchParams.get('code') ?? '302');
      return send(
        res,
        route,
        code,
        { to: url.searchParams.get('to') },
        { location: url.searchParams.get('to') ?? '/' },
      );
    }
    if (route === 'slow') {
      await sleep(Number(url.searchParams.get('ms') ?? '200'));
      return send(res, route, 200, { ok: true, n: url.searchParams.get('n') });
    }
    if (route === 'flaky') {
      const key = url.searchParams.get('key') ?? 'default';
      const calls = (flaky.get(key) ?? 0) + 1;
      flaky.set(key, calls);
      if (calls <= Number(url.searchParams.get('fail') ?? '2'))
        return send(res, route, 503, { error: 'warming up', calls });
      return send(res, route, 200, { ok: true, calls });
    }
    if (route === 'echo') {
      return send(res, route, 200, {
        method,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: bodyText,
      });
    }
    if (route === 'login') {
      let creds: { username?: string; password?: string } = {};
      try {
        creds = JSON.parse(bodyText) as typeof creds;
      } catch {
        return send(res, route, 400, { error: 'expected JSON' });
      }
      if (creds.username !== app.username || creds.password !== app.password) {
        return send(res, route, 401, { error: 'invalid credentials' });
      }
      const token = randomBytes(24).toString('hex');
      tokens.add(token);
      app.tokens.push(token);
      return send(res, route, 200, { token, expires_in: 3600, user: { name: app.username } });
    }
    if (!authorised(req)) return send(res, route, 401, { error: 'missing or invalid token' });
    if (route === 'me')
      return send(res, route, 200, { name: app.username, roles: ['admin', 'deployer'] });
    if (route === 'orders') {
      return send(res, route, 200, {
        orders: [
          { id: 1, total: 12.5 },
          { id: 2, total: 99 },
        ],
        total: 2,
        limit: Number(url.searchParams.get('limit') ?? 50),
      });
    }
    if (route === 'create-job') {
      const { name } = JSON.parse(bodyText || '{}') as { name?: string };
      const job: Job = { id: nextJob++, name: name ?? 'unnamed', status: 'pending' };
      jobs.set(job.id, job);
      return send(res, route, 201, job, { location: `/api/jobs/${job.id}` });
    }
    const m = /^\/api\/jobs\/(\d+)(\/approve)?$/.exec(path);
    const job = m ? jobs.get(Number(m[1])) : undefined;
    if (!job) return send(res, route, 404, { error: 'no such job' });
    if (route === 'approve') {
      job.status = 'approved';
      job.approved_at = new Date().toISOString();
      return send(res, route, 200, job);
    }
    if (route === 'job') return send(res, route, 200, job);
    return send(res, route, 404, { error: 'not found' });
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ev: RequestEvent = {
      id: nextEvent++,
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      start: performance.now(),
    };
    app.events.push(ev);
    inFlight++;
    app.maxInFlight = Math.max(app.maxInFlight, inFlight);
    res.on('close', () => {
      ev.end = performance.now();
      inFlight--;
    });
    handle(req, res, url).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  app.port = (server.address() as AddressInfo).port;
  app.url = `http://127.0.0.1:${app.port}`;
  app.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return app;
}

function routeName(method: string, path: string): string {
  if (path === '/health') return 'health';
  if (path === '/') return 'home';
  if (path === '/old') return 'old';
  if (path === '/go') return 'go';
  if (path === '/slow') return 'slow';
  if (path === '/flaky') return 'flaky';
  if (path === '/echo') return 'echo';
  if (path === '/api/login' && method === 'POST') return 'login';
  if (path === '/api/me') return 'me';
  if (path === '/api/orders') return 'orders';
  if (path === '/api/jobs' && method === 'POST') return 'create-job';
  if (/^\/api\/jobs\/\d+\/approve$/.test(path) && method === 'POST') return 'approve';
  if (/^\/api\/jobs\/\d+$/.test(path)) return 'job';
  return 'unknown';
}
