import { formatDuration } from '../../kit/durations.js';
import { formatSize } from '../../kit/sizes.js';
import { escapeHtml, flush, heading, keyValueTable, raw, resultTable } from '../../kit/summary.js';
import type { Target } from '../../rollback/plan.js';

export type StepStatus = 'planned' | 'done' | 'failed' | 'skipped' | 'cancelled';

export interface StepReport {
  target: Target;
  /** what the step does (the plan line) */
  plan: string;
  status: StepStatus;
  /** what happened, one line */
  detail?: string;
  durationMs?: number;
}

/** One image of an `images` rollback, a line of the summary. */
export interface ImageLine {
  name: string;
  /** image:promote-tag */
  tag: string;
  from: string | undefined;
  to: string;
  result: 'skipped' | 'moved' | 'already there';
}

export interface Report {
  dryRun: boolean;
  targets: Target[];
  steps: StepReport[];
  rolledBack: Target[];
  imageDigest?: string;
  /** with the `images` input: one line per image */
  images?: ImageLine[];
  restoredFrom?: string;
  backupSha256?: string;
  backupSize?: number;
  safetyBackupPath?: string;
  /** how the safety backup is stored: `unencrypted` or its age recipients' fingerprints */
  safetyBackupEncryption?: string;
  tables?: Array<[string, number | undefined, number | undefined]>;
  extraTables?: string[];
  extraTablesKeptIn?: string;
  restoreMethod?: string;
  /** the replaced database (or SQLite file) kept as an undo */
  replaced?: string;
  warnings?: string[];
  /** the part running now (for a cancellation message) */
  current?: Target;
  cancelled?: boolean;
  error?: string;
  durationMs: number;
}

const MARK: Record<StepStatus, string> = {
  planned: 'planned (dry run)',
  done: '✅ done',
  failed: '❌ failed',
  skipped: '⏭️ not reached',
  cancelled: '⏹️ cancelled',
};

export async function writeSummary(r: Report): Promise<void> {
  heading(`rollback${r.dryRun ? ' (dry run: nothing changed)' : ''}`);
  if (r.error) raw(`<p>❌ ${escapeHtml(r.error)}</p>`);
  keyValueTable([
    ['Targets (in order)', r.targets.join(' → ')],
    ['Rolled back', r.rolledBack.length ? r.rolledBack.join(', ') : 'nothing'],
    // with several images, the Images table below says it per image
    ['Image digest', r.images ? undefined : r.imageDigest],
    ['Restored from', r.restoredFrom],
    ['Backup sha256', r.backupSha256],
    ['Backup size', r.backupSize === undefined ? undefined : formatSize(r.backupSize)],
    [
      'Safety backup',
      r.safetyBackupPath && `${r.safetyBackupPath} (${r.safetyBackupEncryption ?? 'unencrypted'})`,
    ],
    ['Restore', r.restoreMethod],
    ['Replaced database kept as', r.replaced],
    ['Cancelled', r.cancelled ? 'yes: the parts above marked done were completed' : undefined],
    ['Duration', formatDuration(r.durationMs)],
  ]);
  resultTable(
    ['Target', 'Plan', 'Result', 'Duration'],
    r.steps.map((s) => [
      s.target,
      s.plan,
      `${MARK[s.status]}${s.detail ? `: ${s.detail}` : ''}`,
      s.durationMs === undefined ? undefined : formatDuration(s.durationMs),
    ]),
  );
  if (r.images) {
    heading('Images', 3);
    resultTable(
      ['Name', 'Tag', 'From', 'To', 'Result'],
      r.images.map((x) => [
        x.name,
        x.tag,
        x.from ?? '(no such tag)',
        x.to,
        x.result === 'skipped' ? (r.dryRun ? 'planned (dry run)' : 'not moved') : x.result,
      ]),
    );
  }
  if (r.tables && r.tables.length > 0) {
    heading('Row counts after the restore', 3);
    resultTable(
      ['Table', 'Backup', 'Now'],
      r.tables.map(([t, a, b]) => [t, a, b]),
    );
  }
  if (r.extraTables && r.extraTables.length > 0) {
    raw(
      `<p>Tables that existed but are not in the backup (created after it): ${r.extraTables.map(escapeHtml).join(', ')} — kept in ${escapeHtml(r.extraTablesKeptIn ?? 'the safety backup')}.</p>`,
    );
  }
  for (const w of r.warnings ?? []) raw(`<p>⚠️ ${escapeHtml(w)}</p>`);
  await flush();
}
