import { cp, link, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UserError, errorMessage } from '../kit/errors.js';
import { redact } from '../kit/secrets.js';
import { parseManifest, type BackupManifest } from '../db/manifest.js';
import { sha256Backup } from '../db/manifest-hash.js';

/**
 * Backups in the GitHub Actions cache (@actions/cache, loaded only here).
 * The cache's version hashes the path strings it was saved with, and its tar is rooted at
 * the workspace, so every save and restore uses the same relative staging directory:
 * the backup and its manifest are linked into `<workspace>/.runbook-db-backup/`, saved,
 * and the staging directory removed. Restoring needs only the key.
 */
export const CACHE_STAGING_DIR = '.runbook-db-backup';

function workspace(): string {
  return process.cwd();
}

async function linkOrCopy(src: string, dest: string): Promise<void> {
  try {
    await link(src, dest);
  } catch {
    await cp(src, dest, { recursive: true });
  }
}

/** Cache keys: at most 512 characters, no commas (the cache service's rules). */
export function cacheKeyProblem(key: string): string | undefined {
  if (key.length > 512) return 'is longer than 512 characters';
  if (key.includes(',')) return 'contains a comma';
  return undefined;
}

export async function saveBackupCache(opts: {
  key: string;
  backupPath: string;
  manifestPath: string;
}): Promise<number> {
  const stage = join(workspace(), CACHE_STAGING_DIR);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  try {
    await linkOrCopy(opts.backupPath, join(stage, basename(opts.backupPath)));
    await linkOrCopy(opts.manifestPath, join(stage, basename(opts.manifestPath)));
    const cache = await import('@actions/cache');
    let id: number;
    try {
      id = await cache.saveCache([CACHE_STAGING_DIR], opts.key);
    } catch (err) {
      throw new UserError(`saving the backup to the cache failed: ${redact(errorMessage(err))}`);
    }
    if (id === -1) {
      throw new UserError(
        `saving the backup to the cache under key '${opts.key}' failed (see the warning above; a key can be saved only once).`,
      );
    }
    return id;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** Restores a cached backup into `destDir` and checks its sha256 against the manifest. */
export async function restoreBackupCache(
  key: string,
  destDir: string,
): Promise<{ manifest: BackupManifest; manifestPath: string; backupPath: string }> {
  const stage = join(workspace(), CACHE_STAGING_DIR);
  await rm(stage, { recursive: true, force: true });
  try {
    const cache = await import('@actions/cache');
    let hit: string | undefined;
    try {
      hit = await cache.restoreCache([CACHE_STAGING_DIR], key);
    } catch (err) {
      throw new UserError(
        `restoring the backup from the cache failed: ${redact(errorMessage(err))}`,
      );
    }
    if (hit === undefined) throw new UserError(`no cache entry has the key '${key}'.`);
    const manifestName = (await readdir(stage)).find((f) => f.endsWith('.manifest.json'));
    if (!manifestName) throw new UserError(`the cache entry '${key}' holds no backup manifest.`);
    const manifest = parseManifest(await readFile(join(stage, manifestName), 'utf8'));
    await mkdir(destDir, { recursive: true });
    const manifestPath = join(destDir, manifestName);
    const backupPath = join(destDir, manifest.file);
    await rename(join(stage, manifestName), manifestPath);
    await rename(join(stage, manifest.file), backupPath);
    const actual = await sha256Backup(backupPath);
    if (actual.sha256 !== manifest.sha256) {
      throw new UserError(
        `the cached backup ${manifest.file} has sha256 ${actual.sha256}, the manifest says ${manifest.sha256}.`,
      );
    }
    return { manifest, manifestPath, backupPath };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
