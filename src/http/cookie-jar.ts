import { isIP } from 'node:net';

/**
 * The smoke run's cookie jar, after RFC 6265 §5 (the user-agent side): cookies from
 * `Set-Cookie` are stored per domain and path and sent back on later requests that match.
 *
 * - host-only cookies (no Domain attribute) go back to exactly the host that set them;
 *   a Domain cookie goes to that domain and its subdomains, and a response can only set
 *   one for a domain its own host is inside. There is no public-suffix list here: a Domain
 *   without a dot (`com`) is refused unless it is the host itself (`localhost`).
 * - Path defaults to the directory of the request path; a cookie goes back to its path
 *   and the paths below it.
 * - Secure cookies go back over https only.
 * - Max-Age (wins over Expires) and Expires set the expiry; a date in the past or a
 *   Max-Age of 0 or less deletes the cookie.
 * - Ports do not separate cookies (RFC 6265 §8.5), as in browsers.
 * - SameSite and HttpOnly are ignored: they protect a browser's cross-site navigation and
 *   its scripts, and a smoke test is neither — every request is one the user wrote.
 */

export interface Cookie {
  name: string;
  value: string;
  /** lower-case, without a leading dot */
  domain: string;
  /** true when no Domain attribute was given: sent to exactly `domain` only */
  hostOnly: boolean;
  path: string;
  secure: boolean;
  /** epoch ms; undefined for a session cookie (lives as long as the run) */
  expiresAt?: number;
  /** order of creation, for the Cookie header's order (RFC 6265 §5.4 step 2) */
  created: number;
}

/** A cookie set by a response, as the response wrote it (accepted or not). */
export interface ReceivedCookie {
  name: string;
  value: string;
  /** false when the jar refused it (a foreign Domain) or it deletes the cookie */
  stored: boolean;
}

const MAX_COOKIES = 3000;

/** The path a cookie without a Path attribute gets (RFC 6265 §5.1.4). */
export function defaultPath(url: URL): string {
  const p = url.pathname;
  if (!p.startsWith('/')) return '/';
  const last = p.lastIndexOf('/');
  return last <= 0 ? '/' : p.slice(0, last);
}

/** RFC 6265 §5.1.3 */
export function domainMatches(host: string, domain: string): boolean {
  if (host === domain) return true;
  return isIP(host) === 0 && host.endsWith(`.${domain}`);
}

/** RFC 6265 §5.1.4 */
export function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** The URL's host as cookies see it: lower case, IPv6 without brackets. */
function cookieHost(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

interface ParsedSetCookie {
  name: string;
  value: string;
  attrs: Map<string, string>;
}

/** RFC 6265 §5.2: name=value, then attributes; undefined when there is no `=` or no name. */
export function parseSetCookie(line: string): ParsedSetCookie | undefined {
  const [pair, ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq < 0) return undefined;
  const name = pair.slice(0, eq).trim();
  if (name === '') return undefined;
  const attrs = new Map<string, string>();
  for (const part of rest) {
    const i = part.indexOf('=');
    const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
    // the last occurrence of an attribute wins (§5.3 step 11 looks at the last one)
    if (key !== '') attrs.set(key, i < 0 ? '' : part.slice(i + 1).trim());
  }
  return { name, value: pair.slice(eq + 1).trim(), attrs };
}

export class CookieJar {
  private cookies: Cookie[] = [];
  private counter = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Stores the cookies of one response to `url`; returns them in the order received. */
  store(url: URL, setCookies: readonly string[]): ReceivedCookie[] {
    return setCookies.flatMap((line) => {
      const parsed = parseSetCookie(line);
      if (!parsed) return [];
      return [{ name: parsed.name, value: parsed.value, stored: this.storeOne(url, parsed) }];
    });
  }

  private expiry(attrs: Map<string, string>): number | undefined {
    const maxAge = attrs.get('max-age');
    if (maxAge !== undefined && /^-?\d+$/.test(maxAge)) {
      const seconds = Number(maxAge);
      return seconds <= 0 ? -Infinity : this.now() + seconds * 1000;
    }
    const expires = attrs.get('expires');
    if (expires !== undefined) {
      const at = Date.parse(expires);
      if (!Number.isNaN(at)) return at;
    }
    return undefined;
  }

  private storeOne(url: URL, c: ParsedSetCookie): boolean {
    const host = cookieHost(url);
    let domain = (c.attrs.get('domain') ?? '').replace(/^\./, '').toLowerCase();
    const hostOnly = domain === '';
    if (hostOnly) domain = host;
    else if (!domainMatches(host, domain) || (!domain.includes('.') && domain !== host)) {
      return false;
    }
    const pathAttr = c.attrs.get('path') ?? '';
    const path = pathAttr.startsWith('/') ? pathAttr : defaultPath(url);
    const expiresAt = this.expiry(c.attrs);
    const same = (x: Cookie) => x.name === c.name && x.domain === domain && x.path === path;
    const old = this.cookies.find(same);
    this.cookies = this.cookies.filter((x) => !same(x));
    if (expiresAt !== undefined && expiresAt <= this.now()) return false;
    this.cookies.push({
      name: c.name,
      value: c.value,
      domain,
      hostOnly,
      path,
      secure: c.attrs.has('secure'),
      expiresAt,
      created: old?.created ?? this.counter++,
    });
    if (this.cookies.length > MAX_COOKIES) {
      // evict the oldest, as user agents do when a jar is full (§5.3 last paragraph)
      this.cookies.sort((a, b) => a.created - b.created).shift();
    }
    return true;
  }

  /** The cookies that go with a request to `url`, in Cookie-header order. */
  matching(url: URL): Cookie[] {
    const now = this.now();
    this.cookies = this.cookies.filter((c) => c.expiresAt === undefined || c.expiresAt > now);
    const host = cookieHost(url);
    const path = url.pathname || '/';
    return this.cookies
      .filter(
        (c) =>
          (c.hostOnly ? host === c.domain : domainMatches(host, c.domain)) &&
          pathMatches(path, c.path) &&
          (!c.secure || url.protocol === 'https:'),
      )
      .sort((a, b) => b.path.length - a.path.length || a.created - b.created);
  }

  /** The Cookie header for a request to `url`, or undefined when no cookie matches. */
  cookieHeader(url: URL): string | undefined {
    const list = this.matching(url);
    return list.length === 0 ? undefined : list.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  /** Every live cookie, for tests and diagnostics. */
  all(): Cookie[] {
    const now = this.now();
    return this.cookies.filter((c) => c.expiresAt === undefined || c.expiresAt > now);
  }
}
