import type { Finding } from '../types.js';
import type { ScannedDir, SqlMigration } from './files.js';
import {
  compareVersions,
  isRepeatableVersion,
  namingHelp,
  sameVersion,
  versionKey,
} from './layouts.js';

/** A row of the tracking table. */
export interface AppliedRow {
  version: string;
  name: string;
  sha256: string;
  applied_at?: string;
  duration_ms?: number;
}

/**
 * Everything `check` reports for the sql tool (pure): duplicate versions, a pending file
 * older than the newest applied one, an applied file whose content changed, a down file
 * without an up file, an applied version whose file is gone, and misnamed `.sql` files.
 */
export function checkSqlMigrations(
  scanned: ScannedDir,
  migrations: readonly SqlMigration[],
  applied: readonly AppliedRow[],
): Finding[] {
  const findings: Finding[] = [];
  for (const name of scanned.invalid) {
    findings.push({
      code: 'bad-name',
      message: `${name} is not named ${namingHelp(scanned.layout)} (layout ${scanned.layout})`,
    });
  }
  for (const m of migrations) {
    if (m.sectionError)
      findings.push({ code: 'bad-sections', message: `${m.sectionError}; it will not run` });
  }
  for (const r of scanned.repeatables) {
    if (r.version.length > 64)
      findings.push({
        code: 'bad-name',
        message: `${r.file}: the description is longer than the 61 characters the tracking table keeps`,
      });
  }
  const seen = new Map<string, string[]>();
  for (const up of scanned.ups) {
    const key = versionKey(up.version);
    seen.set(key, [...(seen.get(key) ?? []), up.file]);
  }
  for (const files of seen.values()) {
    if (files.length > 1) {
      findings.push({
        code: 'duplicate-version',
        message: `duplicate version: ${files.join(', ')}`,
      });
    }
  }
  for (const down of scanned.downs) {
    if (!scanned.ups.some((u) => sameVersion(u.version, down.version))) {
      findings.push({
        code: 'down-without-up',
        message: `down file ${down.file} has no up file with version ${down.version}`,
      });
    }
  }
  const versioned = migrations.filter((m) => !m.repeatable);
  const newestApplied = versionedRows(applied).reduce<string | undefined>(
    (max, r) => (max === undefined || compareVersions(r.version, max) > 0 ? r.version : max),
    undefined,
  );
  for (const m of versioned) {
    const row = versionedRows(applied).find((r) => sameVersion(r.version, m.version));
    if (row) {
      if (row.sha256 !== m.sha256) {
        findings.push({
          code: 'changed',
          message: `${m.file} was changed after it was applied (sha256 ${m.sha256.slice(0, 12)}, applied ${row.sha256.slice(0, 12)})`,
        });
      }
    } else if (newestApplied !== undefined && compareVersions(m.version, newestApplied) < 0) {
      findings.push({
        code: 'out-of-order',
        message: `${m.file} is pending but older than the newest applied version ${newestApplied}`,
      });
    }
  }
  for (const r of versionedRows(applied)) {
    if (!versioned.some((m) => sameVersion(m.version, r.version))) {
      findings.push({
        code: 'missing-file',
        message: `version ${r.version} (${r.name}) is applied but its file is missing from the migrations directory`,
      });
    }
  }
  return findings;
}

/** Rows of versioned migrations (Flyway's repeatables are tracked by description). */
export function versionedRows(applied: readonly AppliedRow[]): AppliedRow[] {
  return applied.filter((r) => !isRepeatableVersion(r.version));
}

/**
 * Pending migrations in run order, limited to versions <= target when given; then the
 * repeatable ones that are new or whose checksum changed (Flyway runs them last).
 */
export function pendingMigrations(
  migrations: readonly SqlMigration[],
  applied: readonly AppliedRow[],
  target?: string,
): SqlMigration[] {
  const rows = versionedRows(applied);
  const versioned = migrations.filter(
    (m) =>
      !m.repeatable &&
      !rows.some((r) => sameVersion(r.version, m.version)) &&
      (target === undefined || compareVersions(m.version, target) <= 0),
  );
  const repeatable = migrations.filter(
    (m) => m.repeatable && !applied.some((r) => r.version === m.version && r.sha256 === m.sha256),
  );
  return [...versioned, ...repeatable];
}

export function newestVersion(applied: readonly AppliedRow[]): string | null {
  let max: string | null = null;
  for (const r of versionedRows(applied))
    if (max === null || compareVersions(r.version, max) > 0) max = r.version;
  return max;
}
