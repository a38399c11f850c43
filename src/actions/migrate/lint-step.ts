import * as core from '@actions/core';
import { UserError } from '../../kit/errors.js';
import { formatSize } from '../../kit/sizes.js';
import { setOutput } from '../../kit/run-action.js';
import { escapeHtml, heading, raw, resultTable } from '../../kit/summary.js';
import type { Plan, ToolContext } from '../../migrations/index.js';
import type { LintFinding } from '../../migrations/lint/index.js';
import type { MigrateSettings } from './settings.js';

export interface LintOutcome {
  findings: LintFinding[];
  /** why nothing was linted (engine, lint: off) */
  skipped?: string;
  /** the live context could not be read */
  contextError?: string;
}

/**
 * Lints what `plan` says the release will run (PostgreSQL only), adds each table's size
 * from the live database, and reports: annotations at file:line, output `lint-findings`.
 * The parser and rules load only here, on check and plan.
 */
export async function lintPlan(
  s: MigrateSettings,
  ctx: ToolContext,
  plan: Plan,
  workspace: string,
  /** check: error findings fail the step and are error annotations; plan only reports */
  failing: boolean,
): Promise<LintOutcome> {
  const skipped = lintSkipReason(s);
  if (skipped) return lintSkipped(skipped);
  const lint = await import('../../migrations/lint/index.js');
  const { lintSourcesFor } = await import('../../migrations/lint/sources.js');
  const sources = lintSourcesFor(s.tool, ctx, plan, workspace);
  const findings = await lint.lintSources(sources, s.sql.lint);
  let contextError: string | undefined;
  if (s.database && findings.length) {
    const { addTableContext } = await import('../../migrations/lint/context.js');
    contextError = await addTableContext(s.database, findings);
    if (contextError) core.warning(`lint: table sizes not read: ${contextError}`);
  }
  const ranked = lint.rankFindings(findings);
  for (const f of ranked) {
    const size = f.bytes === undefined ? '' : ` on ${f.table} (${sizeText(f)})`;
    const props = { title: `migrate lint: ${f.rule}`, file: f.file, startLine: f.line };
    const text = `${f.rule}${size}: ${f.why} Fix: ${f.fix}`;
    if (f.severity === 'error' && failing) core.error(text, props);
    else core.warning(text, props);
  }
  return done({ findings: ranked, contextError });
}

/** Why lint does not run for these settings (before asking the tool for a plan). */
export function lintSkipReason(s: MigrateSettings): string | undefined {
  if (s.sql.lint.mode === 'off') return 'lint: off';
  if (s.tool === 'command') return 'the command tool does not tell which SQL it runs: not linted';
  if (s.database && s.database.engine !== 'postgres')
    return `the linter is PostgreSQL-only for now; not run on ${s.database.engine}`;
  return undefined;
}

export function lintSkipped(reason: string): LintOutcome {
  return done({ findings: [], skipped: reason });
}

function done(o: LintOutcome): LintOutcome {
  setOutput('lint-findings', o.findings);
  return o;
}

function sizeText(f: LintFinding): string {
  const parts: string[] = [];
  if (f.rows !== undefined) parts.push(`~${f.rows.toLocaleString('en-US')} rows`);
  if (f.bytes !== undefined) parts.push(formatSize(f.bytes));
  return parts.join(', ');
}

/** check fails on error findings when `lint: error`. */
export function lintFailure(o: LintOutcome): UserError | undefined {
  const errors = o.findings.filter((f) => f.severity === 'error');
  if (!errors.length) return undefined;
  const list = errors
    .slice(0, 5)
    .map((f) => `${f.rule} at ${f.file}:${f.line}`)
    .join(', ');
  return new UserError(
    `lint found ${errors.length} problem(s) that lock or break production: ${list}${errors.length > 5 ? ', …' : ''} (see the annotations; suppress one with -- runbook:ignore <rule> <reason>, or set lint-rules / lint: warning)`,
  );
}

/** The lint section of the job summary: rule, file:line, statement, table size, fix. */
export function writeLintSummary(o: LintOutcome | undefined): void {
  if (!o) return;
  if (o.skipped) {
    heading('Lint', 3);
    raw(`${escapeHtml(o.skipped)}\n`);
    return;
  }
  heading(`Lint: ${o.findings.length ? `${o.findings.length} finding(s)` : 'no findings'}`, 3);
  if (!o.findings.length) return;
  resultTable(
    ['Rule', 'Where', 'Statement', 'Table size', 'Fix'],
    o.findings.map((f) => [
      `${f.severity === 'error' ? '❌' : '⚠️'} ${f.rule}`,
      `${f.file}:${f.line}`,
      f.excerpt,
      f.table ? `${f.table}${f.bytes === undefined ? '' : ` (${sizeText(f)})`}` : undefined,
      f.fix,
    ]),
  );
}
