import type { OutgoingBody } from './client.js';
import type { RequestSpec } from './check-types.js';
import { renderJson, renderString, type Lookup } from './template.js';

/** A check's request with its templates filled in, ready to send. */
export interface BuiltRequest {
  method: string;
  url: URL;
  headers: Array<[string, string]>;
  body?: OutgoingBody;
  followRedirects: boolean;
}

/**
 * Joins a check's url to the base URL. A path is appended to the base URL's own path
 * (`https://host/api` + `/health` -> `https://host/api/health`), so a base URL may carry
 * a prefix; an absolute URL is used as it is.
 */
export function joinUrl(base: URL, target: string): URL {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return new URL(target);
  const prefix = base.pathname.replace(/\/+$/, '');
  const rest = target.startsWith('/') ? target : `/${target}`;
  return new URL(`${base.origin}${prefix}${rest}`);
}

export function buildRequest(spec: RequestSpec, base: URL, lookup: Lookup): BuiltRequest {
  const url = joinUrl(base, renderString(spec.url, lookup));
  for (const [k, v] of spec.query)
    url.searchParams.append(renderString(k, lookup), renderString(v, lookup));
  const headers = spec.headers.map(([k, v]): [string, string] => [k, renderString(v, lookup)]);
  let body: OutgoingBody | undefined;
  if (spec.body?.kind === 'json') {
    body = {
      contentType: 'application/json',
      data: JSON.stringify(renderJson(spec.body.value, lookup)),
    };
  } else if (spec.body?.kind === 'text') {
    body = {
      contentType: 'text/plain; charset=utf-8',
      data: renderString(spec.body.value, lookup),
    };
  } else if (spec.body?.kind === 'form') {
    const form = new URLSearchParams();
    for (const [k, v] of spec.body.value) form.append(k, renderString(v, lookup));
    body = { contentType: 'application/x-www-form-urlencoded', data: form.toString() };
  }
  return { method: spec.method, url, headers, body, followRedirects: spec.followRedirects };
}

/** How a request shows in reports: the path and query when it is on the base URL's origin. */
export function displayTarget(url: URL, base: URL): string {
  return url.origin === base.origin ? `${url.pathname}${url.search}` : url.href;
}
