import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../kit/errors.js';

/** One migration file: `<version>_<name>.sql` (up), `<version>_<name>.down.sql` or `<version>_ROLLBACK_<name>.sql` (down). */
export interface SqlFile {
  kind: 'up' | 'down';
  version: string;
  name: string;
  file: string;
}

export interface SqlMigration {
  version: string;
  name: string;
  /** the up file's name */
  file: string;
  sha256: string;
  sql: string;
  /** the down file's name, when there is one */
  down?: string;
}

export interface ScannedDir {
  ups: SqlFile[];
  downs: SqlFile[];
  /** `.sql` files whose names follow neither convention */
  invalid: string[];
}

const DOWN_SUFFIX = /^(\d+)_(.+)\.down\.sql$/i;
const DOWN_ROLLBACK = /^(\d+)_ROLLBACK_(.+)\.sql$/;
const UP = /^(\d+)_(.+)\.sql$/i;

/** Classifies one file name; undefined for files that are not `.sql`. */
export function classifyFileName(file: string): SqlFile | 'invalid' | undefined {
  if (!/\.sql$/i.test(file)) return undefined;
  let m = DOWN_SUFFIX.exec(file) ?? DOWN_ROLLBACK.exec(file);
  if (m) return { kind: 'down', version: m[1], name: m[2], file };
  m = UP.exec(file);
  if (m) return { kind: 'up', version: m[1], name: m[2], file };
  return 'invalid';
}

/** Versions compare by number, so `0010` sorts after `9` and `001` equals `1`. */
export function compareVersions(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sameVersion(a: string, b: string): boolean {
  return compareVersions(a, b) === 0;
}

/** Sorts and classifies a directory listing (pure, for tests). */
export function classifyListing(names: readonly string[]): ScannedDir {
  const out: ScannedDir = { ups: [], downs: [], invalid: [] };
  for (const n of [...names].sort()) {
    const c = classifyFileName(n);
    if (c === undefined) continue;
    if (c === 'invalid') out.invalid.push(n);
    else if (c.kind === 'up') out.ups.push(c);
    else out.downs.push(c);
  }
  const byVersion = (a: SqlFile, b: SqlFile): number =>
    compareVersions(a.version, b.version) || a.file.localeCompare(b.file);
  out.ups.sort(byVersion);
  out.downs.sort(byVersion);
  return out;
}

export function sha256Of(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export function scanDir(dir: string): ScannedDir {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory())
      throw new UserError(`migrations directory ${dir} is not a directory`);
    names = readdirSync(dir);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`migrations directory ${dir} does not exist`);
  }
  return classifyListing(names);
}

/** Reads the up files (one per version; duplicates are check's business) with their down files. */
export function loadMigrations(dir: string, scanned: ScannedDir): SqlMigration[] {
  const out: SqlMigration[] = [];
  for (const up of scanned.ups) {
    if (out.some((m) => sameVersion(m.version, up.version))) continue;
    const bytes = readFileSync(join(dir, up.file));
    const down = scanned.downs.find((d) => sameVersion(d.version, up.version));
    out.push({
      version: up.version,
      name: up.name,
      file: up.file,
      sha256: sha256Of(bytes),
      sql: bytes.toString('utf8'),
      down: down?.file,
    });
  }
  return out;
}

/** A file that starts with this comment runs outside a transaction (CREATE INDEX CONCURRENTLY). */
export function wantsNoTransaction(sql: string): boolean {
  return /^\s*--\s*runbook:no-transaction\b/i.test(sql);
}
