import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitHubState, type RepoSettings, type Team, type User } from './github-state.js';
import { route } from './github-routes.js';

/**
 * A stand-in for the GitHub REST API (the part this project uses), on 127.0.0.1 and a free
 * port, speaking GitHub's wire format: JSON bodies shaped like the API's, its status codes
 * (201 on create, 204 on delete, 404 `{"message":"Not Found"}`, 422 validation errors), `Link`
 * headers for pagination (`per_page`, `page`, rel next/last/first/prev) and the rate-limit
 * headers. The real Octokit client talks to it through GITHUB_API_URL. It records every
 * request with its parsed body, and can answer the next matching requests with a fault
 * (403 secondary rate limit with retry-after, 404, 5xx) before serving them normally.
 */

export interface RecordedRequest {
  method: string;
  /** the path without the API prefix and without the query */
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export interface Fault {
  method?: string;
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** how many matching requests get the fault (default 1) */
  times?: number;
  /** the request is carried out first, then answered with the fault (a gateway timing out after the write) */
  carriedOut?: boolean;
}

export interface GitHubServerOptions {
  /** the token the API accepts (Authorization: token/Bearer) */
  token: string;
  repo?: Partial<RepoSettings>;
  users?: string[];
  /** `org/slug` -> member logins */
  teams?: Record<string, string[]>;
  branches?: Record<string, string>;
  /** GitHub Enterprise Server serves the API under /api/v3 */
  prefix?: string;
}

export interface GitHubServer {
  /** the GITHUB_API_URL to give the client */
  url: string;
  state: GitHubState;
  requests: RecordedRequest[];
  faults: Fault[];
  /** the environment a step needs to reach this server as its GitHub */
  env: Record<string, string>;
  /** requests with this method whose path matches */
  requestsTo(method: string, path: RegExp): RecordedRequest[];
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { unparsable: text };
  }
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
    'x-github-request-id': `0000:${Math.floor(Math.random() * 1e6).toString(16)}`,
    ...headers,
  });
  res.end(text);
}

export async function startGitHubServer(opts: GitHubServerOptions): Promise<GitHubServer> {
  const state = new GitHubState({
    repo: opts.repo,
    users: opts.users ?? [],
    teams: opts.teams ?? {},
    branches: opts.branches ?? {},
  });
  const prefix = opts.prefix ?? '';
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  let base = '';

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      const body = await readBody(req);
      if (!url.pathname.startsWith(`${prefix}/`)) {
        send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
        return;
      }
      const path = url.pathname.slice(prefix.length);
      const query = Object.fromEntries(url.searchParams.entries());
      const method = req.method ?? 'GET';
      const auth = req.headers.authorization;
      requests.push({ method, path, query, body, authorization: auth });
      if (auth !== `token ${opts.token}` && auth !== `Bearer ${opts.token}`) {
        send(res, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        });
        return;
      }
      const fault = faults.find(
        (f) => (f.method ?? method) === method && f.path.test(path) && (f.times ?? 1) > 0,
      );
      if (fault) {
        fault.times = (fault.times ?? 1) - 1;
        if (fault.carriedOut) route(state, { method, path, query, body }, `${base}${prefix}`);
        send(res, fault.status, fault.body ?? { message: `fault ${fault.status}` }, fault.headers);
        return;
      }
      const answer = route(state, { method, path, query, body }, `${base}${prefix}`);
      send(res, answer.status, answer.body, answer.headers);
    })().catch((err: unknown) => {
      send(res, 500, { message: `test server bug: ${String(err)}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  const apiUrl = `${base}${prefix}`;
  return {
    url: apiUrl,
    state,
    requests,
    faults,
    env: {
      GITHUB_API_URL: apiUrl,
      GITHUB_SERVER_URL: prefix ? base : 'https://github.com',
      GITHUB_REPOSITORY: `${state.repo.owner}/${state.repo.name}`,
      GITHUB_TOKEN: opts.token,
    },
    requestsTo: (method, path) => requests.filter((r) => r.method === method && path.test(r.path)),
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type { User, Team };
