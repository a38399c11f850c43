import { UserError } from '../kit/errors.js';
import { isRetryableStatus, parseRetryAfter, statusReason, withRetries } from '../kit/retry.js';
import type { RetryAttempt, RetryEnvironment, RetryPolicy, RetryReason } from '../kit/retry.js';
import { registerSecret } from '../kit/secrets.js';
import type { RegistryCredentials } from './credentials.js';

/** One challenge of a `WWW-Authenticate` header: `Bearer realm="...",service="...",scope="..."`. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a WWW-Authenticate header into its challenges. Parameter values may be quoted
 * and contain commas (`scope="repository:a:pull,push"`), so this is not a plain split.
 */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skipSpace = (): void => {
    while (i < n && /[\s,]/.test(header[i])) i++;
  };
  while (i < n) {
    skipSpace();
    const schemeMatch = /^[A-Za-z][A-Za-z0-9._~+/-]*/.exec(header.slice(i));
    if (!schemeMatch) break;
    const current: Challenge = { scheme: schemeMatch[0].toLowerCase(), params: {} };
    challenges.push(current);
    i += schemeMatch[0].length;
    for (;;) {
      skipSpace();
      const keyMatch = /^([A-Za-z0-9._~+-]+)\s*=\s*/.exec(header.slice(i));
      if (!keyMatch) break;
      i += keyMatch[0].length;
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i++];
        }
        i++;
      } else {
        while (i < n && header[i] !== ',' && !/\s/.test(header[i])) value += header[i++];
      }
      current.params[keyMatch[1].toLowerCase()] = value;
    }
  }
  return challenges;
}

/** `repository:acme/web:pull,push` */
export function repositoryScope(repository: string, actions: readonly string[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}

export interface TokenRequest {
  realm: string;
  service?: string;
  scopes: readonly string[];
  credentials?: RegistryCredentials;
  timeoutMs: number;
  fetchImpl: typeof fetch;
  /** who to name in errors: the registry host */
  registry: string;
  /** retries of the token GET (a read); the refresh-token POST is sent once */
  retry?: RetryPolicy;
  retryEnv?: RetryEnvironment;
}

function tokenRetryReason(outcome: RetryAttempt<Response>): RetryReason | undefined {
  if (outcome.error !== undefined) return { reason: networkReason(outcome.error) };
  const res = outcome.value;
  if (!res || !isRetryableStatus(res.status)) return undefined;
  return {
    reason: statusReason(res.status, res.statusText),
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
  };
}

interface TokenResponse {
  token?: string;
  access_token?: string;
}

function basicHeader(creds: RegistryCredentials): string {
  const value = Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
  registerSecret(value);
  return `Basic ${value}`;
}

export function basicAuthorization(creds: RegistryCredentials): string {
  return basicHeader(creds);
}

/**
 * Fetches a Bearer token from the challenge's realm (the distribution token spec): a GET
 * with Basic credentials, or an OAuth2 refresh-token POST when only an identity token is known.
 */
export async function fetchBearerToken(req: TokenRequest): Promise<string> {
  let realm: URL;
  try {
    realm = new URL(req.realm);
  } catch {
    throw new UserError(
      `registry ${req.registry} sent a token realm that is not a URL: ${JSON.stringify(req.realm)}`,
    );
  }
  const signal = withCancel(req.timeoutMs, req.retryEnv?.signal);
  let response: Response;
  try {
    if (req.credentials?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: req.credentials.identityToken,
        client_id: 'runbook-actions',
      });
      if (req.service) form.set('service', req.service);
      if (req.scopes.length > 0) form.set('scope', req.scopes.join(' '));
      response = await req.fetchImpl(realm, {
        method: 'POST',
        body: form,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        signal,
      });
    } else {
      if (req.service) realm.searchParams.set('service', req.service);
      for (const scope of req.scopes) realm.searchParams.append('scope', scope);
      const headers: Record<string, string> = {};
      if (req.credentials) headers.authorization = basicHeader(req.credentials);
      const once = (): Promise<Response> =>
        req.fetchImpl(realm, { headers, signal: withCancel(req.timeoutMs, req.retryEnv?.signal) });
      response = req.retry
        ? (
            await withRetries(req.retry, once, {
              ...req.retryEnv,
              who: 'registry',
              what: `GET ${realm.origin}${realm.pathname} (token)`,
              classify: tokenRetryReason,
              discard: (res) => res.body?.cancel(),
            })
          ).value
        : await once();
    }
  } catch (err) {
    throw new UserError(
      `the token server of registry ${req.registry} (${realm.origin}) could not be reached: ${networkReason(err)}`,
    );
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new UserError(
      req.credentials
        ? `registry ${req.registry}: the token server (${realm.origin}) rejected the credentials (HTTP ${response.status}); check registry-username and registry-password.`
        : `registry ${req.registry}: the token server (${realm.origin}) refused anonymous access (HTTP ${response.status}); set registry-username and registry-password or log in with docker login.`,
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new UserError(
      `registry ${req.registry}: the token server (${realm.origin}) answered HTTP ${response.status}.`,
    );
  }
  let body: TokenResponse;
  try {
    body = (await response.json()) as TokenResponse;
  } catch {
    throw new UserError(
      `registry ${req.registry}: the token server (${realm.origin}) did not answer JSON.`,
    );
  }
  const token = body.token ?? body.access_token;
  if (!token) {
    throw new UserError(
      `registry ${req.registry}: the token server (${realm.origin}) sent no token.`,
    );
  }
  registerSecret(token);
  return token;
}

function withCancel(timeoutMs: number, cancel: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return cancel ? AbortSignal.any([timeout, cancel]) : timeout;
}

/** A one-line reason for a fetch failure (undici hides the useful part in `cause`). */
export function networkReason(err: unknown): string {
  // duck-typed: errors from fetch may come from another realm (vm contexts, bundles)
  const e = err as
    { name?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  if (!e || typeof e !== 'object') return String(err);
  if (e.name === 'TimeoutError') return 'timed out';
  const cause = e.cause;
  if (cause && typeof cause === 'object' && typeof cause.message === 'string') {
    return cause.code ? `${cause.code} (${cause.message})` : cause.message;
  }
  return e.message ?? String(err);
}
