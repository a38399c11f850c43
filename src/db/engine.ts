import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { StoredAs } from './compression.js';
import type { BackupFormat, Compression, Engine } from './manifest.js';
import type { DatabaseTarget } from './url.js';

/** What to dump and how: decided from the inputs before anything connects. */
export interface DumpPlan {
  format: BackupFormat;
  compression: Compression;
  /** `tool`: the dump tool compresses inside its format (pg_dump -Z); `stream`: we wrap the output */
  compressedBy: 'tool' | 'stream';
  /** the codec's level; undefined when compression is none */
  level: number | undefined;
  /** parallel workers (postgres directory format) */
  jobs: number | undefined;
  extraArgs: string[];
  connectTimeoutMs: number;
  /** limit for the dump tool and every restore/verify tool run */
  timeoutMs: number;
  /** age recipients (`age1…`): the file is encrypted to them as the last stage; empty: plain */
  encryptTo?: string[];
}

/** Where a dump goes: a byte sink (single-file formats) or a directory the tool fills. */
export type DumpTarget = { kind: 'stream'; sink: Writable } | { kind: 'directory'; path: string };

/** A backup written to disk (under its temporary name while it is being checked). */
export interface BackupOnDisk {
  path: string;
  plan: DumpPlan;
  /** the identities that decrypt an encrypted backup for the checks that read its plaintext */
  decrypt?: StoredAs['decrypt'];
}

/** How a backup being checked is stored, for openDecompressed() and toolReadsStdin(). */
export function storedAsBackup(backup: BackupOnDisk): StoredAs {
  return {
    compression: backup.plan.compression,
    compressedBy: backup.plan.compressedBy,
    encrypted: (backup.plan.encryptTo?.length ?? 0) > 0,
    decrypt: backup.decrypt,
  };
}

export interface RestoreCheck {
  /** what was restored into, for the summary (a database name or a file) */
  scratch: string;
  tables: Record<string, number>;
  /** true when the scratch database or file no longer exists */
  dropped: boolean;
}

/**
 * One connected database engine. Implementations: postgres.ts, mysql.ts, sqlite.ts.
 * Each builds its tools' argv with pure functions and streams their output.
 */
export interface EngineSession {
  readonly engine: Engine;
  /** the manifest's database name */
  readonly database: string;
  readonly serverVersion: string;
  /** the dump tool and its version, e.g. `pg_dump 15.18` */
  readonly clientVersion: string;
  /** Settles what depends on the tool's version (where compression lives); throws when impossible. */
  resolvePlan(plan: DumpPlan): DumpPlan;
  /**
   * Writes the dump and returns per-table row counts taken from the same snapshot
   * as the dump where the engine allows it (postgres exported snapshot, sqlite VACUUM INTO).
   */
  dump(plan: DumpPlan, target: DumpTarget, tempDir: string): Promise<Record<string, number>>;
  /**
   * Structural check (pg_restore --list, completion marker, integrity_check). Returns what was
   * checked, and the counted tables whose data the archive lacks (extra-args may exclude some).
   */
  verifyStructure(
    backup: BackupOnDisk,
    tables: Record<string, number>,
    tempDir: string,
  ): Promise<{ checked: string; missing: string[] }>;
  /** Restores into a scratch database or file, counts rows per table, drops the scratch. */
  verifyRestore(
    backup: BackupOnDisk,
    scratch: DatabaseTarget | undefined,
    tempDir: string,
  ): Promise<RestoreCheck>;
  close(): Promise<void>;
}

/** Compares restored row counts with the source's; returns the differences, empty when equal. */
export function compareTableCounts(
  expected: Record<string, number>,
  actual: Record<string, number>,
): string[] {
  const problems: string[] = [];
  for (const [table, rows] of Object.entries(expected)) {
    if (!(table in actual)) problems.push(`${table}: missing after restore`);
    else if (actual[table] !== rows)
      problems.push(`${table}: ${rows} rows in the source, ${actual[table]} restored`);
  }
  for (const table of Object.keys(actual)) {
    if (!(table in expected)) problems.push(`${table}: restored but not in the source`);
  }
  return problems;
}

/** A short random suffix for scratch database and temporary file names. */
export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}
