import { loadPgParser } from '../../kit/pg-parser.js';

/**
 * The sql probe runs queries only: a statement that is not one is refused before it reaches
 * the database. PostgreSQL text goes through PostgreSQL's own parser (libpg-query); MySQL and
 * SQLite text through a lexer that knows strings, quoted names and comments. The read-only
 * transaction the probe runs in is the second line of defence, not the only one.
 */

/** Why `query` is not a single read-only query, or undefined when it is one. */
export async function pgQueryProblem(query: string): Promise<string | undefined> {
  const { parse } = await loadPgParser();
  let tree: { stmts?: Array<{ stmt: Record<string, unknown> }> };
  try {
    tree = (await parse(query)) as typeof tree;
  } catch (err) {
    const e = err as { message?: string; sqlDetails?: { cursorPosition?: number } };
    const at = e.sqlDetails?.cursorPosition;
    return `does not parse${at === undefined ? '' : ` (${lineOf(query, at + 1)})`}: ${e.message ?? String(err)}`;
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length !== 1) return `must be exactly one statement, not ${stmts.length}`;
  const [kind] = Object.keys(stmts[0].stmt);
  if (kind !== 'SelectStmt')
    return `must be a query (SELECT, WITH ... SELECT, VALUES), not ${kind}`;
  const modifying = findKeys(stmts[0].stmt, [
    'InsertStmt',
    'UpdateStmt',
    'DeleteStmt',
    'MergeStmt',
  ]);
  if (modifying) return `must not change data (it contains ${modifying})`;
  if (findKeys(stmts[0].stmt, ['intoClause'])) return 'must not create a table (SELECT ... INTO)';
  return undefined;
}

function findKeys(node: unknown, keys: readonly string[]): string | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const f = findKeys(n, keys);
      if (f) return f;
    }
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (keys.includes(k)) return k;
      const f = findKeys(v, keys);
      if (f) return f;
    }
  }
  return undefined;
}

/** MySQL/SQLite: one statement whose first word is SELECT, WITH or VALUES (SQLite), no INTO. */
export function lexedQueryProblem(query: string, engine: 'mysql' | 'sqlite'): string | undefined {
  const words = tokens(query);
  const first = words.find((w) => w !== ';');
  const starts =
    engine === 'sqlite' ? ['SELECT', 'WITH', 'VALUES'] : ['SELECT', 'WITH', 'TABLE', 'VALUES'];
  if (!first || !starts.includes(first.toUpperCase()))
    return `must be a query starting with ${starts.join(', ')}, not ${first ?? 'nothing'}`;
  const semi = words.indexOf(';');
  if (semi !== -1 && words.slice(semi + 1).some((w) => w !== ';'))
    return 'must be exactly one statement';
  const upper = words.map((w) => w.toUpperCase());
  for (const banned of ['INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'INTO', 'FOR']) {
    // FOR UPDATE / FOR SHARE take locks; INTO writes (SELECT ... INTO OUTFILE / @var)
    if (upper.includes(banned)) return `must not change data or take locks (it contains ${banned})`;
  }
  return undefined;
}

/** Bare words and `;` outside strings, quoted names and comments. */
function tokens(sql: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '#') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\' && c === "'") j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      i = j + 1;
    } else if (c === ';') {
      out.push(';');
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j])) j++;
      out.push(sql.slice(i, j));
      i = j;
    } else {
      i++;
    }
  }
  return out;
}

/** `line L` of a 1-based character position in text. */
export function lineOf(text: string, position: number): string {
  const before = text.slice(0, Math.max(0, position - 1));
  return `line ${before.split('\n').length}`;
}
