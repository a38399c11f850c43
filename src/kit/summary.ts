import * as core from '@actions/core';
import { redact } from './secrets.js';

/** One cell of a summary table; strings are redacted and escaped by the helpers. */
export type Cell = string | number | boolean | undefined | null;

function cell(value: Cell): string {
  if (value === undefined || value === null || value === '') return '—';
  return escapeHtml(redact(String(value)));
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function heading(text: string, level: 1 | 2 | 3 | 4 = 2): void {
  core.summary.addHeading(escapeHtml(redact(text)), level);
}

/** A two-column table of figures: [['Engine', 'postgres'], ['Size', '12 MiB']]. */
export function keyValueTable(rows: ReadonlyArray<readonly [string, Cell]>): void {
  core.summary.addTable([
    [
      { data: 'Item', header: true },
      { data: 'Value', header: true },
    ],
    ...rows.map(([k, v]) => [escapeHtml(k), cell(v)]),
  ]);
}

/** A table with a header row and one row per result. */
export function resultTable(
  headers: readonly string[],
  rows: ReadonlyArray<readonly Cell[]>,
): void {
  core.summary.addTable([
    headers.map((h) => ({ data: escapeHtml(h), header: true })),
    ...rows.map((r) => r.map(cell)),
  ]);
}

/** Raw text (markdown or HTML) — redacted but not escaped; the caller escapes what it built. */
export function raw(text: string): void {
  core.summary.addRaw(redact(text), true);
}

export function details(label: string, content: string): void {
  core.summary.addDetails(escapeHtml(label), redact(content));
}

export function codeBlock(code: string, lang?: string): void {
  core.summary.addCodeBlock(redact(code), lang);
}

/** Writes what was added; never fails the action when the summary file is missing. */
export async function flush(): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.summary.emptyBuffer();
    return;
  }
  try {
    await core.summary.write();
  } catch (err) {
    core.warning(
      `could not write the job summary: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
