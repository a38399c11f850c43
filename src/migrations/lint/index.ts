import { splitPostgres, SqlParseError, type Statement } from '../sql/statements.js';
import { analyze } from './analyze.js';
import { ruleById, RULE_IDS, type Severity } from './rules.js';

export { RULES, RULE_IDS, type LintRule, type Severity } from './rules.js';

/** SQL to lint, and where its findings point (a .sql file, or the Python migration behind it). */
export interface LintSource {
  /** the file findings are reported at, relative to the workspace when possible */
  file: string;
  sql: string;
  /** maps a line of `sql` to the line in `file` (generated SQL: the migration's upgrade()) */
  mapLine?: (sqlLine: number) => number;
  /** the migration runs inside a transaction around all of `sql` */
  startsInTransaction?: boolean;
}

export interface LintFinding {
  rule: string;
  severity: Severity;
  file: string;
  line: number;
  /** the statement, on one line, shortened */
  excerpt: string;
  table?: string;
  detail?: string;
  why: string;
  fix: string;
  /** live context (database-url given): the table's estimated rows and total size */
  rows?: number;
  bytes?: number;
}

export type LintMode = 'error' | 'warning' | 'off';

export interface LintConfig {
  mode: LintMode;
  /** per rule: off, or another severity */
  rules: Readonly<Record<string, Severity | 'off'>>;
}

export const DEFAULT_LINT: LintConfig = { mode: 'error', rules: {} };

/** `-- runbook:ignore rule-id[, rule-id] reason` on a line of its own before the statement. */
const IGNORE = /^[ \t]*--[ \t]*runbook:ignore[ \t]+([a-z0-9-]+(?:[ \t]*,[ \t]*[a-z0-9-]+)*)/gim;

function suppressed(s: Statement): Set<string> {
  const out = new Set<string>();
  for (const m of s.leading.matchAll(IGNORE)) {
    for (const id of m[1].split(',')) out.add(id.trim());
  }
  return out;
}

function excerpt(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 100 ? `${one.slice(0, 99)}…` : one;
}

/**
 * Lints each source with the PostgreSQL parser (loaded on first use). A source the parser
 * cannot read is a `parse-error` finding naming the file and line: never a crash, never a pass.
 */
export async function lintSources(
  sources: readonly LintSource[],
  config: LintConfig = DEFAULT_LINT,
): Promise<LintFinding[]> {
  if (config.mode === 'off') return [];
  const findings: LintFinding[] = [];
  for (const src of sources) {
    const map = src.mapLine ?? ((n: number) => n);
    let statements: Statement[];
    try {
      statements = await splitPostgres(src.sql, src.file);
    } catch (err) {
      if (!(err instanceof SqlParseError)) throw err;
      findings.push({
        rule: 'parse-error',
        severity: 'error',
        file: src.file,
        line: map(err.line),
        excerpt: '',
        why: err.message,
        fix: 'Fix the syntax (the linter uses the PostgreSQL 18 parser); nothing in this file was linted.',
      });
      continue;
    }
    for (const h of analyze(statements, src.startsInTransaction)) {
      if (suppressed(h.statement).has(h.rule)) continue;
      const rule = ruleById(h.rule);
      const configured = config.rules[h.rule];
      if (!rule || configured === 'off') continue;
      findings.push({
        rule: h.rule,
        severity: config.mode === 'warning' ? 'warning' : (configured ?? rule.severity),
        file: src.file,
        line: map(h.statement.line),
        excerpt: excerpt(h.statement.text),
        table: h.table,
        detail: h.detail,
        why: rule.why,
        fix: rule.fix,
      });
    }
  }
  return findings;
}

/** Errors first, then the biggest tables, then file order. */
export function rankFindings(findings: readonly LintFinding[]): LintFinding[] {
  return [...findings].sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      (b.bytes ?? -1) - (a.bytes ?? -1) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line,
  );
}

/**
 * Parses `lint-rules`: `rule-id: off | warning | error` entries, newline or comma separated.
 * Returns an error text naming the bad entry, or the map.
 */
export function parseLintRules(text: string): Record<string, Severity | 'off'> | string {
  const out: Record<string, Severity | 'off'> = {};
  for (const raw of text.split(/[\n,]/)) {
    const entry = raw.trim();
    if (entry === '' || entry.startsWith('#')) continue;
    const m = /^([a-z0-9-]+)\s*[:=]\s*(off|warning|error)$/.exec(entry);
    if (!m) return `'${entry}' is not <rule-id>: off | warning | error`;
    if (!RULE_IDS.has(m[1]))
      return `'${m[1]}' is not a lint rule (see actions/migrate/README.md, Lint)`;
    out[m[1]] = m[2] as Severity | 'off';
  }
  return out;
}
