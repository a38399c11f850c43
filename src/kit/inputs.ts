import * as core from '@actions/core';
import { InputError } from './errors.js';
import { parseDuration } from './durations.js';
import { parseSize } from './sizes.js';
import { registerSecret, registerUrlPassword, redact } from './secrets.js';

/**
 * Typed readers over the action's inputs. Each one trims, applies the default when the
 * input is empty and throws an InputError naming the input, the value and what is accepted.
 */

export interface Common {
  /** the value used when the input is empty */
  default?: string;
  /** mask the value before anything can print it */
  secret?: boolean;
}

function show(value: string, secret: boolean | undefined): string {
  if (secret) return `'***'`;
  const v = redact(value);
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
}

/** The trimmed value (default when empty); a secret is masked first. */
export function raw(name: string, opts: Common = {}): string {
  const value = core.getInput(name, { trimWhitespace: true });
  if (opts.secret) registerSecret(value);
  return value === '' ? (opts.default ?? '') : value;
}

export function getString(name: string, opts: Common = {}): string {
  return raw(name, opts);
}

export function getRequired(name: string, opts: Common = {}): string {
  const value = raw(name, opts);
  if (value === '') throw new InputError(name, 'is required and was not set.');
  return value;
}

export function getBoolean(name: string, opts: { default?: boolean } = {}): boolean {
  const value = raw(name);
  if (value === '') {
    if (opts.default === undefined) throw new InputError(name, 'is required and was not set.');
    return opts.default;
  }
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new InputError(name, `${show(value, false)} is not a boolean; use true or false.`);
}

export function getEnum<T extends string>(
  name: string,
  allowed: readonly T[],
  opts: { default?: T } = {},
): T {
  const value = raw(name, { default: opts.default });
  if (value === '') throw new InputError(name, `is required; one of: ${allowed.join(', ')}.`);
  const match = allowed.find((a) => a === value.toLowerCase());
  if (match === undefined) {
    throw new InputError(name, `${show(value, false)} is not one of: ${allowed.join(', ')}.`);
  }
  return match;
}

export function getInteger(
  name: string,
  opts: { default?: number; min?: number; max?: number } = {},
): number | undefined {
  const value = raw(name);
  if (value === '') return opts.default;
  const range =
    opts.min !== undefined && opts.max !== undefined
      ? `a whole number from ${opts.min} to ${opts.max}`
      : opts.min !== undefined
        ? `a whole number of at least ${opts.min}`
        : opts.max !== undefined
          ? `a whole number of at most ${opts.max}`
          : 'a whole number';
  if (!/^[+-]?\d+$/.test(value)) {
    throw new InputError(name, `${show(value, false)} is not a whole number; expected ${range}.`);
  }
  const n = Number(value);
  if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    throw new InputError(name, `${value} is out of range; expected ${range}.`);
  }
  return n;
}

/** Milliseconds. Accepts `500ms`, `30s`, `5m`, `1h`, `1m30s`; `0` and `0s` only with allowZero. */
export function getDuration(
  name: string,
  opts: { default?: string; allowZero?: boolean; max?: number } = {},
): number {
  const value = raw(name, { default: opts.default });
  if (value === '') throw new InputError(name, 'is required; a duration such as 30s, 5m or 1m30s.');
  const ms = parseDuration(value);
  if (ms === undefined) {
    throw new InputError(
      name,
      `${show(value, false)} is not a duration; use a number with a unit: 500ms, 30s, 5m, 1h or 1m30s.`,
    );
  }
  if (ms === 0 && !opts.allowZero) {
    throw new InputError(name, `${show(value, false)} must be greater than zero.`);
  }
  if (opts.max !== undefined && ms > opts.max) {
    throw new InputError(
      name,
      `${show(value, false)} is longer than the maximum of ${opts.max}ms.`,
    );
  }
  return ms;
}

/** Bytes. Accepts `512`, `10KB`, `5MiB`. */
export function getSize(name: string, opts: { default?: string } = {}): number {
  const value = raw(name, { default: opts.default });
  if (value === '') throw new InputError(name, 'is required; a size such as 512, 10KB or 5MiB.');
  const bytes = parseSize(value);
  if (bytes === undefined) {
    throw new InputError(
      name,
      `${show(value, false)} is not a size; use bytes or a unit: 512, 10KB, 5MB, 5MiB, 1GiB.`,
    );
  }
  return bytes;
}

/** Newline- or comma-separated items, trimmed, empties dropped. */
export function getList(
  name: string,
  opts: { default?: string; newlineOnly?: boolean } = {},
): string[] {
  const value = raw(name, { default: opts.default });
  return splitList(value, opts.newlineOnly);
}

export function splitList(value: string, newlineOnly = false): string[] {
  const sep = newlineOnly ? /\r?\n/ : /\r?\n|,/;
  return value
    .split(sep)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * A URL whose scheme is one of `protocols` (without the colon). The password of the URL
 * is registered as a secret before the value is looked at.
 */
export function getUrl(
  name: string,
  opts: { default?: string; protocols?: readonly string[]; required?: boolean } = {},
): URL | undefined {
  const value = raw(name, { default: opts.default });
  registerUrlPassword(value);
  if (value === '') {
    if (opts.required) throw new InputError(name, 'is required and was not set.');
    return undefined;
  }
  return parseUrlText(name, value, opts.protocols);
}

export function parseUrlText(name: string, value: string, protocols?: readonly string[]): URL {
  registerUrlPassword(value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const hint = protocols ? ` such as ${protocols[0]}://host:port/path` : '';
    throw new InputError(
      name,
      `${show(value, false)} is not a valid URL; expected an absolute URL${hint}.`,
    );
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (protocols && !protocols.includes(scheme)) {
    throw new InputError(
      name,
      `scheme '${scheme}' is not supported; use one of: ${protocols.map((p) => `${p}://`).join(', ')}.`,
    );
  }
  return url;
}
