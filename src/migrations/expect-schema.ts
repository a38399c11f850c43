import type { Engine } from '../db/manifest.js';

/**
 * expect-schema: the tables and columns a release must leave behind (or must have removed),
 * checked after apply. Pure parsing and comparison; schema-reader.ts reads the database.
 * The input's shape and the type aliases are documented in actions/migrate/README.md.
 */

export interface ColumnExpectation {
  name: string;
  absent: boolean;
  type?: string;
  nullable?: boolean;
}

export interface TableExpectation {
  /** as written in the input (`orders`, `billing.invoices`): how problems name it */
  name: string;
  schema?: string;
  table: string;
  absent: boolean;
  columns: ColumnExpectation[];
}

export interface SchemaExpectation {
  tables: TableExpectation[];
}

export interface ActualColumn {
  type: string;
  nullable: boolean;
}

/** A table's columns by name; undefined when the table does not exist. */
export type ActualTable = Map<string, ActualColumn> | undefined;

export interface SchemaProblem {
  table: string;
  column?: string;
  expected: string;
  actual: string;
  message: string;
}

const TABLE_KEYS = ['columns'];
const COLUMN_KEYS = ['type', 'nullable'];

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKey(path: string, v: Record<string, unknown>, known: string[]): string | undefined {
  const extra = Object.keys(v).find((k) => !known.includes(k));
  return extra === undefined
    ? undefined
    : `${path} has an unknown key '${extra}' (expected ${known.join(', ')})`;
}

function parseColumn(path: string, name: string, v: unknown): ColumnExpectation | string {
  if (v === 'absent') return { name, absent: true };
  if (v === 'present' || v === null) return { name, absent: false };
  if (!isMapping(v)) return `${path} must be absent, present or a mapping of type/nullable`;
  const extra = unknownKey(path, v, COLUMN_KEYS);
  if (extra) return extra;
  const col: ColumnExpectation = { name, absent: false };
  if (v.type !== undefined) {
    if (typeof v.type !== 'string' || !v.type.trim())
      return `${path}.type must be a type name such as bigint or varchar(64)`;
    col.type = v.type.trim();
  }
  if (v.nullable !== undefined) {
    if (typeof v.nullable !== 'boolean') return `${path}.nullable must be true or false`;
    col.nullable = v.nullable;
  }
  return col;
}

function parseTable(path: string, name: string, v: unknown): TableExpectation | string {
  const dot = name.indexOf('.');
  const schema = dot > 0 ? name.slice(0, dot) : undefined;
  const table = dot > 0 ? name.slice(dot + 1) : name;
  if (!table || table.includes('.'))
    return `${path}: '${name}' is not a table or schema.table name`;
  const base = { name, schema, table };
  if (v === 'absent') return { ...base, absent: true, columns: [] };
  if (v === 'present' || v === null) return { ...base, absent: false, columns: [] };
  if (!isMapping(v)) return `${path} must be absent, present or a mapping with columns`;
  const extra = unknownKey(path, v, TABLE_KEYS);
  if (extra) return extra;
  const columns: ColumnExpectation[] = [];
  if (v.columns !== undefined) {
    if (!isMapping(v.columns)) return `${path}.columns must be a mapping of column names`;
    for (const [col, spec] of Object.entries(v.columns)) {
      const c = parseColumn(`${path}.columns.${col}`, col, spec);
      if (typeof c === 'string') return c;
      columns.push(c);
    }
  }
  return { ...base, absent: false, columns };
}

/** The input's value (parsed YAML) → the expectation, or the one-line problem with its path. */
export function parseExpectSchema(value: unknown): SchemaExpectation | string {
  if (!isMapping(value) || !isMapping(value.tables))
    return "must be a mapping with a 'tables' key (tables: { orders: { columns: { id: { type: bigint } } } })";
  const extra = unknownKey('the top level', value, ['tables']);
  if (extra) return extra;
  const tables: TableExpectation[] = [];
  for (const [name, spec] of Object.entries(value.tables)) {
    const t = parseTable(`tables.${name}`, name, spec);
    if (typeof t === 'string') return t;
    tables.push(t);
  }
  if (!tables.length) return 'tables is empty: name at least one table';
  return { tables };
}

/**
 * Each name on the left means the canonical name on the right. Applied after lower-casing
 * and collapsing spaces; a length or precision in parentheses is kept.
 */
