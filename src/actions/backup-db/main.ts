import * as core from '@actions/core';
import { errorMessage } from '../../kit/errors.js';
import { runAction, setOutput } from '../../kit/run-action.js';
import { runBackup, type BackupProgress, type BackupResult } from '../../db/backup.js';
import { readSettings, type Settings } from './settings.js';
import { writeSummary, type UploadOutcome } from './summary.js';

async function upload(settings: Settings, result: BackupResult): Promise<UploadOutcome> {
  if (settings.upload === 'artifact') {
    const { uploadBackupArtifact } = await import('../../storage/artifact.js');
    const r = await uploadBackupArtifact({
      name: nameOf(result),
      backupPath: result.path,
      manifestPath: result.manifestPath,
      retentionDays: settings.retentionDays,
    });
    setOutput('artifact-id', r.id);
    return { kind: 'artifact', detail: `artifact ${r.artifactName} (id ${r.id})` };
  }
  if (settings.upload === 'cache') {
    const { saveBackupCache } = await import('../../storage/cache.js');
    const key = settings.cacheKey ?? `runbook-db-backup-${nameOf(result)}`;
    const id = await saveBackupCache({
      key,
      backupPath: result.path,
      manifestPath: result.manifestPath,
    });
    setOutput('cache-key', key);
    return { kind: 'cache', detail: `cache key ${key} (id ${id})` };
  }
  return { kind: 'none', detail: `none (${settings.uploadReason})` };
}

function nameOf(result: BackupResult): string {
  return result.manifestPath.replace(/^.*\//, '').replace(/\.manifest\.json$/, '');
}

function setKnownOutputs(p: BackupProgress): void {
  if (p.engine) setOutput('engine', p.engine);
  if (p.name) setOutput('name', p.name);
  if (p.format) setOutput('format', p.format);
  if (p.serverVersion) setOutput('server-version', p.serverVersion);
}

export async function run(): Promise<void> {
  await runAction(async () => {
    const started = Date.now();
    const settings = readSettings();
    const progress: BackupProgress = {};
    let result: BackupResult | undefined;
    let uploaded: UploadOutcome | undefined;
    try {
      result = await runBackup(settings.backup, progress);
      const m = result.manifest;
      setKnownOutputs(progress);
      setOutput('path', result.path);
      setOutput('manifest-path', result.manifestPath);
      setOutput('sha256', m.sha256);
      setOutput('size-bytes', m.size_bytes);
      setOutput('tables', m.tables);
      uploaded = await upload(settings, result);
      setOutput('duration-ms', Date.now() - started);
      await writeSummary({
        settings,
        progress,
        result,
        upload: uploaded,
        durationMs: Date.now() - started,
      });
      core.info(
        `Backup ${result.path} (${m.size_bytes} bytes, sha256 ${m.sha256}) verified: ${result.checks.join('; ')}`,
      );
    } catch (err) {
      setKnownOutputs(progress);
      setOutput('duration-ms', Date.now() - started);
      await writeSummary({
        settings,
        progress,
        result,
        upload: uploaded,
        durationMs: Date.now() - started,
        error: errorMessage(err),
      });
      throw err;
    }
  });
}
