import * as core from '@actions/core';

/**
 * Every secret the action knows about, in the forms it may appear in text:
 * raw, URL-encoded (a password inside a URL) and URL-decoded.
 * Longest first, so a secret that contains another is replaced whole.
 */
const known = new Set<string>();
const MASK = '***';

function forms(value: string): string[] {
  const out = new Set<string>([value]);
  try {
    out.add(encodeURIComponent(value));
  } catch {
    // lone surrogates cannot be encoded; the raw form is still masked
  }
  try {
    out.add(decodeURIComponent(value));
  } catch {
    // not a valid escape sequence: nothing more to add
  }
  return [...out].filter((v) => v.length > 0);
}

/** Masks a value in the runner's log (core.setSecret) and in everything redact() sees. */
export function registerSecret(value: string | undefined | null): void {
  if (!value) return;
  for (const form of forms(value)) {
    if (known.has(form)) continue;
    known.add(form);
    core.setSecret(form);
  }
}

/**
 * Registers the password (and a user:password pair) of a connection URL such as
 * postgres://app:p%40ss@db/prod. Works on text that is not a WHATWG-parseable URL too,
 * because a bad URL's password must be masked before the error naming it is printed.
 */
export function registerUrlPassword(url: string | undefined | null): void {
  if (!url) return;
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url);
  if (!m) return;
  const userinfo = m[1];
  const colon = userinfo.indexOf(':');
  if (colon < 0) return;
  const password = userinfo.slice(colon + 1);
  registerSecret(password);
}

/** Replaces every registered secret in text with ***. */
export function redact(text: string): string {
  if (known.size === 0 || !text) return text;
  let out = text;
  for (const secret of [...known].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

/** A connection URL with its password replaced, for logs and summaries. */
export function redactUrl(url: string): string {
  const out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#:@]*:)[^/?#]*@/i, `$1${MASK}@`);
  return redact(out);
}

/** Test hook: forget every registered secret. */
export function clearSecretsForTest(): void {
  known.clear();
}
