import type { DatabaseTarget } from '../../db/url.js';
import { loadVerifiedBackup } from '../../rollback/backup-source.js';
import { restoreBackup, type RestoreResult } from '../../rollback/restore.js';

/**
 * The one place the runbook calls rollback's restore (src/rollback/restore.ts): the backup
 * is checked against its manifest first, then restored over the live database.
 */
export async function restoreFromManifest(opts: {
  target: DatabaseTarget;
  manifestPath: string;
  scratchDir: string;
  timeoutMs: number;
  log: (line: string) => void;
}): Promise<RestoreResult & { file: string; expected: Record<string, number> }> {
  const b = await loadVerifiedBackup(
    { kind: 'manifest', path: opts.manifestPath },
    opts.target,
    opts.scratchDir,
  );
  const r = await restoreBackup({
    target: opts.target,
    manifest: b.manifest,
    backupPath: b.backupPath,
    connectTimeoutMs: 10_000,
    timeoutMs: opts.timeoutMs,
    log: opts.log,
  });
  return { ...r, file: b.backupPath, expected: b.manifest.tables };
}
