import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError, errorMessage } from '../kit/errors.js';
import { scanDecompressed, storedAsManifest } from '../db/compression.js';
import { looksEncrypted } from '../db/encryption.js';
import { parseManifest, type BackupManifest } from '../db/manifest.js';
import { sha256Backup } from '../db/manifest-hash.js';
import type { DatabaseTarget } from '../db/url.js';
import type { ArtifactFindBy } from '../storage/artifact.js';

/** Where the backup to restore comes from (one of the three inputs). */
export type BackupSource =
  | { kind: 'manifest'; path: string }
  | { kind: 'artifact'; name: string; findBy?: ArtifactFindBy }
  | { kind: 'cache'; key: string };

export interface VerifiedBackup {
  manifest: BackupManifest;
  manifestPath: string;
  /** the backup file or directory, beside the manifest */
  backupPath: string;
  /** how it was found, for the summary */
  origin: string;
}

export function describeSource(s: BackupSource): string {
  if (s.kind === 'manifest') return `manifest ${s.path}`;
  if (s.kind === 'artifact')
    return `artifact ${s.name}${s.findBy ? ` of run ${s.findBy.workflowRunId}` : ''}`;
  return `cache key ${s.key}`;
}

/** Fetches the backup when it is an artifact or a cache entry (the SDKs load only here). */
async function fetchBackup(
  source: BackupSource,
  downloadDir: string,
): Promise<{ manifestPath: string }> {
  if (source.kind === 'manifest') return { manifestPath: source.path };
  if (source.kind === 'artifact') {
    const { downloadBackupArtifact } = await import('../storage/artifact.js');
    return downloadBackupArtifact(source.name, downloadDir, source.findBy);
  }
  const { restoreBackupCache } = await import('../storage/cache.js');
  return restoreBackupCache(source.key, downloadDir);
}

/**
 * The manifest and its backup, checked before anything is changed: the file's sha256 and
 * size match the manifest, and the backup is of the same engine and database as the target.
 */
export async function loadVerifiedBackup(
  source: BackupSource,
  target: DatabaseTarget,
  downloadDir: string,
  decryptIdentities?: string[],
): Promise<VerifiedBackup> {
  const { manifestPath } = await fetchBackup(source, downloadDir);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the backup manifest ${manifestPath}: ${errorMessage(err)}`);
  }
  let manifest: BackupManifest;
  try {
    manifest = parseManifest(text);
  } catch (err) {
    throw new UserError(`${manifestPath} is not a backup manifest: ${errorMessage(err)}`);
  }
  if (manifest.file.includes('/') || manifest.file === '..' || manifest.file === '.') {
    throw new UserError(`the manifest's file '${manifest.file}' is not a plain file name.`);
  }
  const problem = targetMismatch(manifest, target);
  if (problem) throw new UserError(problem);

  const backupPath = join(dirname(manifestPath), manifest.file);
  try {
    await stat(backupPath);
  } catch {
    throw new UserError(
      `the backup ${backupPath} named by the manifest does not exist; keep it beside its manifest.`,
    );
  }
  const actual = await sha256Backup(backupPath);
  if (actual.sha256 !== manifest.sha256 || actual.bytes !== manifest.size_bytes) {
    throw new UserError(
      `the backup ${manifest.file} does not match its manifest (sha256 ${actual.sha256}, ${actual.bytes} bytes; the manifest says ${manifest.sha256}, ${manifest.size_bytes} bytes); it was changed or damaged, nothing was restored.`,
    );
  }
  await checkDecryptable(manifest, backupPath, decryptIdentities);
  return { manifest, manifestPath, backupPath, origin: describeSource(source) };
}

/**
 * An encrypted backup is decrypted (and decompressed) whole to nowhere before anything is
 * changed: a wrong identity, a truncated or damaged ciphertext stops the rollback here,
 * not halfway through a restore.
 */
async function checkDecryptable(
  manifest: BackupManifest,
  backupPath: string,
  identities: string[] | undefined,
): Promise<void> {
  if ((await stat(backupPath)).isDirectory()) {
    if (manifest.encrypted)
      throw new UserError(
        `the manifest says ${manifest.file} is encrypted, but it is a directory.`,
      );
    return;
  }
  const age = await looksEncrypted(backupPath);
  if (age && !manifest.encrypted) {
    throw new UserError(
      `${manifest.file} is an age-encrypted file but its manifest does not say "encrypted": true; nothing was restored.`,
    );
  }
  if (!manifest.encrypted) return;
  if (!age) {
    throw new UserError(
      `the manifest says ${manifest.file} is encrypted, but it is not an age file; nothing was restored.`,
    );
  }
  const recipients = manifest.recipients?.length ? manifest.recipients.join(', ') : 'not recorded';
  if (!identities) {
    throw new UserError(
      `the backup ${manifest.file} is encrypted (age, recipients: ${recipients}) and decrypt-identity is not set; nothing was restored.`,
    );
  }
  try {
    await scanDecompressed(backupPath, storedAsManifest(manifest, identities), 0);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${err.message} Nothing was restored.`);
    throw new UserError(
      `the decrypted backup ${manifest.file} cannot be read whole (${errorMessage(err)}); nothing was restored.`,
    );
  }
}

/** Why a backup cannot be restored over the target, or undefined. */
export function targetMismatch(
  manifest: Pick<BackupManifest, 'engine' | 'database'>,
  target: DatabaseTarget,
): string | undefined {
  if (manifest.engine !== target.engine) {
    return `the backup is of a ${manifest.engine} database but database-url is ${target.engine}; restore it into the same engine.`;
  }
  if (manifest.database !== target.database) {
    return `the backup is of database '${manifest.database}' but database-url names '${target.database}'; a backup is restored only into the database it was taken from.`;
  }
  return undefined;
}
