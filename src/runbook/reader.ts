import { parseDuration } from '../kit/durations.js';
import type { YamlSource } from '../http/yaml-source.js';

/** Reads values of a runbook.yml while recording every problem with its line. */

export type Path = Array<string | number>;
export type Obj = Record<string, unknown>;

export interface Problem {
  line?: number;
  message: string;
}

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function describeType(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** `a.b.c` for messages. */
export function dotted(path: Path): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : p))
    .join('.')
    .replace(/\.\[/g, '[');
}

export class Reader {
  readonly problems: Problem[] = [];
  constructor(private readonly src: YamlSource) {}

  problem(path: Path, message: string, key = false): void {
    this.problems.push({ line: this.src.line(path, { key }), message });
  }

  line(path: Path): number | undefined {
    return this.src.line(path);
  }

  /** A map (or undefined when absent); reports unknown keys. */
  map(v: unknown, path: Path, allowed: readonly string[]): Obj | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) {
      this.problem(path, `${dotted(path)} must be a map, not ${describeType(v)}`);
      return undefined;
    }
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) {
        const where = path.length ? ` in ${dotted(path)}` : '';
        this.problem([...path, k], `unknown key '${k}'${where}; use: ${allowed.join(', ')}`, true);
      }
    }
    return v;
  }

  string(v: unknown, path: Path): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v !== 'string' || v.trim() === '') {
      this.problem(path, `${dotted(path)} must be a non-empty text, not ${describeType(v)}`);
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(v: unknown, path: Path, allowed: readonly T[]): T | undefined {
    const s = this.string(v, path);
    if (s === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(s)) {
      this.problem(path, `${dotted(path)}: '${s}' is not one of ${allowed.join(', ')}`);
      return undefined;
    }
    return s as T;
  }

  boolean(v: unknown, path: Path): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.problem(path, `${dotted(path)} must be true or false, not ${describeType(v)}`);
      return undefined;
    }
    return v;
  }

  integer(v: unknown, path: Path, min: number): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      this.problem(
        path,
        `${dotted(path)} must be a whole number of at least ${min}, not ${describeType(v)}`,
      );
      return undefined;
    }
    return v;
  }

  /** `30s`, `5m`, `500ms`. */
  duration(v: unknown, path: Path): number | undefined {
    if (v === undefined || v === null) return undefined;
    const ms = typeof v === 'string' ? parseDuration(v) : v === 0 ? 0 : undefined;
    if (ms === undefined) {
      this.problem(
        path,
        `${dotted(path)}: ${describeType(v)} is not a duration; write 500ms, 30s, 5m or 1h`,
      );
      return undefined;
    }
    return ms;
  }

  /** An environment variable's name. */
  envName(v: unknown, path: Path): string | undefined {
    const s = this.string(v, path);
    if (s !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) {
      this.problem(path, `${dotted(path)}: '${s}' is not an environment variable name`);
      return undefined;
    }
    return s;
  }

  /** A path relative to the runbook's directory: not absolute is not required, but no NUL. */
  path(v: unknown, path: Path): string | undefined {
    const s = this.string(v, path);
    if (s !== undefined && s.includes('\0')) {
      this.problem(path, `${dotted(path)} contains a NUL character`);
      return undefined;
    }
    return s;
  }

  list(v: unknown, path: Path): unknown[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.problem(path, `${dotted(path)} must be a list, not ${describeType(v)}`);
      return undefined;
    }
    return v;
  }
}
