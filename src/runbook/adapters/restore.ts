import type { DatabaseTarget } from '../../db/url.js';
import { restoreLive, type LiveRestoreResult } from '../../db/live-restore.js';
import { loadVerifiedBackup } from '../../rollback/backup-source.js';

/**
 * The one place the runbook calls the restore that rollback uses (src/db/live-restore.ts):
 * the backup is checked against its manifest first, then restored over the live database —
 * swapped in where the user can create databases, else in place (docs/architecture.md).
 */
export async function restoreFromManifest(opts: {
  target: DatabaseTarget;
  manifestPath: string;
  scratchDir: string;
  timeoutMs: number;
  log: (line: string) => void;
  decryptIdentities?: string[];
}): Promise<LiveRestoreResult & { file: string; expected: Record<string, number> }> {
  const b = await loadVerifiedBackup(
    { kind: 'manifest', path: opts.manifestPath },
    opts.target,
    opts.scratchDir,
    opts.decryptIdentities,
  );
  const r = await restoreLive({
    target: opts.target,
    manifest: b.manifest,
    backupPath: b.backupPath,
    connectTimeoutMs:
      opts.target.engine === 'sqlite' ? 10_000 : (opts.target.connectTimeoutMs ?? 10_000),
    timeoutMs: opts.timeoutMs,
    mode: 'auto',
    // the release's own rollback: the replaced database is not kept (the backup is)
    keepReplaced: false,
    // the runbook's own cancellation is its post step: a restore it starts runs to the end
    stop: { requested: false, onRequest: () => () => undefined },
    now: new Date(),
    decryptIdentities: opts.decryptIdentities,
    log: opts.log,
  });
  for (const w of r.warnings) opts.log(`warning: ${w}`);
  return { ...r, file: b.backupPath, expected: b.manifest.tables };
}
