/**
 * A JSONPath subset, enough for smoke tests: `$`, `.name`, `['name']`, `[0]`, `[-1]`,
 * `[*]`, `.*`, `..name` (recursive descent), `[0,2]`, `[1:3]` slices and simple filters
 * `[?(@.status == 'ok')]` (==, !=, <, <=, >, >=, or bare existence `[?(@.id)]`).
 * The leading `$` may be left out: `data.id` means `$.data.id`.
 *
 * A definite path (no wildcard, descent, slice, list or filter) yields one value or none;
 * an indefinite one yields the list of what it matched, as Jayway's JsonPath does.
 */

type Literal = string | number | boolean | null;
type FilterOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'wild' }
  | { kind: 'index'; index: number }
  | { kind: 'union'; items: Array<string | number> }
  | { kind: 'slice'; start?: number; end?: number; step: number }
  | { kind: 'filter'; path: Segment[]; op?: FilterOp; value?: Literal };

interface Segment {
  descend: boolean;
  sel: Selector;
}

export interface JsonPath {
  text: string;
  segments: Segment[];
  definite: boolean;
}

export class JsonPathError extends Error {}

const IDENT = /^[A-Za-z0-9_$-]+/;

class Reader {
  pos = 0;
  constructor(readonly text: string) {}
  get rest(): string {
    return this.text.slice(this.pos);
  }
  eof(): boolean {
    return this.pos >= this.text.length;
  }
  peek(n = 1): string {
    return this.text.slice(this.pos, this.pos + n);
  }
  skipSpace(): void {
    while (this.peek() === ' ') this.pos++;
  }
  fail(msg: string): never {
    throw new JsonPathError(`${msg} at position ${this.pos + 1} of '${this.text}'`);
  }
  expect(s: string): void {
    if (this.peek(s.length) !== s) this.fail(`expected '${s}'`);
    this.pos += s.length;
  }
}

function readQuoted(r: Reader): string {
  const q = r.peek();
  r.pos++;
  let out = '';
  while (!r.eof() && r.peek() !== q) {
    if (r.peek() === '\\') r.pos++;
    out += r.peek();
    r.pos++;
  }
  if (r.eof()) r.fail('unterminated string');
  r.pos++;
  return out;
}

function readInt(r: Reader): number | undefined {
  const m = /^-?\d+/.exec(r.rest);
  if (!m) return undefined;
  r.pos += m[0].length;
  return Number(m[0]);
}

function readLiteral(r: Reader): Literal {
  r.skipSpace();
  const c = r.peek();
  if (c === "'" || c === '"') return readQuoted(r);
  const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(r.rest);
  if (!m) r.fail('expected a literal (number, quoted string, true, false or null)');
  r.pos += m[0].length;
  return JSON.parse(m[0]) as Literal;
}

function readFilter(r: Reader): Selector {
  r.expect('?(');
  r.skipSpace();
  r.expect('@');
  const path = readSegments(r, (x) => /^[\s=!<>)]/.test(x.rest));
  r.skipSpace();
  const m = /^(==|!=|<=|>=|<|>)/.exec(r.rest);
  let sel: Selector = { kind: 'filter', path };
  if (m) {
    r.pos += m[0].length;
    sel = { kind: 'filter', path, op: m[0] as FilterOp, value: readLiteral(r) };
    r.skipSpace();
  }
  r.expect(')');
  return sel;
}

function readBracket(r: Reader): Selector {
  r.expect('[');
  r.skipSpace();
  let sel: Selector;
  if (r.peek() === '*') {
    r.pos++;
    sel = { kind: 'wild' };
  } else if (r.peek() === '?') {
    sel = readFilter(r);
  } else {
    const items: Array<string | number> = [];
    let slice: { start?: number; end?: number; step: number } | undefined;
    for (;;) {
      r.skipSpace();
      const c = r.peek();
      if (c === "'" || c === '"') items.push(readQuoted(r));
      else if (c === ':' || /^-?\d+\s*:/.test(r.rest)) {
        const start = readInt(r);
        r.expect(':');
        const end = readInt(r);
        let step = 1;
        if (r.peek() === ':') {
          r.pos++;
          step = readInt(r) ?? 1;
          if (step <= 0) r.fail('a slice step must be positive');
        }
        slice = { start, end, step };
      } else {
        const n = readInt(r);
        if (n === undefined) r.fail("expected an index, a quoted name, '*' or a filter");
        items.push(n);
      }
      r.skipSpace();
      if (r.peek() !== ',' || slice) break;
      r.pos++;
    }
    if (slice) {
      if (items.length > 0) r.fail('a slice cannot be combined with other selectors');
      sel = { kind: 'slice', ...slice };
    } else if (items.length === 1) {
      sel =
        typeof items[0] === 'number'
          ? { kind: 'index', index: items[0] }
          : { kind: 'name', name: items[0] };
    } else {
      sel = { kind: 'union', items };
    }
  }
  r.skipSpace();
  r.expect(']');
  return sel;
}

