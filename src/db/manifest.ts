/**
 * The backup manifest `<name>.manifest.json`, written beside every backup by backup-db,
 * checked by migrate's backup gate and read by rollback to restore. Its fields are documented
 * in actions/backup-db/README.md ("The manifest").
 */
export type Engine = 'postgres' | 'mysql' | 'sqlite';
export type BackupFormat = 'custom' | 'plain' | 'directory' | 'sqlite';
export type Compression = 'gzip' | 'zstd' | 'none';

export interface BackupManifest {
  /** manifest schema version */
  version: 1;
  engine: Engine;
  /** database name (for sqlite: the file's base name) — never the URL */
  database: string;
  server_version: string;
  client_version: string;
  format: BackupFormat;
  compression: Compression;
  /**
   * where the compression lives: `tool` inside the dump format (pg_dump -Z for custom and
   * directory archives, which pg_restore reads as they are), `stream` around the whole file
   * (decompress before handing it to the restore tool). Absent in older manifests: see
   * compressedBy().
   */
  compressed_by?: 'tool' | 'stream';
  /** the backup's file (or directory) name, relative to the manifest's directory */
  file: string;
  /** of the file as stored (encrypted bytes when `encrypted`) */
  size_bytes: number;
  /**
   * of the file's bytes as stored (the ciphertext when `encrypted`); for a directory backup,
   * of its files in name order (see manifest-hash.ts)
   */
  sha256: string;
  /** the file is an age v1 file (encryption.ts): reading it needs a decrypt-identity */
  encrypted?: boolean;
  /** when encrypted: the recipients' fingerprints (first 16 hex digits of sha256 of `age1…`) */
  recipients?: string[];
  created_at: string;
  git_sha: string | null;
  run_id: string | null;
  /** table name -> row count at dump time */
  tables: Record<string, number>;
}

/** Whether the file must be decompressed (gzip/zstd stream) before the restore tool reads it. */
export function compressedBy(
  m: Pick<BackupManifest, 'format' | 'compression' | 'compressed_by'>,
): 'tool' | 'stream' {
  if (m.compressed_by) return m.compressed_by;
  return m.format === 'custom' || m.format === 'directory' ? 'tool' : 'stream';
}

export function manifestFileName(backupName: string): string {
  return `${backupName}.manifest.json`;
}

/** Parses and validates a manifest's JSON text; throws with what is wrong. */
export function parseManifest(text: string): BackupManifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (typeof data !== 'object' || data === null) throw new Error('not a JSON object');
  const m = data as Record<string, unknown>;
  const need = (key: string, type: string): void => {
    if (typeof m[key] !== type) throw new Error(`field '${key}' is missing or not a ${type}`);
  };
  need('engine', 'string');
  need('database', 'string');
  need('format', 'string');
  need('compression', 'string');
  need('file', 'string');
  need('size_bytes', 'number');
  need('sha256', 'string');
  need('created_at', 'string');
  if (!['postgres', 'mysql', 'sqlite'].includes(m.engine as string)) {
    throw new Error(`field 'engine' is '${String(m.engine)}', expected postgres, mysql or sqlite`);
  }
  if (!/^[0-9a-f]{64}$/.test(m.sha256 as string))
    throw new Error(`field 'sha256' is not 64 hex digits`);
  if (Number.isNaN(Date.parse(m.created_at as string)))
    throw new Error(`field 'created_at' is not a date`);
  if (m.encrypted !== undefined && typeof m.encrypted !== 'boolean')
    throw new Error(`field 'encrypted' is not a boolean`);
  if (
    m.recipients !== undefined &&
    !(Array.isArray(m.recipients) && m.recipients.every((r) => typeof r === 'string'))
  )
    throw new Error(`field 'recipients' is not a list of fingerprints`);
  if (typeof m.tables !== 'object' || m.tables === null)
    throw new Error(`field 'tables' is missing`);
  return m as unknown as BackupManifest;
}
