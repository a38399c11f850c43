/**
 * One HTTP exchange over the platform's fetch (undici in Node 24): a deadline over the
 * whole exchange (redirects and body included), redirects followed by hand so each hop
 * is recorded, and the response body read up to a cap.
 */

export interface OutgoingBody {
  contentType: string;
  data: string;
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers: ReadonlyArray<readonly [string, string]>;
  body?: OutgoingBody;
  followRedirects: boolean;
  timeoutMs: number;
  /** the run's cookie jar, consulted and fed on every hop, redirects included */
  cookies?: CookieHook;
}

/** Where a request's cookies come from and where the ones it receives go, hop by hop. */
export interface CookieHook {
  cookieHeader(url: URL): string | undefined;
  received(url: URL, setCookies: readonly string[]): void;
}

/** The headers of one hop: the request's own, plus the jar's cookies for this URL. */
function withJarCookies(headers: Headers, url: URL, hook: CookieHook | undefined): Headers {
  const jar = hook?.cookieHeader(url);
  if (jar === undefined) return headers;
  const out = new Headers(headers);
  const own = headers.get('cookie');
  out.set('cookie', own ? `${own}; ${jar}` : jar);
  return out;
}

export interface Redirect {
  status: number;
  from: string;
  to: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
  /** the body was longer than the cap and was cut */
  truncated: boolean;
  durationMs: number;
  finalUrl: string;
  redirects: Redirect[];
}

/** A request that got no HTTP response: refused, reset, DNS, TLS or timeout. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

export const MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'runbook-actions-smoke-test';

async function readBody(res: Response): Promise<{ body: string; truncated: boolean }> {
  if (!res.body) return { body: '', truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  const all = Buffer.concat(chunks, Math.min(size, MAX_BODY_BYTES));
  return { body: new TextDecoder().decode(all), truncated };
}

function describeFailure(
  err: unknown,
  url: URL,
  timeoutMs: number,
  timedOut: boolean,
): NetworkError {
  if (timedOut) return new NetworkError(`timed out after ${timeoutMs}ms`, true);
  // duck-typed: fetch's errors may come from another realm (vm contexts), failing instanceof
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const cause = e.cause;
  const code = cause?.code;
  const what =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
        ? 'connection reset'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'host not found'
          : (cause?.message ?? e.message ?? String(err));
  return new NetworkError(`${what}${code ? ` (${code})` : ''} for ${url.host}`, false);
}

function nextMethod(status: number, method: string): { method: string; keepBody: boolean } {
  if (status === 307 || status === 308) return { method, keepBody: true };
  if (status === 303 || method === 'POST')
    return { method: method === 'HEAD' ? 'HEAD' : 'GET', keepBody: false };
  return { method, keepBody: true };
}

/** Sends the request; throws NetworkError when no response came within the deadline. */
export async function sendRequest(req: HttpRequest): Promise<HttpResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, req.timeoutMs);
  const started = performance.now();
  let url = req.url;
  let method = req.method;
  let body = req.body;
  let headers = new Headers(req.headers as Array<[string, string]>);
  if (!headers.has('user-agent')) headers.set('user-agent', USER_AGENT);
  const redirects: Redirect[] = [];
  try {
    for (;;) {
      if (body && !headers.has('content-type')) headers.set('content-type', body.contentType);
      const res = await fetch(url, {
        method,
        headers: withJarCookies(headers, url, req.cookies),
        body: body?.data,
        redirect: 'manual',
        signal: controller.signal,
      });
      req.cookies?.received(url, res.headers.getSetCookie());
      const location = res.headers.get('location');
      if (req.followRedirects && REDIRECTS.has(res.status) && location) {
        await res.body?.cancel();
        if (redirects.length >= MAX_REDIRECTS)
          throw new NetworkError(`more than ${MAX_REDIRECTS} redirects`, false);
        const next = new URL(location, url);
        redirects.push({ status: res.status, from: url.href, to: next.href });
        const change = nextMethod(res.status, method);
        method = change.method;
        if (!change.keepBody) {
          body = undefined;
          headers.delete('content-type');
          headers.delete('content-length');
        }
        if (next.origin !== url.origin) {
          // credentials are for the origin they were written for
          headers = new Headers(headers);
          headers.delete('authorization');
          headers.delete('cookie');
        }
        url = next;
        continue;
      }
      const read = await readBody(res);
      return {
        status: res.status,
        headers: res.headers,
        body: read.body,
        truncated: read.truncated,
        durationMs: Math.round(performance.now() - started),
        finalUrl: url.href,
        redirects,
      };
    }
  } catch (err) {
    if (err instanceof NetworkError) throw err;
    throw describeFailure(err, url, req.timeoutMs, timedOut);
  } finally {
    clearTimeout(timer);
  }
}
