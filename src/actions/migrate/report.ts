import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../../kit/durations.js';
import { redact } from '../../kit/secrets.js';
import {
  details,
  escapeHtml,
  heading,
  keyValueTable,
  raw,
  resultTable,
  type Cell,
} from '../../kit/summary.js';
import type { AppliedMigration, Finding, MigrationState } from '../../migrations/types.js';
import { writeLintSummary, type LintOutcome } from './lint-step.js';
import { writeSchemaSummary } from './schema-step.js';
import type { SchemaProblem } from '../../migrations/expect-schema.js';

const PREVIEW_LIMIT = 60_000;

/** Writes the plan file (temporary name, then rename) and returns its path. */
export function writePlanFile(
  dir: string,
  tool: string,
  pending: readonly string[],
  preview: string | undefined,
): string {
  const outDir = join(dir, 'migrate');
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `plan-${tool}.sql`);
  const header = [
    `-- migrate plan (${tool}): ${pending.length} pending migration(s)`,
    ...pending.map((p) => `--   ${p}`),
    '',
  ].join('\n');
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${header}\n${redact(preview ?? '-- (no SQL preview)\n')}`);
  renameSync(tmp, path);
  return path;
}

export function stateText(s: MigrationState | undefined): string | undefined {
  return s === undefined ? undefined : JSON.stringify(s);
}

export interface SummaryData {
  tool: string;
  mode: string;
  database?: string;
  target?: string;
  previous?: MigrationState;
  current?: MigrationState;
  applied?: AppliedMigration[];
  toApply?: string[];
  pending?: string[];
  preview?: string;
  planPath?: string;
  findings?: Finding[];
  backup?: string;
  lockWaitedMs?: number;
  durationMs: number;
  failure?: string;
  lint?: LintOutcome;
  /** expect-schema's problems (empty: all as expected) */
  schema?: SchemaProblem[];
}

export function writeSummary(d: SummaryData): void {
  heading(`migrate: ${d.mode} (${d.tool})${d.failure ? ' — failed' : ''}`);
  const rows: Array<[string, Cell]> = [
    ['Tool', d.tool],
    ['Database', d.database],
    ['Target', d.target ?? 'latest'],
    ['Previous state', stateText(d.previous)],
    ['Current state', stateText(d.current)],
    ['Applied', d.applied?.length],
    ['Pending', d.pending?.length],
  ];
  if (d.backup) rows.push(['Backup', d.backup]);
  if (d.lockWaitedMs !== undefined) rows.push(['Lock waited', formatDuration(d.lockWaitedMs)]);
  if (d.planPath) rows.push(['Plan file', d.planPath]);
  rows.push(['Duration', formatDuration(d.durationMs)]);
  if (d.failure) rows.push(['Error', d.failure]);
  keyValueTable(rows);
  if (d.applied?.length) {
    heading('Applied', 3);
    resultTable(
      ['#', 'Migration', 'Duration'],
      d.applied.map((a, i) => [
        i + 1,
        a.name,
        a.durationMs === undefined ? undefined : formatDuration(a.durationMs),
      ]),
    );
  }
  if (d.toApply) {
    heading(`Plan: ${d.toApply.length} migration(s) to apply`, 3);
    if (d.toApply.length)
      resultTable(
        ['#', 'Migration'],
        d.toApply.map((m, i) => [i + 1, m]),
      );
    else raw('Nothing to apply: the database is up to date.\n');
  }
  if (d.pending?.length && !d.toApply) {
    heading('Pending', 3);
    resultTable(
      ['#', 'Migration'],
      d.pending.map((m, i) => [i + 1, m]),
    );
  }
  if (d.preview) {
    const text =
      d.preview.length > PREVIEW_LIMIT
        ? `${d.preview.slice(0, PREVIEW_LIMIT)}\n-- ... truncated; the whole plan is in plan-path`
        : d.preview;
    details(
      `SQL preview (${d.preview.split('\n').length} lines)`,
      `\n\n<pre><code>${escapeHtml(redact(text))}</code></pre>\n\n`,
    );
  }
  writeLintSummary(d.lint);
  writeSchemaSummary(d.schema);
  if (d.findings) {
    heading(`Check: ${d.findings.length ? `${d.findings.length} problem(s)` : 'no problems'}`, 3);
    if (d.findings.length)
      resultTable(
        ['Problem', 'Details'],
        d.findings.map((f) => [f.code, f.message]),
      );
  }
}
