import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GateServerMode {
  /** share of requests answered 500, 0..1 (spread evenly, not at random) */
  errorRatio: number;
  /** added to every answer of the app endpoints */
  latencyMs: number;
}

export interface GateServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** 127.0.0.1:<port>, a Prometheus scrape target */
  target: string;
  mode: GateServerMode;
  /** changes the behaviour at once, while an action is probing */
  set(mode: Partial<GateServerMode>): void;
  /**
   * Scripts the behaviour by request number (1-based from this call, app endpoints only): what it returns
   * overrides the mode for that request. Deterministic, unlike switching on a timer.
   */
  script(byRequest: ((n: number) => Partial<GateServerMode> | undefined) | undefined): void;
  /** requests to the app endpoints so far, by status */
  counts: { ok: number; error: number };
  /** the Authorization header of the last app request */
  lastAuthorization?: string;
  stop(): Promise<void>;
}

/**
 * A test app on 127.0.0.1 whose health the test switches at run time: any path answers 200
 * (or 500 for `errorRatio` of the requests) after `latencyMs`; /metrics exposes
 * `app_requests_total{code=...}` for Prometheus. With `syntheticRps`, each scrape also adds
 * that much traffic since the last scrape (split by the current error ratio), so an error-ratio
 * query has data without a load generator.
 */
export async function startGateServer(opts: { syntheticRps?: number } = {}): Promise<GateServer> {
  const mode: GateServerMode = { errorRatio: 0, latencyMs: 0 };
  const counts = { ok: 0, error: 0 };
  let errorDebt = 0;
  let lastScrape = Date.now();
  const synthetic = { ok: 0, error: 0 };
  let requests = 0;
  let byRequest: ((n: number) => Partial<GateServerMode> | undefined) | undefined;

  const answer = (res: ServerResponse, now: GateServerMode): void => {
    errorDebt += now.errorRatio;
    const error = errorDebt >= 1 - 1e-9;
    if (error) errorDebt -= 1;
    counts[error ? 'error' : 'ok']++;
    res.writeHead(error ? 500 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: error ? 'error' : 'ok' }));
  };

  const metrics = (res: ServerResponse): void => {
    const now = Date.now();
    if (opts.syntheticRps) {
      const n = (opts.syntheticRps * (now - lastScrape)) / 1000;
      synthetic.error += n * mode.errorRatio;
      synthetic.ok += n * (1 - mode.errorRatio);
    }
    lastScrape = now;
    const ok = counts.ok + synthetic.ok;
    const error = counts.error + synthetic.error;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      [
        '# HELP app_requests_total Requests answered by the app.',
        '# TYPE app_requests_total counter',
        `app_requests_total{code="200"} ${ok}`,
        `app_requests_total{code="500"} ${error}`,
        '',
      ].join('\n'),
    );
  };

  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.url?.startsWith('/metrics')) return metrics(res);
    handle.lastAuthorization = req.headers.authorization;
    requests++;
    const now = { ...mode, ...byRequest?.(requests) };
    if (now.latencyMs > 0) setTimeout(() => answer(res, now), now.latencyMs);
    else answer(res, now);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle: GateServer = {
    url: `http://127.0.0.1:${port}`,
    target: `127.0.0.1:${port}`,
    mode,
    counts,
    set(next) {
      Object.assign(mode, next);
    },
    script(fn) {
      byRequest = fn;
      requests = 0;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return handle;
}
