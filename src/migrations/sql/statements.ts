import type { Node } from '@pgsql/types';
import { UserError } from '../../kit/errors.js';
import { loadPgParser } from '../../kit/pg-parser.js';
import type { Engine as DbEngine } from '../../db/manifest.js';

/** One statement of a migration file. */
export interface Statement {
  /** the statement's text, without its terminating `;` */
  text: string;
  /** the comments and blank lines before it (suppression comments live there) */
  leading: string;
  /** 1-based line of the statement's first character in the file */
  line: number;
  /** PostgreSQL only: the parse tree */
  node?: Node;
}

export { loadPgParser };

/** A file the PostgreSQL parser rejects: names the file and the line. */
export class SqlParseError extends UserError {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}: line ${line}: cannot parse: ${message}`);
    this.name = 'SqlParseError';
    this.file = file;
    this.line = line;
  }
}

function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Splits a raw slice into the comments/blank lines before the statement and the statement. */
function statementOf(
  sql: string,
  start: number,
  end: number,
  node?: Node,
  hashComments = false,
): Statement | undefined {
  const raw = sql.slice(start, end);
  let i = 0;
  for (;;) {
    while (i < raw.length && (/\s/.test(raw[i]) || raw[i] === ';')) i++;
    if (raw.startsWith('--', i) || (hashComments && raw[i] === '#')) {
      const nl = raw.indexOf('\n', i);
      i = nl < 0 ? raw.length : nl + 1;
    } else if (raw.startsWith('/*', i)) {
      const close = raw.indexOf('*/', i + 2);
      i = close < 0 ? raw.length : close + 2;
    } else break;
  }
  const text = raw.slice(i).trimEnd();
  if (text === '') return undefined;
  return { text, leading: raw.slice(0, i), line: lineAt(sql, start + i), node };
}

/**
 * PostgreSQL statements, split by the real parser (libpg-query): dollar quotes, function
 * bodies and nested comments are its business, not a regex's.
 */
export async function splitPostgres(sql: string, file: string): Promise<Statement[]> {
  const { parse } = await loadPgParser();
  // the parser's offsets are UTF-8 byte offsets
  const bytes = Buffer.from(sql, 'utf8');
  const ascii = bytes.length === sql.length;
  const charAt = (byte: number): number =>
    ascii ? byte : bytes.subarray(0, byte).toString('utf8').length;
  let tree;
  try {
    tree = await parse(sql);
  } catch (err) {
    const details = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    // only the parser's own syntax errors carry sqlDetails; anything else is not the file's fault
    if (!details) throw err;
    const pos = details.cursorPosition;
    const line = typeof pos === 'number' && pos >= 0 ? lineAt(sql, charAt(pos)) : 1;
    throw new SqlParseError(file, line, err instanceof Error ? err.message : String(err));
  }
  const out: Statement[] = [];
  // each statement's region starts where the previous one ended, so the comments before it
  // (which the parser's location may skip) are its `leading` text
  let prevEnd = 0;
  for (const s of tree.stmts ?? []) {
    const from = s.stmt_location ?? 0;
    const to = s.stmt_len ? from + s.stmt_len : bytes.length;
    const st = statementOf(sql, charAt(Math.min(prevEnd, from)), charAt(to), s.stmt);
    prevEnd = to;
    if (st) out.push(st);
  }
  return out;
}

/**
 * MySQL/MariaDB and SQLite statements, split by a small lexer that respects '…' and "…"
 * strings, `…` and […] identifiers, -- # and /* *\/ comments, and the BEGIN … END body of a
 * trigger or routine (whose inner `;` do not end the statement).
 */
export function splitGeneric(sql: string, engine: Exclude<DbEngine, 'postgres'>): Statement[] {
  const out: Statement[] = [];
  let start = 0;
  let depth = 0;
  let i = 0;
  const n = sql.length;
  const isWord = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$]/.test(c);
  const wordAt = (k: number): string => {
    let e = k;
    while (e < n && isWord(sql[e])) e++;
    return sql.slice(k, e).toUpperCase();
  };
  const nextWord = (k: number): string => {
    let e = k;
    while (e < n && /\s/.test(sql[e])) e++;
    return wordAt(e);
  };
  const hasBody = (): boolean =>
    /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:TEMP(?:ORARY)?\s+)?(?:TRIGGER|PROCEDURE|FUNCTION|EVENT)\b/i.test(
      // leading comments were already skipped by statementOf's caller; the head is enough
      stripLeadingComments(sql.slice(start, i)),
    );
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`') {
      i = skipQuoted(sql, i, c, engine === 'mysql' && c !== '`');
      continue;
    }
    if (c === '[' && engine === 'sqlite') {
      const close = sql.indexOf(']', i + 1);
      i = close < 0 ? n : close + 1;
      continue;
    }
    if ((c === '-' && sql[i + 1] === '-') || (c === '#' && engine === 'mysql')) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (isWord(c) && !isWord(sql[i - 1])) {
      const w = wordAt(i);
      if ((w === 'BEGIN' || w === 'CASE') && (depth > 0 || hasBody())) depth++;
      else if (w === 'END' && depth > 0) {
        // END IF / END LOOP / END WHILE / END REPEAT close blocks that did not count
        if (!['IF', 'LOOP', 'WHILE', 'REPEAT'].includes(nextWord(i + 3))) depth--;
      }
      i += Math.max(1, w.length);
      continue;
    }
    if (c === ';' && depth === 0) {
      const st = statementOf(sql, start, i, undefined, engine === 'mysql');
      if (st) out.push(st);
      start = i + 1;
    }
    i++;
  }
  const last = statementOf(sql, start, n, undefined, engine === 'mysql');
  if (last) out.push(last);
  return out;
}

function stripLeadingComments(text: string): string {
  return text.replace(/^(?:\s+|--[^\n]*\n?|#[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, '');
}

/** Index after the closing quote; a doubled quote (and a backslash in MySQL strings) escapes. */
function skipQuoted(sql: string, from: number, q: string, backslash: boolean): number {
  let i = from + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslash && c === '\\') {
      i += 2;
      continue;
    }
    if (c === q) {
      if (sql[i + 1] === q) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

export async function splitStatements(
  sql: string,
  engine: DbEngine,
  file: string,
): Promise<Statement[]> {
  return engine === 'postgres' ? splitPostgres(sql, file) : splitGeneric(sql, engine);
}
