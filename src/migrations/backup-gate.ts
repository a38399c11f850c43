import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError, errorMessage } from '../kit/errors.js';
import { formatDuration } from '../kit/durations.js';
import { parseManifest, type BackupManifest } from '../db/manifest.js';
import { sha256Backup } from '../db/manifest-hash.js';
import type { DatabaseTarget } from '../db/url.js';

export interface BackupGateResult {
  manifestPath: string;
  backupPath: string;
  manifest: BackupManifest;
  ageMs: number;
}

/**
 * apply's precondition: a backup-db manifest of this database, younger than maxAgeMs,
 * whose backup file still has the sha256 the manifest recorded. Throws a UserError
 * naming what is wrong; reads only.
 */
export async function checkBackupGate(
  manifestPath: string | undefined,
  target: DatabaseTarget,
  maxAgeMs: number,
  now: Date = new Date(),
): Promise<BackupGateResult> {
  const refuse = (why: string): UserError =>
    new UserError(
      `backup gate: ${why}. apply needs a fresh backup of this database (run backup-db first and pass its manifest-path as backup-manifest, or set require-backup: false)`,
    );
  if (!manifestPath) throw refuse('no backup-manifest was given');
  const path = resolve(manifestPath);
  if (!existsSync(path)) throw refuse(`the manifest ${path} does not exist`);
  let manifest: BackupManifest;
  try {
    manifest = parseManifest(readFileSync(path, 'utf8'));
  } catch (err) {
    throw refuse(`the manifest ${path} is not a backup manifest: ${errorMessage(err)}`);
  }
  if (manifest.engine !== target.engine) {
    throw refuse(
      `the manifest is of a ${manifest.engine} database, but database-url is ${target.engine}`,
    );
  }
  if (manifest.database !== target.database) {
    throw refuse(`the manifest is of database '${manifest.database}', not of '${target.database}'`);
  }
  const ageMs = now.getTime() - Date.parse(manifest.created_at);
  if (ageMs > maxAgeMs) {
    throw refuse(
      `the backup was made ${formatDuration(ageMs)} ago (${manifest.created_at}), older than max-backup-age ${formatDuration(maxAgeMs)}`,
    );
  }
  const backupPath = resolve(dirname(path), manifest.file);
  if (!existsSync(backupPath))
    throw refuse(`the backup file ${backupPath} named by the manifest does not exist`);
  const actual = await sha256Backup(backupPath);
  if (actual.sha256 !== manifest.sha256) {
    throw refuse(
      `the backup file ${backupPath} was modified: its sha256 is ${actual.sha256}, the manifest recorded ${manifest.sha256}`,
    );
  }
  return { manifestPath: path, backupPath, manifest, ageMs };
}
