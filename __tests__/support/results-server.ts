// A test server of the GitHub Actions results service, so the REAL @actions/cache 6 (cache
// service v2) and @actions/artifact 6 clients can run against it: Twirp JSON at
// /twirp/github.actions.results.api.v1.{CacheService,ArtifactService}/<Method> and the Azure
// Blob Storage calls on the signed URLs it hands out (/devstoreaccount1/<container>/<blob>).
// Anything it does not recognise is answered with a non-retryable error and printed to
// stderr, so a client that grew a new call fails fast and visibly.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ArtifactService, type ArtifactInfo } from './results-server/artifact-service.js';
import { BlobStore } from './results-server/blob-store.js';
import { CacheService, type CacheEntryInfo } from './results-server/cache-service.js';
import { classifyBlobRequest, handleBlobRequest, sendAzureError } from './results-server/azure.js';
import { makeRuntimeToken } from './results-server/jwt.js';
import { ACCOUNT, SasSigner } from './results-server/sas.js';
import { type JsonObject, TwirpError } from './results-server/twirp.js';

export type { ArtifactInfo } from './results-server/artifact-service.js';
export type { CacheEntryInfo } from './results-server/cache-service.js';

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.';

export interface LoggedRequest {
  at: Date;
  method: string;
  /** path without the query string */
  path: string;
  /** the query string with the SAS signature replaced by `REDACTED` */
  query: string;
  kind: 'twirp' | 'blob' | 'unknown';
  /** `CacheService/CreateCacheEntry`, `ArtifactService/ListArtifacts`, `PutBlock`, `GetBlob`, ... */
  operation: string;
  status: number;
  /** for Twirp calls: the JSON request body */
  body?: JsonObject;
  /** for Twirp errors: the message sent back */
  error?: string;
}

/** What a fault hook sees; return an HTTP status to fail the request with it. */
export interface FaultRequest {
  kind: LoggedRequest['kind'];
  operation: string;
  method: string;
  path: string;
}

export interface ResultsServer {
  /** `http://127.0.0.1:<port>` (no trailing slash) */
  url: string;
  port: number;
  /** the workflow run / job backend ids carried by the token */
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
  /** ACTIONS_RUNTIME_TOKEN */
  token: string;
  /**
   * Everything the clients need in their environment: ACTIONS_RESULTS_URL (trailing slash),
   * ACTIONS_RUNTIME_TOKEN, ACTIONS_CACHE_SERVICE_V2=True, ACTIONS_CACHE_URL,
   * GITHUB_SERVER_URL=https://github.com (anything else makes the clients think GHES),
   * NO_PROXY/no_proxy with 127.0.0.1 added. Not RUNNER_TEMP / GITHUB_WORKSPACE: the harness
   * sets those, and this env must not override them.
   */
  env: Record<string, string>;
  /**
   * Sets `env` (plus `extra`) in process.env for in-process use of the clients, which read
   * the environment at call time. Returns a function that restores the previous values.
   */
  applyEnv(extra?: Record<string, string>): () => void;
  /** finalized artifacts */
  artifacts(): ArtifactInfo[];
  /** bytes of the newest finalized artifact called `name` (the zip for zipped ones) */
  artifactBytes(name: string): Buffer;
  /** finalized cache entries */
  caches(): CacheEntryInfo[];
  /** bytes of the newest cache entry with `key` (a zstd- or gzip-compressed tar) */
  cacheBytes(key: string): Buffer;
  /** removes a cache entry, as if evicted */
  evictCache(key: string): boolean;
  /** a stored blob by name (`actions-cache/...`, `actions-results/...`), or undefined */
  blob(name: string): Buffer | undefined;
  /** every request so far, in order */
  requests(): LoggedRequest[];
  /** requests the server did not recognise (also printed to stderr when they happen) */
  unknownRequests(): LoggedRequest[];
  /**
   * Fails requests the hook returns a status for (undefined: serve normally). Pass undefined
   * to clear. 500/502/503/504 make the clients retry with back-off (seconds), so prefer 4xx.
   */
  setFault(hook: ((req: FaultRequest) => number | undefined) | undefined): void;
  stop(): Promise<void>;
}

function redactQuery(search: string): string {
  return search.replace(/([?&]sig=)[^&]*/g, '$1REDACTED');
}

