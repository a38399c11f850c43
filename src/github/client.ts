import type { GitHub as GitHubClass } from '@actions/github/lib/utils';
import { UserError } from '../kit/errors.js';
import { redact, registerSecret } from '../kit/secrets.js';
import { decide, DEFAULT_RETRY, type RetryPolicy } from './retry.js';

/**
 * The one way this project talks to GitHub: Octokit from @actions/github, imported only when
 * a step needs it (the bundle's start-up stays small for the actions that do not), pointed at
 * GITHUB_API_URL like the runner sets it (GitHub Enterprise Server serves the API elsewhere),
 * retrying rate limits and 5xx as GitHub asks, with the token masked before anything prints.
 */

export type Octokit = InstanceType<typeof GitHubClass>;

export interface GitHubTarget {
  apiUrl: string;
  serverUrl: string;
  owner: string;
  repo: string;
}

export interface GitHub extends GitHubTarget {
  octokit: Octokit;
  /** the link to the current workflow run, when the runner's variables are there */
  runUrl: string | undefined;
}

/** A GitHub API answer that is not a success, after the retries; one line, no token. */
export class GitHubApiError extends UserError {
  constructor(
    readonly status: number,
    readonly route: string,
    message: string,
  ) {
    super(`GitHub API ${route} answered ${status}: ${message}`);
    this.name = 'GitHubApiError';
  }
}

export type Env = Record<string, string | undefined>;

/** The token: the input when given, else GITHUB_TOKEN, else GH_TOKEN (connect masks it). */
export function resolveToken(input: string, env: Env = process.env): string | undefined {
  const token = input || env.GITHUB_TOKEN || env.GH_TOKEN || '';
  return token === '' ? undefined : token;
}

function cleanUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // the value is not echoed: a malformed URL may still carry a password
    throw new UserError(`${name} is not a URL.`);
  }
  if (url.username || url.password) {
    throw new UserError(
      `${name} must not carry credentials (user:password@); the token goes in github-token or GITHUB_TOKEN.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`${name} must be an http(s) URL, not ${url.protocol}.`);
  }
  return value.replace(/\/+$/, '');
}

/** Where the API is and which repository, from the runner's variables. */
export function readTarget(env: Env = process.env): GitHubTarget {
  const apiUrl = cleanUrl('GITHUB_API_URL', env.GITHUB_API_URL || 'https://api.github.com');
  const serverUrl = cleanUrl('GITHUB_SERVER_URL', env.GITHUB_SERVER_URL || 'https://github.com');
  const full = env.GITHUB_REPOSITORY ?? '';
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(full);
  if (!m) {
    throw new UserError(
      `GITHUB_REPOSITORY ${JSON.stringify(full.slice(0, 80))} is not owner/name; set it like the runner does.`,
    );
  }
  return { apiUrl, serverUrl, owner: m[1], repo: m[2] };
}

export function runUrl(target: GitHubTarget, env: Env = process.env): string | undefined {
  const id = env.GITHUB_RUN_ID;
  if (!id || !/^\d+$/.test(id)) return undefined;
  const attempt = env.GITHUB_RUN_ATTEMPT;
  const tail = attempt && /^\d+$/.test(attempt) && attempt !== '1' ? `/attempts/${attempt}` : '';
  return `${target.serverUrl}/${target.owner}/${target.repo}/actions/runs/${id}${tail}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface OctokitFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function failureMessage(err: OctokitFailure): string {
  const data = err.response?.data;
  const fromBody =
    data && typeof data === 'object' && 'message' in data ? String(data.message) : undefined;
  return redact((fromBody ?? err.message ?? 'no answer').split('\n')[0]).slice(0, 300);
}

/**
 * Passed as `request: { reconcile }` with a non-idempotent POST: after a 5xx, returns what the
 * failed attempt created (found by reading), or undefined to send the request again.
 */
export type Reconcile = () => Promise<unknown>;

export interface ConnectOptions {
  token: string;
  env?: Env;
  retry?: RetryPolicy;
  /** told about each retry (one line) */
  log?: (line: string) => void;
  /**
   * register the token with the runner's log masking (::add-mask::); default true. Off
   * outside a runner, where that command would print the token instead of hiding it.
   */
  mask?: boolean;
}

export async function connect(opts: ConnectOptions): Promise<GitHub> {
  const env = opts.env ?? process.env;
  if (opts.mask !== false) registerSecret(opts.token);
  const target = readTarget(env);
  const policy = opts.retry ?? DEFAULT_RETRY;
  const { getOctokit } = await import('@actions/github');
  const silent = (): void => undefined;
  const octokit = getOctokit(opts.token, {
    baseUrl: target.apiUrl,
    log: { debug: silent, info: silent, warn: silent, error: silent },
  });
  octokit.hook.wrap('request', async (request, options) => {
    const route = `${String(options.method)} ${String(options.url)}`;
    const reconcile = (options.request as { reconcile?: Reconcile } | undefined)?.reconcile;
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options);
      } catch (e) {
        const err = e as OctokitFailure;
        const status = typeof err.status === 'number' ? err.status : 0;
        const message = failureMessage(err);
        const d = decide(
          { status, headers: err.response?.headers ?? {}, message },
          attempt,
          policy,
        );
        if (!d.retry) {
          throw new GitHubApiError(status, route, d.why ? `${message} (${d.why})` : message);
        }
        opts.log?.(
          `GitHub API ${route}: ${d.why}; retrying in ${Math.ceil(d.waitMs / 1000)}s (${attempt + 1}/${policy.retries})`,
        );
        await sleep(d.waitMs);
        // A POST answered with a 5xx may still have been carried out (a gateway timing out
        // after the write): the caller looks for what it created before it is sent again.
        if (reconcile && status >= 500) {
          const found = await reconcile();
          if (found !== undefined) {
            opts.log?.(`GitHub API ${route}: the first attempt was carried out; not sent again`);
            return { status: 201, url: String(options.url), headers: {}, data: found };
          }
        }
      }
    }
  });
  return { ...target, octokit, runUrl: runUrl(target, env) };
}

/** True when err is the API's 404 (the thing asked for does not exist). */
export function isNotFound(err: unknown): boolean {
  return err instanceof GitHubApiError && err.status === 404;
}
