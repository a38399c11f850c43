import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, UserError, errorMessage } from '../../kit/errors.js';
import { formatDuration } from '../../kit/durations.js';
import { redact } from '../../kit/secrets.js';
import { ApplyFailedError } from '../errors.js';
import { withMigrationLock } from '../lock.js';
import {
  CheckFailedError,
  type ApplyResult,
  type AppliedMigration,
  type Finding,
  type MigrationState,
  type MigrationTool,
  type Plan,
  type RevertResult,
  type ToolContext,
  type ToolStatus,
} from '../types.js';
import { checkSqlMigrations, newestVersion, pendingMigrations, type AppliedRow } from './check.js';
import type { SqlDriver } from './driver.js';
import {
  compareVersions,
  loadMigrations,
  scanDir,
  wantsNoTransaction,
  type ScannedDir,
  type SqlMigration,
} from './files.js';

interface Snapshot {
  scanned: ScannedDir;
  migrations: SqlMigration[];
  applied: AppliedRow[];
}

function sqlState(applied: readonly AppliedRow[]): MigrationState {
  return { version: newestVersion(applied) };
}

/** `{"version": "0002"}` or `{"version": null}` (nothing applied). */
export function parseSqlState(state: MigrationState): string | null {
  const v = state.version;
  if (v === null) return null;
  if (typeof v === 'string' && /^\d+$/.test(v)) return v;
  throw new UserError(
    `previous-state for the sql tool must be {"version": "<digits>"} or {"version": null}`,
  );
}

async function openDriver(ctx: ToolContext, readOnly: boolean): Promise<SqlDriver> {
  const t = ctx.database;
  if (!t) throw new UserError('the sql tool needs database-url');
  if (t.engine === 'postgres')
    return (await import('./postgres-driver.js')).openPostgresDriver(t, ctx.timeoutMs);
  if (t.engine === 'mysql') return (await import('./mysql-driver.js')).openMysqlDriver(t);
  return (await import('./sqlite-driver.js')).openSqliteDriver(t, readOnly);
}