async function readJson(req: IncomingMessage): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TwirpError('malformed', `request body is not JSON: ${text.slice(0, 200)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TwirpError('malformed', 'request body is not a JSON object');
  }
  return parsed as JsonObject;
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.on('end', resolve).on('error', () => resolve());
    req.resume();
  });
}

function sendTwirp(res: ServerResponse, status: number, body: JsonObject | string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export async function startResultsServer(): Promise<ResultsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'results-server-'));
  const store = new BlobStore(dir);
  const sas = new SasSigner();
  const workflowRunBackendId = randomUUID();
  const workflowJobRunBackendId = randomUUID();
  const token = makeRuntimeToken(workflowRunBackendId, workflowJobRunBackendId);
  let origin = '';
  const cache = new CacheService(store, sas, () => origin);
  const artifact = new ArtifactService(store, sas, () => origin, workflowRunBackendId);
  const log: LoggedRequest[] = [];
  let fault: ((req: FaultRequest) => number | undefined) | undefined;

  function loud(entry: LoggedRequest, why: string): void {
    process.stderr.write(
      `\n[results-server] UNHANDLED REQUEST ${entry.method} ${entry.path}${entry.query} -> ${entry.status}: ${why}\n` +
        '[results-server] the client made a call this test server does not implement; extend __tests__/support/results-server\n\n',
    );
  }

  async function handleTwirp(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    entry: LoggedRequest,
  ) {
    const [service, method] = url.pathname.slice(TWIRP_PREFIX.length).split('/');
    entry.kind = 'twirp';
    entry.operation = `${service}/${method}`;
    try {
      if (req.method !== 'POST')
        throw new TwirpError('bad_route', `Twirp needs POST, got ${req.method}`);
      const contentType = String(req.headers['content-type'] ?? '')
        .split(';')[0]
        .trim();
      if (contentType !== 'application/json') {
        throw new TwirpError(
          'bad_route',
          `unsupported content type ${contentType || '(none)'}; only JSON is implemented`,
        );
      }
      if (req.headers.authorization !== `Bearer ${token}`) {
        await drain(req);
        throw new TwirpError(
          'unauthenticated',
          'missing or wrong bearer token (ACTIONS_RUNTIME_TOKEN)',
        );
      }
      const body = await readJson(req);
      entry.body = body;
      const injected = fault?.({
        kind: 'twirp',
        operation: entry.operation,
        method: req.method,
        path: url.pathname,
      });
      if (injected !== undefined) {
        entry.status = injected;
        entry.error = 'injected fault';
        sendTwirp(res, injected, { code: 'internal', msg: `injected fault (${injected})` });
        return;
      }
      const handler =
        service === 'CacheService' ? cache : service === 'ArtifactService' ? artifact : undefined;
      const result = handler?.handle(method, body);
      if (result === undefined) {
        entry.kind = 'unknown';
        throw new TwirpError('bad_route', `no handler for ${service}/${method}`);
      }
      entry.status = 200;
      sendTwirp(res, 200, result);
    } catch (err) {
      const e = err instanceof TwirpError ? err : new TwirpError('internal', String(err));
      entry.status = e.status;
      entry.error = e.message;
      if (e.code === 'bad_route') {
        entry.kind = 'unknown';
        loud(entry, e.message);
      }
      if (!req.readableEnded) await drain(req);
      sendTwirp(res, e.status, e.body());
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const entry: LoggedRequest = {
      at: new Date(),
      method,
      path: url.pathname,
      query: redactQuery(url.search),
      kind: 'unknown',
      operation: 'unknown',
      status: 0,
    };
    log.push(entry);
    if (url.pathname.startsWith(TWIRP_PREFIX)) {
      await handleTwirp(req, res, url, entry);
      return;
    }
    if (url.pathname.startsWith(`/${ACCOUNT}/`)) {
      const op = classifyBlobRequest(method, url.searchParams, req.headers);
      entry.kind = op === 'unknown' ? 'unknown' : 'blob';
      entry.operation = op;
      const injected =
        op === 'unknown'
          ? undefined
          : fault?.({ kind: 'blob', operation: op, method, path: url.pathname });
      if (injected !== undefined) {
        await drain(req);
        entry.status = injected;
        sendAzureError(res, injected, 'InjectedFault', `injected fault (${injected})`);
        return;
      }
      if (op === 'unknown') {
        await drain(req);
        entry.status = 501;
        loud(entry, 'unrecognised blob operation');
        sendAzureError(
          res,
          501,
          'NotImplemented',
          `results test server: unsupported blob request ${method} ${entry.query}`,
        );
        return;
      }
      await handleBlobRequest({ store, sas }, req, res, url, op);
      entry.status = res.statusCode;
      return;
    }
    await drain(req);
    entry.status = 404;
    loud(entry, 'neither a Twirp route nor a blob URL');
    res.statusCode = 404;
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        code: 'bad_route',
        msg: `results test server: no route for ${method} ${url.pathname}`,
      }),
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(
        `[results-server] internal error on ${req.method} ${req.url?.split('?')[0]}: ${String(err)}\n`,
      );
      if (!res.headersSent) {
        res.statusCode = 400;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ code: 'malformed', msg: String(err) }));
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  const noProxy = [process.env.NO_PROXY ?? process.env.no_proxy, '127.0.0.1', 'localhost']
    .filter((v): v is string => Boolean(v))
    .join(',');
  const env: Record<string, string> = {
    ACTIONS_RESULTS_URL: `${origin}/`,
    ACTIONS_RUNTIME_TOKEN: token,
    ACTIONS_CACHE_SERVICE_V2: 'True',
    ACTIONS_CACHE_URL: `${origin}/`,
    GITHUB_SERVER_URL: 'https://github.com',
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  };

  const newest = <T extends { id: number }>(items: T[]): T | undefined =>
    items.sort((a, b) => b.id - a.id)[0];

  return {
    url: origin,
    port,
    workflowRunBackendId,
    workflowJobRunBackendId,
    token,
    env,
    applyEnv(extra = {}) {
      const all = { ...env, ...extra };
      const saved = new Map<string, string | undefined>();
      for (const [k, v] of Object.entries(all)) {
        saved.set(k, process.env[k]);
        process.env[k] = v;
      }
      return () => {
        for (const [k, v] of saved) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      };
    },
    artifacts: () => artifact.list(),
    artifactBytes(name) {
      const found = newest(artifact.list().filter((a) => a.name === name));
      const bytes = found && store.read(found.blobName);
      if (!bytes) throw new Error(`results server: no artifact named ${name}`);
      return bytes;
    },
    caches: () => cache.list(),
    cacheBytes(key) {
      const found = newest(cache.list().filter((c) => c.key === key));
      const bytes = found && store.read(found.blobName);
      if (!bytes) throw new Error(`results server: no cache entry with key ${key}`);
      return bytes;
    },
    evictCache: (key) => cache.evict(key),
    blob: (name) => store.read(name),
    requests: () => [...log],
    unknownRequests: () => log.filter((r) => r.kind === 'unknown'),
    setFault(hook) {
      fault = hook;
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
