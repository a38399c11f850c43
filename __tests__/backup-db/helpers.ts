import { expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { runAction, describeRun, type ActionRun, type RunOptions } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';
import { parseManifest, type BackupManifest } from '../../src/db/manifest.js';
import { sha256Backup } from '../../src/db/manifest-hash.js';

/** Runs the bundled backup-db and checks, on every run, that no secret leaked. */
export async function backup(
  inputs: Record<string, string | number | boolean>,
  secrets: Array<string | undefined>,
  opts: RunOptions = {},
): Promise<ActionRun> {
  const run = await runAction('backup-db', inputs, { timeoutMs: 240_000, ...opts });
  expectNoSecret(run, secrets);
  return run;
}

/** A successful run: exit 0, outputs consistent with the manifest and the file on disk. */
export async function expectBackup(run: ActionRun): Promise<BackupManifest> {
  expect({ exit: run.exitCode, errors: run.errors }).toEqual({ exit: 0, errors: [] });
  if (run.exitCode !== 0) throw new Error(describeRun(run));
  const o = run.outputs;
  const manifest = parseManifest(readFileSync(o['manifest-path'], 'utf8'));
  const onDisk = await sha256Backup(o.path);
  expect(onDisk.sha256).toBe(o.sha256);
  expect(manifest.sha256).toBe(o.sha256);
  expect(String(manifest.size_bytes)).toBe(o['size-bytes']);
  expect(onDisk.bytes).toBe(manifest.size_bytes);
  expect(JSON.parse(o.tables)).toEqual(manifest.tables);
  expect(manifest.engine).toBe(o.engine);
  expect(manifest.format).toBe(o.format);
  expect(manifest.git_sha).toBe('f3c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2');
  expect(manifest.run_id).toBe('4242');
  expect(run.summary).toContain(o.sha256);
  return manifest;
}

/** After a failed run: no file under a final name, no hidden partial work left behind. */
export function expectNothingLeft(dir: string): void {
  const left = existsSync(dir) ? readdirSync(dir) : [];
  expect(left).toEqual([]);
}

export function expectFailure(run: ActionRun, message: RegExp): void {
  expect(run.exitCode).toBe(1);
  expect(run.errors.length).toBe(1);
  expect(run.errors[0]).toMatch(message);
  expect(run.stdout).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
}

export function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Per-table row count and content checksum of a SQLite file. */
export function sqliteFingerprint(path: string): Record<string, { rows: number; sum: string }> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = db
      .prepare(
        `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
      )
      .all() as Array<{ name: string }>;
    const out: Record<string, { rows: number; sum: string }> = {};
    for (const { name } of tables) {
      const rows = db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all();
      out[name] = {
        rows: rows.length,
        sum: sha(
          JSON.stringify(rows, (_k, v: unknown) =>
            v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
          ),
        ),
      };
    }
    return out;
  } finally {
    db.close();
  }
}

export function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export { join };
