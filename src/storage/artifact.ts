import { mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError, errorMessage } from '../kit/errors.js';
import { redact } from '../kit/secrets.js';
import { manifestFileName, parseManifest, type BackupManifest } from '../db/manifest.js';
import { sha256Backup } from '../db/manifest-hash.js';

/**
 * Backups as GitHub Actions artifacts (@actions/artifact, loaded only here).
 * A single-file backup is uploaded as it is (skipArchive: the artifact is named after the
 * file and holds its raw bytes); its manifest is a second raw artifact `<name>.manifest.json`.
 * A directory backup (pg_dump -Fd) is one zip artifact `<name>` holding the directory and
 * the manifest, stored without recompression.
 */

export interface UploadedBackup {
  /** the backup's artifact */
  id: number;
  artifactName: string;
  size: number;
  manifestArtifactId: number | undefined;
}

/** Where to look for an artifact of another workflow run (rollback from a dispatch). */
export interface ArtifactFindBy {
  token: string;
  workflowRunId: number;
  repositoryOwner: string;
  repositoryName: string;
}

async function client(): Promise<import('@actions/artifact').ArtifactClient> {
  const { DefaultArtifactClient } = await import('@actions/artifact');
  return new DefaultArtifactClient();
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

export async function uploadBackupArtifact(opts: {
  name: string;
  backupPath: string;
  manifestPath: string;
  retentionDays?: number;
}): Promise<UploadedBackup> {
  const c = await client();
  const root = dirname(opts.backupPath);
  const isDirectory = (await stat(opts.backupPath)).isDirectory();
  try {
    if (isDirectory) {
      const files = [...(await filesUnder(opts.backupPath)), opts.manifestPath];
      const r = await c.uploadArtifact(opts.name, files, root, {
        retentionDays: opts.retentionDays,
        compressionLevel: 0,
      });
      if (r.id === undefined) throw new Error('the service returned no artifact id');
      return { id: r.id, artifactName: opts.name, size: r.size ?? 0, manifestArtifactId: r.id };
    }
    const backup = await c.uploadArtifact(basename(opts.backupPath), [opts.backupPath], root, {
      retentionDays: opts.retentionDays,
      skipArchive: true,
    });
    const manifest = await c.uploadArtifact(
      basename(opts.manifestPath),
      [opts.manifestPath],
      dirname(opts.manifestPath),
      {
        retentionDays: opts.retentionDays,
        skipArchive: true,
      },
    );
    if (backup.id === undefined) throw new Error('the service returned no artifact id');
    return {
      id: backup.id,
      artifactName: basename(opts.backupPath),
      size: backup.size ?? 0,
      manifestArtifactId: manifest.id,
    };
  } catch (err) {
    throw new UserError(`uploading the backup as an artifact failed: ${redact(errorMessage(err))}`);
  }
}

/** Downloads one artifact into a fresh directory under `parent` and returns that directory. */
async function downloadInto(
  c: import('@actions/artifact').ArtifactClient,
  artifactName: string,
  parent: string,
  findBy: ArtifactFindBy | undefined,
): Promise<string> {
  const { artifact } = await c.getArtifact(artifactName, findBy ? { findBy } : undefined);
  const dir = await mkdtemp(join(parent, '.download-'));
  await c.downloadArtifact(artifact.id, { path: dir, ...(findBy ? { findBy } : {}) });
  return dir;
}

/**
 * Fetches a backup uploaded by uploadBackupArtifact into `destDir` and checks its sha256
 * against the manifest. `name` is backup-db's `name` output.
 */
export async function downloadBackupArtifact(
  name: string,
  destDir: string,
  findBy?: ArtifactFindBy,
): Promise<{ manifest: BackupManifest; manifestPath: string; backupPath: string }> {
  const c = await client();
  const manifestName = manifestFileName(name);
  let manifestPath: string;
  let manifest: BackupManifest;
  try {
    let zipped: string | undefined;
    let manifestDir: string;
    try {
      manifestDir = await downloadInto(c, manifestName, destDir, findBy);
    } catch {
      // a directory backup: one zip artifact named <name> holding both
      zipped = await downloadInto(c, name, destDir, findBy);
      manifestDir = zipped;
    }
    const found =
      (await filesUnder(manifestDir)).find((f) => basename(f) === manifestName) ??
      (await filesUnder(manifestDir))[0];
    if (!found) throw new Error(`artifact ${manifestName} is empty`);
    manifest = parseManifest(await readFile(found, 'utf8'));
    manifestPath = join(destDir, manifestName);
    await rename(found, manifestPath);
    const backupPath = join(destDir, manifest.file);
    if (zipped) {
      await rename(join(zipped, manifest.file), backupPath);
      await rm(zipped, { recursive: true, force: true });
    } else {
      await rm(manifestDir, { recursive: true, force: true });
      const dir = await downloadInto(c, manifest.file, destDir, findBy);
      const files = await filesUnder(dir);
      if (files.length !== 1)
        throw new Error(`artifact ${manifest.file} holds ${files.length} files, expected 1`);
      await rename(files[0], backupPath);
      await rm(dir, { recursive: true, force: true });
    }
    const actual = await sha256Backup(backupPath);
    if (actual.sha256 !== manifest.sha256) {
      throw new Error(
        `sha256 of ${manifest.file} is ${actual.sha256}, the manifest says ${manifest.sha256}`,
      );
    }
    return { manifest, manifestPath, backupPath };
  } catch (err) {
    throw new UserError(
      `downloading backup artifact '${name}' failed: ${redact(errorMessage(err))}`,
    );
  }
}
