import { malformedTemplate, type JsonValue } from './template.js';
import type { YamlSource } from './yaml-source.js';

/** Reading a check file's values while recording problems with their line and check. */

export interface SchemaProblem {
  line?: number;
  check?: string;
  message: string;
}

export class CheckFileError extends Error {
  constructor(readonly problems: SchemaProblem[]) {
    super(problems.map(formatProblem).join('; '));
  }
}

export function formatProblem(p: SchemaProblem): string {
  const where = [
    p.line !== undefined ? `line ${p.line}` : '',
    p.check !== undefined ? `check '${p.check}'` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${p.message}` : p.message;
}

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export type Path = Array<string | number>;
export type Obj = { [key: string]: JsonValue };

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Field readers bound to one check, recording problems instead of throwing. */
export class CheckReader {
  constructor(
    private readonly src: YamlSource,
    private readonly problems: SchemaProblem[],
    readonly base: Path,
    public name: string | undefined,
  ) {}

  problem(rel: Path, message: string, key = false): void {
    this.problems.push({
      line: this.src.line([...this.base, ...rel], { key }),
      check: this.name,
      message,
    });
  }

  line(rel: Path): number | undefined {
    return this.src.line([...this.base, ...rel]);
  }

  keys(obj: Obj, rel: Path, allowed: readonly string[], what: string): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k))
        this.problem(
          [...rel, k],
          `unknown key '${k}' in ${what}; use: ${allowed.join(', ')}`,
          true,
        );
    }
  }

  string(v: unknown, rel: Path, what: string): string | undefined {
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v !== 'string') {
      this.problem(rel, `${what} must be text, not ${describeType(v)}`);
      return undefined;
    }
    const bad = malformedTemplate(v);
    if (bad)
      this.problem(
        rel,
        `${what} has a malformed template near '${bad}'; write {{name}} or {{env.NAME}}`,
      );
    return v;
  }

  pairs(v: unknown, rel: Path, what: string, allowLists = false): Array<[string, string]> {
    if (v === undefined || v === null) return [];
    if (!isObj(v)) {
      this.problem(rel, `${what} must be a map of name: value`);
      return [];
    }
    const out: Array<[string, string]> = [];
    for (const [k, val] of Object.entries(v)) {
      const items = allowLists && Array.isArray(val) ? val : [val];
      for (const item of items) {
        const s = isScalar(item) ? this.string(item, [...rel, k], `${what} '${k}'`) : undefined;
        if (!isScalar(item))
          this.problem(
            [...rel, k],
            `${what} '${k}' must be text or a number, not ${describeType(item)}`,
          );
        if (s !== undefined) out.push([k, s]);
      }
    }
    return out;
  }

  texts(v: unknown, rel: Path, what: string): string[] {
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : [v];
    return list.flatMap((item, i) => {
      const s = this.string(item, Array.isArray(v) ? [...rel, i] : rel, what);
      return s === undefined ? [] : [s];
    });
  }
}

export function describeType(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}
