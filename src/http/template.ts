/**
 * `{{name}}` templating for check files. `{{env.NAME}}` reads the environment; any other
 * name is a variable, a secret or a value captured by another check. References are
 * collected up front, so an unknown name is an error before any request is sent.
 */

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Resolves a reference (without braces) to its value; undefined when unknown. */
export type Lookup = (name: string) => JsonValue | undefined;

const NAME = '[A-Za-z_][A-Za-z0-9_-]*(?:\\.[A-Za-z_][A-Za-z0-9_-]*)?';
const TEMPLATE = new RegExp(`\\{\\{\\s*(${NAME})\\s*\\}\\}`, 'g');
const WHOLE = new RegExp(`^\\{\\{\\s*(${NAME})\\s*\\}\\}$`);
const OPEN = /\{\{(?!\s*[A-Za-z_][A-Za-z0-9_.-]*\s*\}\})/;

/** The names referenced by a string, in order, without duplicates. */
export function templateRefs(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(TEMPLATE)) out.add(m[1]);
  return [...out];
}

/** Text that opens `{{` without a well-formed reference: a typo worth reporting. */
export function malformedTemplate(text: string): string | undefined {
  const m = OPEN.exec(text);
  if (!m) return undefined;
  return text.slice(m.index, m.index + 24);
}

/** Every reference inside a JSON value's strings (keys are not templated). */
export function collectRefs(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    for (const r of templateRefs(value)) into.add(r);
  } else if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) collectRefs(v, into);
  }
  return into;
}

export function isEnvRef(name: string): boolean {
  return name.startsWith('env.');
}

/** A value as text: strings as they are, everything else as JSON. */
export function stringify(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export class TemplateError extends Error {}

function resolve(name: string, lookup: Lookup): JsonValue {
  const value = lookup(name);
  if (value === undefined) throw new TemplateError(`{{${name}}} has no value`);
  return value;
}

/** Replaces every reference in a string. */
export function renderString(text: string, lookup: Lookup): string {
  if (!text.includes('{{')) return text;
  return text.replace(TEMPLATE, (_all, name: string) => stringify(resolve(name, lookup)));
}

/**
 * Renders the strings of a JSON value. A string that is exactly one reference takes the
 * referenced value with its type, so `id: '{{job_id}}'` stays a number when the id is one.
 */
export function renderJson(value: JsonValue, lookup: Lookup): JsonValue {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return resolve(whole[1], lookup);
    return renderString(value, lookup);
  }
  if (Array.isArray(value)) return value.map((v) => renderJson(v, lookup));
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderJson(v, lookup);
    return out;
  }
  return value;
}
