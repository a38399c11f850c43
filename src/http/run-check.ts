import { assertResponse, statusFailure, takeCaptures, type ExchangeCookies } from './assertions.js';
import {
  NetworkError,
  sendRequest,
  type CookieHook,
  type HttpResponse,
  type Redirect,
} from './client.js';
import { CookieJar, type ReceivedCookie } from './cookie-jar.js';
import { assertTls, summarizeCertificate, type CertificateSummary } from './tls-assertions.js';
import { TlsProbe, TlsProbeError, type CertificateInfo } from './tls-probe.js';
import { statusMatches, type CheckSpec } from './check-types.js';
import { buildRequest, displayTarget, type BuiltRequest } from './request-builder.js';
import { TemplateError, type JsonValue, type Lookup } from './template.js';

/** Runs one check: build the request, send it with retries, take captures, assert. */

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  name: string;
  outcome: Outcome;
  method: string;
  /** path and query (or the full URL on another origin) */
  target: string;
  status?: number;
  /** the last attempt's duration */
  durationMs: number;
  attempts: number;
  redirects: Redirect[];
  /** every failed expectation, or the reason it was skipped */
  failures: string[];
  /** the variables it captured */
  captured: string[];
  /** the server certificate, for a check with expect.tls */
  certificate?: CertificateSummary;
}