export const TYPE_ALIASES: Readonly<Record<string, string>> = {
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  mediumint: 'integer',
  int8: 'bigint',
  bigint: 'bigint',
  int2: 'smallint',
  smallint: 'smallint',
  bool: 'boolean',
  boolean: 'boolean',
  'character varying': 'varchar',
  varchar: 'varchar',
  character: 'char',
  char: 'char',
  bpchar: 'char',
  float8: 'double precision',
  double: 'double precision',
  'double precision': 'double precision',
  float4: 'real',
  real: 'real',
  decimal: 'numeric',
  numeric: 'numeric',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  timestamptz: 'timestamptz',
  'time without time zone': 'time',
  'time with time zone': 'timetz',
};

const INTEGER_TYPES = new Set(['integer', 'bigint', 'smallint', 'tinyint']);

/** The comparable form of a type name; `engine` decides MySQL's tinyint(1) = boolean. */
export function normalizeType(type: string, engine?: Engine): string {
  const text = type
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),])\s*/g, '$1')
    .trim();
  const m = /^([^(]*)(\([^)]*\))?(.*)$/.exec(text);
  if (!m) return text;
  const name = m[1].trim();
  const base = TYPE_ALIASES[name] ?? name;
  const args = m[2] ?? '';
  const rest = m[3] ?? '';
  if (engine === 'mysql' && base === 'tinyint' && args === '(1)' && !rest) return 'boolean';
  // MySQL's display width (int(11)) says nothing about the column's range
  if (INTEGER_TYPES.has(base)) return `${base}${rest}`;
  return `${base}${args}${rest}`;
}

/** An expected type without a length (varchar) accepts any length (varchar(64)). */
export function typeMatches(expected: string, actual: string, engine?: Engine): boolean {
  const e = normalizeType(expected, engine);
  const a = normalizeType(actual, engine);
  if (e === a) return true;
  return !e.includes('(') && a.replace(/\([^)]*\)/, '') === e;
}

function findColumn(cols: Map<string, ActualColumn>, name: string): ActualColumn | undefined {
  const exact = cols.get(name);
  if (exact) return exact;
  // MySQL/MariaDB and SQLite column names are case-insensitive; unquoted PostgreSQL ones fold
  const lower = name.toLowerCase();
  for (const [k, v] of cols) if (k.toLowerCase() === lower) return v;
  return undefined;
}

const nullText = (nullable: boolean): string => (nullable ? 'nullable' : 'NOT NULL');

/** Every difference between the expectation and what the database holds. */
export function compareSchema(
  expected: SchemaExpectation,
  actual: ReadonlyMap<string, ActualTable>,
  engine?: Engine,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const t of expected.tables) {
    const cols = actual.get(t.name);
    if (t.absent) {
      if (cols)
        problems.push({
          table: t.name,
          expected: 'absent',
          actual: 'exists',
          message: `${t.name} still exists`,
        });
      continue;
    }
    if (!cols) {
      problems.push({
        table: t.name,
        expected: 'exists',
        actual: 'missing',
        message: `${t.name} missing`,
      });
      continue;
    }
    for (const c of t.columns) {
      const where = `${t.name}.${c.name}`;
      const got = findColumn(cols, c.name);
      const base = { table: t.name, column: c.name };
      if (c.absent) {
        if (got)
          problems.push({
            ...base,
            expected: 'absent',
            actual: got.type,
            message: `${where} still exists`,
          });
        continue;
      }
      if (!got) {
        problems.push({
          ...base,
          expected: 'exists',
          actual: 'missing',
          message: `${where} missing`,
        });
        continue;
      }
      if (c.type !== undefined && !typeMatches(c.type, got.type, engine))
        problems.push({
          ...base,
          expected: c.type,
          actual: got.type,
          message: `${where} is ${got.type}, expected ${c.type}`,
        });
      if (c.nullable !== undefined && c.nullable !== got.nullable)
        problems.push({
          ...base,
          expected: nullText(c.nullable),
          actual: nullText(got.nullable),
          message: `${where} is ${nullText(got.nullable)}, expected ${nullText(c.nullable)}`,
        });
    }
  }
  return problems;
}

/** The step's one error line. */
export function schemaFailureLine(problems: readonly SchemaProblem[]): string {
  const n = problems.length;
  return `expect-schema: ${n} problem${n === 1 ? '' : 's'}: ${problems.map((p) => p.message).join('; ')}`;
}