function readSegments(r: Reader, stop: (r: Reader) => boolean): Segment[] {
  const out: Segment[] = [];
  while (!r.eof() && !stop(r)) {
    let descend = false;
    if (r.peek(2) === '..') {
      descend = true;
      r.pos += 2;
    } else if (r.peek() === '.') {
      r.pos++;
    } else if (r.peek() !== '[') {
      r.fail("expected '.', '..' or '['");
    }
    if (r.peek() === '[') {
      out.push({ descend, sel: readBracket(r) });
    } else if (r.peek() === '*') {
      r.pos++;
      out.push({ descend, sel: { kind: 'wild' } });
    } else {
      const m = IDENT.exec(r.rest);
      if (!m) r.fail('expected a member name');
      r.pos += m[0].length;
      out.push({ descend, sel: { kind: 'name', name: m[0] } });
    }
  }
  return out;
}

/** Parses a path; throws JsonPathError naming the position of the problem. */
export function compileJsonPath(text: string): JsonPath {
  const trimmed = text.trim();
  if (trimmed === '') throw new JsonPathError('the path is empty');
  let source = trimmed;
  if (!source.startsWith('$')) source = source.startsWith('[') ? `$${source}` : `$.${source}`;
  const r = new Reader(source);
  r.expect('$');
  const segments = readSegments(r, () => false);
  const definite = segments.every(
    (s) => !s.descend && (s.sel.kind === 'name' || s.sel.kind === 'index'),
  );
  return { text: trimmed, segments, definite };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v);
  return [];
}

function descendants(v: unknown, out: unknown[] = []): unknown[] {
  out.push(v);
  for (const c of children(v)) descendants(c, out);
  return out;
}

function compare(a: unknown, op: FilterOp, b: Literal): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    default: {
      if (!(
        (typeof a === 'number' && typeof b === 'number') ||
        (typeof a === 'string' && typeof b === 'string')
      )) {
        return false;
      }
      if (op === '<') return a < b;
      if (op === '<=') return a <= b;
      if (op === '>') return a > b;
      return a >= b;
    }
  }
}

function member(v: unknown, key: string | number): unknown[] {
  if (typeof key === 'number') {
    if (!Array.isArray(v)) return [];
    const i = key < 0 ? v.length + key : key;
    return i >= 0 && i < v.length ? [v[i]] : [];
  }
  if (isObject(v) && Object.prototype.hasOwnProperty.call(v, key)) return [v[key]];
  return [];
}

function select(v: unknown, sel: Selector): unknown[] {
  switch (sel.kind) {
    case 'name':
      return member(v, sel.name);
    case 'index':
      return member(v, sel.index);
    case 'wild':
      return children(v);
    case 'union':
      return sel.items.flatMap((k) => member(v, k));
    case 'slice': {
      if (!Array.isArray(v)) return [];
      const n = v.length;
      const norm = (x: number | undefined, d: number) =>
        x === undefined ? d : x < 0 ? Math.max(0, n + x) : Math.min(n, x);
      const out: unknown[] = [];
      for (let i = norm(sel.start, 0); i < norm(sel.end, n); i += sel.step) out.push(v[i]);
      return out;
    }
    case 'filter':
      return children(v).filter((c) => {
        const found = evaluate(c, sel.path);
        if (sel.op === undefined) return found.length > 0;
        return found.length > 0 && compare(found[0], sel.op, sel.value ?? null);
      });
  }
}

function evaluate(root: unknown, segments: Segment[]): unknown[] {
  let nodes: unknown[] = [root];
  for (const seg of segments) {
    const next: unknown[] = [];
    for (const n of nodes) {
      const bases = seg.descend ? descendants(n) : [n];
      for (const b of bases) next.push(...select(b, seg.sel));
    }
    nodes = next;
  }
  return nodes;
}

export type PathResult = { found: true; value: unknown } | { found: false };

/**
 * The value at the path: for a definite path the one value, for an indefinite path the
 * list of matches; not found when nothing matched.
 */
export function queryJsonPath(root: unknown, path: JsonPath): PathResult {
  const values = evaluate(root, path.segments);
  if (path.definite)
    return values.length > 0 ? { found: true, value: values[0] } : { found: false };
  return values.length > 0 ? { found: true, value: values } : { found: false };
}