export interface CheckContext {
  baseUrl: URL;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  lookup: Lookup;
  /** stores a captured value; a secret one is masked before anything can print it */
  onCapture: (variable: string, value: JsonValue, secret: boolean) => void;
  /** retry this check on any failure until it passes or this many ms elapsed */
  waitForReadyMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** the run's cookie jar; undefined when cookies are off */
  jar?: CookieJar;
  /** reads (and caches) server certificates, for expect.tls */
  tls?: TlsProbe;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Attempt {
  res?: HttpResponse;
  failures: string[];
  captured: CheckResult['captured'];
  /** a network error or a 5xx that the expectations did not ask for */
  retryable: boolean;
  certificate?: CertificateSummary;
}

function evaluate(
  check: CheckSpec,
  res: HttpResponse,
  ctx: CheckContext,
  cookies: ExchangeCookies,
): Attempt {
  // Captures first: a secret capture is registered before any message could quote it.
  const caps = takeCaptures(check.captures, res, cookies);
  for (const v of caps.values) ctx.onCapture(v.variable, v.value, v.secret);
  const captured = caps.values.map((v) => v.variable);
  const status = statusFailure(check.expect, res);
  const retryable = res.status >= 500 && !statusMatches(check.expect.status, res.status);
  if (status) return { res, failures: [status], captured, retryable };
  let failures: string[];
  try {
    failures = assertResponse(check.expect, res, ctx.lookup);
  } catch (err) {
    // only a regex that a captured value made invalid can throw here
    if (!(err instanceof SyntaxError)) throw err;
    failures = [`expect: a templated regular expression is invalid: ${err.message}`];
  }
  return { res, failures: [...caps.failures, ...failures], captured, retryable };
}

/** Feeds the run's jar and records what this exchange's responses set, for `cookie:` captures. */
function cookieRecorder(jar: CookieJar | undefined): CookieHook & { received_: ReceivedCookie[] } {
  const received_: ReceivedCookie[] = [];
  // with the jar off, cookies are still parsed (not kept) so a capture can read them
  const scratch = jar ?? new CookieJar();
  return {
    received_,
    cookieHeader: (url) => jar?.cookieHeader(url),
    received: (url, lines) => void received_.push(...scratch.store(url, lines)),
  };
}

/** The certificate of the final URL and the expect.tls failures, or why it could not be read. */
async function checkTls(
  check: CheckSpec,
  res: HttpResponse,
  ctx: CheckContext,
): Promise<{ failures: string[]; certificate?: CertificateSummary }> {
  const tls = check.expect.tls;
  if (!tls) return { failures: [] };
  const url = new URL(res.finalUrl);
  if (url.protocol !== 'https:')
    return { failures: [`expect.tls: ${url.origin} is not https, so there is no certificate`] };
  let cert: CertificateInfo;
  try {
    cert = await (ctx.tls ?? new TlsProbe()).certificate(url, ctx.timeoutMs);
  } catch (err) {
    if (!(err instanceof TlsProbeError)) throw err;
    return { failures: [`expect.tls: cannot read the certificate of ${url.host}: ${err.message}`] };
  }
  return { failures: assertTls(tls, cert, ctx.lookup), certificate: summarizeCertificate(cert) };
}

async function attempt(check: CheckSpec, req: BuiltRequest, ctx: CheckContext): Promise<Attempt> {
  try {
    const cookies = cookieRecorder(ctx.jar);
    const res = await sendRequest({ ...req, timeoutMs: ctx.timeoutMs, cookies });
    const a = evaluate(check, res, ctx, {
      received: cookies.received_,
      jar: ctx.jar?.matching(new URL(res.finalUrl)) ?? [],
    });
    const tls = await checkTls(check, res, ctx);
    return { ...a, failures: [...a.failures, ...tls.failures], certificate: tls.certificate };
  } catch (err) {
    if (err instanceof NetworkError)
      return { failures: [`request failed: ${err.message}`], captured: [], retryable: true };
    throw err;
  }
}

/** The request with its templates filled in, or why it cannot be built (a bad URL). */
function build(check: CheckSpec, ctx: CheckContext): BuiltRequest | string {
  try {
    return buildRequest(check.request, ctx.baseUrl, ctx.lookup);
  } catch (err) {
    if (err instanceof TemplateError) return err.message;
    // new URL() throws a TypeError for a URL that a template made invalid
    return `request.url: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export async function runCheck(check: CheckSpec, ctx: CheckContext): Promise<CheckResult> {
  const sleep = ctx.sleep ?? defaultSleep;
  const req = build(check, ctx);
  if (typeof req === 'string') {
    const a: Attempt = { failures: [req], captured: [], retryable: false };
    return result(check, check.request.url, a, 0, 0);
  }
  const target = displayTarget(req.url, ctx.baseUrl);
  const retries = check.retries ?? ctx.retries;
  const deadline = ctx.waitForReadyMs ? performance.now() + ctx.waitForReadyMs : undefined;
  let attempts = 0;
  for (;;) {
    const started = performance.now();
    const a = await attempt(check, req, ctx);
    attempts++;
    const elapsed = Math.round(performance.now() - started);
    const done = a.failures.length === 0;
    const again =
      !done &&
      (deadline !== undefined
        ? performance.now() + ctx.retryDelayMs < deadline
        : a.retryable && attempts <= retries);
    if (!again) {
      const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
      if (!done && deadline !== undefined) {
        a.failures[0] = `${a.failures[0]} (not ready: ${tries} within wait-for-ready ${ctx.waitForReadyMs}ms)`;
      } else if (!done && attempts > 1) {
        a.failures[0] = `${a.failures[0]} (after ${tries})`;
      }
      return result(check, target, a, attempts, a.res?.durationMs ?? elapsed);
    }
    await sleep(ctx.retryDelayMs);
  }
}

function result(
  check: CheckSpec,
  target: string,
  a: Attempt,
  attempts: number,
  durationMs: number,
): CheckResult {
  return {
    name: check.name,
    outcome: a.failures.length === 0 ? 'passed' : 'failed',
    method: check.request.method,
    target,
    status: a.res?.status,
    durationMs,
    attempts,
    redirects: a.res?.redirects ?? [],
    failures: a.failures,
    captured: a.captured,
    certificate: a.certificate,
  };
}

/** A check that did not run, with the reason. */
export function skippedResult(check: CheckSpec, reason: string): CheckResult {
  return {
    name: check.name,
    outcome: 'skipped',
    method: check.request.method,
    target: check.request.url,
    durationMs: 0,
    attempts: 0,
    redirects: [],
    failures: [reason],
    captured: [],
  };
}
