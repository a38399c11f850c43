import { formatDuration } from '../../kit/durations.js';
import { formatSize } from '../../kit/sizes.js';
import { flush, heading, keyValueTable, raw, resultTable, type Cell } from '../../kit/summary.js';
import type { BackupProgress, BackupResult } from '../../db/backup.js';
import { recipientFingerprint } from '../../db/encryption.js';
import type { Settings } from './settings.js';

export interface UploadOutcome {
  kind: 'artifact' | 'cache' | 'none';
  detail: string;
}

const MAX_TABLE_ROWS = 200;

function compressionText(settings: Settings, result: BackupResult | undefined): string {
  const m = result?.manifest;
  const c = m?.compression ?? settings.backup.plan.compression;
  if (c === 'none') return 'none';
  const by =
    (m?.compressed_by ?? settings.backup.plan.compressedBy) === 'tool'
      ? 'inside the archive'
      : 'stream';
  return `${c} level ${settings.backup.plan.level ?? '-'} (${by})`;
}

function encryptionText(settings: Settings, result: BackupResult | undefined): string {
  const to = settings.backup.plan.encryptTo ?? [];
  if (to.length === 0) return 'none';
  const fps = result?.manifest.recipients ?? to.map(recipientFingerprint);
  return `age v1 to ${fps.length} recipient(s): ${fps.join(', ')}`;
}

/** The job-summary section: what was backed up, how it was checked, where it went. Never the URL. */
export async function writeSummary(s: {
  settings: Settings;
  progress: BackupProgress;
  result: BackupResult | undefined;
  upload: UploadOutcome | undefined;
  durationMs: number;
  error?: string;
}): Promise<void> {
  const { settings, progress, result } = s;
  const m = result?.manifest;
  heading(s.error ? 'Database backup failed' : 'Database backup');
  if (s.error) raw(`<p><strong>Error:</strong> ${escape(s.error)}</p>`);
  const tables = m ? Object.entries(m.tables) : [];
  const totalRows = tables.reduce((n, [, rows]) => n + rows, 0);
  const rows: Array<[string, Cell]> = [
    ['Engine', progress.engine ?? settings.backup.target.engine],
    ['Database', progress.database ?? settings.backup.target.database],
    ['Server version', progress.serverVersion],
    ['Client', m?.client_version],
    ['Format', progress.format ?? settings.backup.plan.format],
    ['Compression', compressionText(settings, result)],
    ['Encryption', encryptionText(settings, result)],
    ['File', m ? result?.path : undefined],
    ['Size', m ? `${formatSize(m.size_bytes)} (${m.size_bytes} bytes)` : undefined],
    ['SHA-256', m?.sha256],
    ['Tables', m ? `${tables.length} (${totalRows} rows)` : undefined],
    [
      'Verification',
      result
        ? `${settings.backup.verify}: ${result.checks.join('; ')}`
        : `${settings.backup.verify}: not passed`,
    ],
    ['Upload', s.upload?.detail ?? (result ? `${settings.upload}: not done` : 'not reached')],
    ['Duration', formatDuration(s.durationMs)],
  ];
  keyValueTable(rows);
  if (m && tables.length > 0) {
    const shown = tables.slice(0, MAX_TABLE_ROWS).map(([name, n]) => [name, n] as Cell[]);
    if (tables.length > MAX_TABLE_ROWS)
      shown.push([`… and ${tables.length - MAX_TABLE_ROWS} more`, '']);
    heading('Row counts', 3);
    resultTable(['Table', 'Rows'], shown);
  }
  await flush();
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
