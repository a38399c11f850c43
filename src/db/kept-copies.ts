import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { keptDatabaseName } from './postgres-database.js';

/**
 * The copies a swap rollback keeps as an instant undo (`keep-replaced`): PostgreSQL databases
 * `<db>_before_rollback_<yyyymmddThhmmssZ>[_n]` and SQLite files
 * `<file>.before-rollback-<yyyymmddThhmmssZ>`. With `keep-replaced: <duration>` a rollback
 * drops the ones earlier rollbacks kept once they are older than that; only names that follow
 * these patterns for the same live database are ever considered.
 */

const STAMP = /^(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})z$/i;

/** The UTC time of a kept copy's stamp, or undefined when the text is not one. */
export function stampTime(stamp: string): number | undefined {
  const m = STAMP.exec(stamp);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(t) ? undefined : t;
}

function older(stamp: string, now: Date, maxAgeMs: number): boolean {
  const t = stampTime(stamp);
  return t !== undefined && now.getTime() - t > maxAgeMs;
}

/** Of the server's database names, the kept copies of `live` older than maxAgeMs. */
export function expiredKeptDatabases(
  live: string,
  names: readonly string[],
  now: Date,
  maxAgeMs: number,
): string[] {
  // the prefix keptDatabaseName gives for a stamp of the usual length (16 characters)
  const prefix = keptDatabaseName(live, 'x'.repeat(16)).slice(0, -16);
  return names.filter((name) => {
    if (!name.startsWith(prefix)) return false;
    const m = /^(\d{8}t\d{6}z)(?:_\d+)?$/.exec(name.slice(prefix.length));
    return m !== null && older(m[1], now, maxAgeMs);
  });
}

/** Where the replaced file is kept: `<file>.before-rollback-<yyyymmddThhmmssZ>`. */
export function sqliteKeptPath(targetPath: string, stamp: string): string {
  return `${targetPath}.before-rollback-${stamp}`;
}

/** The kept copies of the SQLite file at targetPath older than maxAgeMs (full paths). */
export function expiredKeptFiles(targetPath: string, now: Date, maxAgeMs: number): string[] {
  const prefix = basename(sqliteKeptPath(targetPath, ''));
  return readdirSync(dirname(targetPath))
    .filter((f) => f.startsWith(prefix) && older(f.slice(prefix.length), now, maxAgeMs))
    .map((f) => join(dirname(targetPath), f));
}