export function createSqlTool(ctx: ToolContext): MigrationTool {
  const dir = resolve(ctx.cwd, ctx.migrationsDir);
  const table = ctx.migrationsTable;

  async function readApplied(driver: SqlDriver): Promise<AppliedRow[]> {
    if (!(await driver.tableExists(table))) return [];
    try {
      return await driver.readApplied(table);
    } catch (err) {
      throw new UserError(
        `table ${table} exists but is not a migrations table of this tool (version, name, sha256, applied_at, duration_ms): ${redact(errorMessage(err))}; choose another migrations-table`,
      );
    }
  }

  async function snapshot(driver: SqlDriver): Promise<Snapshot> {
    const scanned = scanDir(dir);
    return {
      scanned,
      migrations: loadMigrations(dir, scanned),
      applied: await readApplied(driver),
    };
  }

  async function readOnly<T>(fn: (driver: SqlDriver) => Promise<T>): Promise<T> {
    scanDir(dir); // a missing directory is reported before connecting
    const driver = await openDriver(ctx, true);
    try {
      return await fn(driver);
    } finally {
      await driver.close();
    }
  }

  function validateTarget(s: Snapshot, target: string | undefined): void {
    if (target === undefined) return;
    if (!/^\d+$/.test(target))
      throw new InputError(
        'target',
        `'${target}' is not a version; the sql tool's versions are digits (e.g. 0003)`,
      );
    if (!s.migrations.some((m) => compareVersions(m.version, target) === 0)) {
      throw new InputError('target', `version '${target}' does not exist in ${ctx.migrationsDir}`);
    }
  }

  function toStatus(s: Snapshot): ToolStatus {
    return {
      state: sqlState(s.applied),
      applied: s.applied.map((r) => `${r.version}_${r.name}`),
      pending: pendingMigrations(s.migrations, s.applied).map((m) => m.file),
    };
  }

  async function runFile(
    driver: SqlDriver,
    sql: string,
    record: () => Promise<void>,
  ): Promise<void> {
    const tx = driver.transactionalDdl ? !wantsNoTransaction(sql) : true;
    if (tx) await driver.begin();
    try {
      await driver.execScript(sql);
      await record();
      if (tx) await driver.commit();
    } catch (err) {
      if (tx) await driver.rollback().catch(() => undefined);
      const line = driver.errorLine(err, sql);
      throw new Error(`${redact(errorMessage(err))}${line ? ` (line ${line})` : ''}`, {
        cause: err,
      });
    }
  }

  return {
    name: 'sql',

    status: () => readOnly(async (d) => toStatus(await snapshot(d))),

    check: () =>
      readOnly(async (d) => {
        const s = await snapshot(d);
        return checkSqlMigrations(s.scanned, s.migrations, s.applied);
      }),

    plan: (target) =>
      readOnly(async (d): Promise<Plan> => {
        const s = await snapshot(d);
        validateTarget(s, target);
        // apply would refuse: say so now, before anyone approves this plan
        const findings = checkSqlMigrations(s.scanned, s.migrations, s.applied);
        if (findings.length) throw new CheckFailedError(findings, 'check');
        const toApply = pendingMigrations(s.migrations, s.applied, target);
        const preview = toApply.map((m) => `-- ${m.file}\n${m.sql.trimEnd()}\n`).join('\n');
        return {
          ...toStatus(s),
          toApply: toApply.map((m) => m.file),
          preview: toApply.length ? preview : undefined,
        };
      }),

    async apply(target): Promise<ApplyResult> {
      const t = ctx.database;
      if (!t) throw new UserError('the sql tool needs database-url');
      const first = await readOnly(async (d) => snapshot(d));
      validateTarget(first, target);
      return withMigrationLock(t, ctx.lockWaitMs, ctx.log, async (lock) => {
        const driver = await openDriver(ctx, false);
        try {
          // read again under the lock: another run may have applied them meanwhile
          const s = await snapshot(driver);
          const findings: Finding[] = checkSqlMigrations(s.scanned, s.migrations, s.applied);
          if (findings.length) throw new CheckFailedError(findings, 'check (run before apply)');
          const previous = sqlState(s.applied);
          const todo = pendingMigrations(s.migrations, s.applied, target);
          const applied: AppliedMigration[] = [];
          const applyResult = (): ApplyResult => {
            const versions = [
              ...s.applied.map((r) => r.version),
              ...todo.slice(0, applied.length).map((m) => m.version),
            ];
            const newest = versions.sort(compareVersions).at(-1) ?? null;
            return {
              previous,
              current: { version: newest },
              applied,
              pending: pendingMigrations(s.migrations, s.applied)
                .slice(applied.length)
                .map((m) => m.file),
              lockWaitedMs: lock.waitedMs,
            };
          };
          if (todo.length) await driver.ensureTable(table);
          for (const m of todo) {
            ctx.log(`applying ${m.file}`);
            const started = Date.now();
            try {
              await runFile(driver, m.sql, () =>
                driver.insertApplied(table, {
                  version: m.version,
                  name: m.name,
                  sha256: m.sha256,
                  duration_ms: Date.now() - started,
                }),
              );
            } catch (err) {
              const partial = applyResult();
              const kept = applied.length
                ? ` ${applied.length} earlier migration(s) of this run stay applied.`
                : '';
              const how = driver.transactionalDdl
                ? ' It was rolled back: nothing of it is applied.'
                : ` ${t.engine} cannot roll back DDL: statements of it before the failing one may have taken effect.`;
              throw new ApplyFailedError(
                `migration ${m.file} failed: ${errorMessage(err)}.${how}${kept}`,
                partial,
              );
            }
            const durationMs = Date.now() - started;
            applied.push({ name: m.file, durationMs });
            ctx.log(`applied ${m.file} in ${formatDuration(durationMs)}`);
          }
          return applyResult();
        } finally {
          await driver.close();
        }
      });
    },

    async revertTo(state): Promise<RevertResult> {
      const t = ctx.database;
      if (!t) throw new UserError('the sql tool needs database-url');
      const targetVersion = parseSqlState(state);
      scanDir(dir);
      return withMigrationLock(t, ctx.lockWaitMs, ctx.log, async () => {
        const driver = await openDriver(ctx, false);
        try {
          const s = await snapshot(driver);
          const previous = sqlState(s.applied);
          const toRevert = s.applied
            .filter((r) => targetVersion === null || compareVersions(r.version, targetVersion) > 0)
            .sort((a, b) => compareVersions(b.version, a.version));
          const downs = toRevert.map((r) => {
            const down = s.scanned.downs.find((d) => compareVersions(d.version, r.version) === 0);
            return { row: r, down };
          });
          const missing = downs.filter((d) => !d.down).map((d) => `${d.row.version}_${d.row.name}`);
          if (missing.length) {
            throw new UserError(
              `cannot revert to version ${targetVersion ?? '(none)'}: no down file for ${missing.join(', ')} (expected <version>_<name>.down.sql or <version>_ROLLBACK_<name>.sql); nothing was reverted`,
            );
          }
          const reverted: string[] = [];
          for (const { row, down } of downs) {
            const file = down?.file ?? '';
            const sql = readFileSync(join(dir, file), 'utf8');
            ctx.log(`reverting ${row.version}_${row.name} with ${file}`);
            try {
              await runFile(driver, sql, () => driver.deleteApplied(table, row.version));
            } catch (err) {
              throw new UserError(
                `down file ${file} failed: ${errorMessage(err)}.${reverted.length ? ` Already reverted: ${reverted.join(', ')}.` : ''}`,
              );
            }
            reverted.push(`${row.version}_${row.name}`);
          }
          const remaining = s.applied.filter((r) => !toRevert.includes(r));
          return { previous, current: sqlState(remaining), reverted };
        } finally {
          await driver.close();
        }
      });
    },
  };
}
