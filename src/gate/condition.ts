import type { Condition, Operator, StatusRange } from './types.js';

const CONDITION = /^(<=|>=|==|!=|<|>|=)\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)$/i;

/** Parses `< 0.01`, `>= 99`, `== 1`, `!= 0` (a lone `=` means `==`). Undefined when it does not parse. */
export function parseCondition(text: string): Condition | undefined {
  const m = CONDITION.exec(text.trim());
  if (!m) return undefined;
  const op = (m[1] === '=' ? '==' : m[1]) as Operator;
  const threshold = Number(m[2]);
  if (!Number.isFinite(threshold)) return undefined;
  return { op, threshold, text: `${op} ${m[2]}` };
}

export function conditionHolds(condition: Condition, value: number): boolean {
  const t = condition.threshold;
  switch (condition.op) {
    case '<':
      return value < t;
    case '<=':
      return value <= t;
    case '>':
      return value > t;
    case '>=':
      return value >= t;
    case '==':
      return value === t;
    case '!=':
      return value !== t;
  }
}

/**
 * Parses an HTTP status expectation: a number (`200`), a class (`2xx`), a range (`200-299`)
 * or a list of those (YAML list or comma-separated text). Returns the ranges, or an error text.
 */
export function parseStatusExpectation(value: unknown): StatusRange[] | string {
  const items: unknown[] = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',').map((s) => s.trim())
      : [value];
  if (items.length === 0) return 'is an empty list';
  const ranges: StatusRange[] = [];
  for (const item of items) {
    const text = typeof item === 'number' || typeof item === 'string' ? String(item).trim() : '';
    const range = statusRange(text);
    if (!range) {
      return `${JSON.stringify(item)} is not a status; use a number (200), a class (2xx), a range (200-299) or a list of those`;
    }
    ranges.push(range);
  }
  return ranges;
}

function statusRange(text: string): StatusRange | undefined {
  let m = /^([1-5])xx$/i.exec(text);
  if (m) {
    const base = Number(m[1]) * 100;
    return { from: base, to: base + 99, text: text.toLowerCase() };
  }
  m = /^(\d{3})$/.exec(text);
  if (m) {
    const n = Number(m[1]);
    return n >= 100 && n <= 599 ? { from: n, to: n, text } : undefined;
  }
  m = /^(\d{3})\s*-\s*(\d{3})$/.exec(text);
  if (m) {
    const from = Number(m[1]);
    const to = Number(m[2]);
    return from >= 100 && to <= 599 && from <= to ? { from, to, text: `${from}-${to}` } : undefined;
  }
  return undefined;
}

export function statusMatches(ranges: readonly StatusRange[], status: number): boolean {
  return ranges.some((r) => status >= r.from && status <= r.to);
}

export function describeStatuses(ranges: readonly StatusRange[]): string {
  return ranges.map((r) => r.text).join(', ');
}
