import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, UserError, errorMessage } from '../../kit/errors.js';
import { formatDuration } from '../../kit/durations.js';
import { redact } from '../../kit/secrets.js';
import { ApplyFailedError, MigrationCancelledError } from '../errors.js';
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
import {
  checkSqlMigrations,
  newestVersion,
  pendingMigrations,
  versionedRows,
  type AppliedRow,
} from './check.js';
import type { SqlDriver } from './driver.js';
import {
  CancelledError,
  executeFile,
  PartialFileError,
  planFile,
  type FilePlan,
} from './execute.js';
import {
  loadMigrations,
  scanDir,
  wantsNoTransaction,
  type ScannedDir,
  type SqlMigration,
} from './files.js';
import { compareVersions, isRepeatableVersion, namingHelp, VERSION_TEXT } from './layouts.js';
import { transactionFindings } from './transaction-check.js';

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
  if (typeof v === 'string' && VERSION_TEXT.test(v)) return v;
  throw new UserError(
    `previous-state for the sql tool must be {"version": "<digits or dotted digits>"} or {"version": null}`,
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
        `table ${table} exists but is not a migrations table of this tool (version, name, sha256, applied_at, duration_ms): ${redact(errorMessage(err))}; golang-migrate and dbmate name their own table schema_migrations too — this tool keeps its own tracking, so choose another migrations-table (their table is left alone)`,
      );
    }
  }

  const scan = (): ScannedDir => scanDir(dir, ctx.sqlLayout);

  async function snapshot(driver: SqlDriver): Promise<Snapshot> {
    const scanned = scan();
    return {
      scanned,
      migrations: loadMigrations(dir, scanned),
      applied: await readApplied(driver),
    };
  }

  async function readOnly<T>(fn: (driver: SqlDriver) => Promise<T>): Promise<T> {
    scan(); // a missing directory is reported before connecting
    const driver = await openDriver(ctx, true);
    try {
      return await fn(driver);
    } finally {
      await driver.close();
    }
  }

  function validateTarget(s: Snapshot, target: string | undefined): void {
    if (target === undefined) return;
    if (!VERSION_TEXT.test(target))
      throw new InputError(
        'target',
        `'${target}' is not a version; the sql tool's versions are digits (e.g. 0003), dotted for Flyway (1.2)`,
      );
    if (!s.migrations.some((m) => !m.repeatable && compareVersions(m.version, target) === 0)) {
      throw new InputError('target', `version '${target}' does not exist in ${ctx.migrationsDir}`);
    }
  }

  function toStatus(s: Snapshot): ToolStatus {
    return {
      state: sqlState(s.applied),
      applied: s.applied.map((r) =>
        isRepeatableVersion(r.version) ? r.version : `${r.version}_${r.name}`,
      ),
      pending: pendingMigrations(s.migrations, s.applied).map((m) => m.file),
    };
  }

  /** Runs one file (or dbmate section) as planned, then records it; errors name the file. */
  async function runFile(
    driver: SqlDriver,
    sql: string,
    file: string,
    noTransactionMarker: boolean,
    record: () => Promise<void>,
  ): Promise<FilePlan> {
    const plan = await planFile(driver, sql, file, noTransactionMarker);
    if (!plan.transaction) ctx.log(`${file} runs outside a transaction: ${plan.reason}`);
    await executeFile(driver, plan, sql, file, record, ctx.signal);
    return plan;
  }

  /** What undoes an applied version: a dbmate down section, or a down/undo file. */
  function downOf(
    s: Snapshot,
    row: AppliedRow,
  ): { label: string; sql: string; noTransaction: boolean } | undefined {
    const m = s.migrations.find(
      (x) => !x.repeatable && compareVersions(x.version, row.version) === 0,
    );
    if (m?.downSql !== undefined)
      return {
        label: `${m.file} (down section)`,
        sql: m.downSql,
        noTransaction: m.downNoTransaction === true || wantsNoTransaction(m.downSql),
      };
    const file = s.scanned.downs.find((d) => compareVersions(d.version, row.version) === 0)?.file;
    if (!file) return undefined;
    const sql = readFileSync(join(dir, file), 'utf8');
    return { label: file, sql, noTransaction: wantsNoTransaction(sql) };
  }

  return {
    name: 'sql',

    status: () => readOnly(async (d) => toStatus(await snapshot(d))),

    check: () =>
      readOnly(async (d) => {
        const s = await snapshot(d);
        return [
          ...checkSqlMigrations(s.scanned, s.migrations, s.applied),
          ...(await transactionFindings(d.engine, s.migrations)),
        ];
      }),

    plan: (target) =>
      readOnly(async (d): Promise<Plan> => {
        const s = await snapshot(d);
        validateTarget(s, target);
        // apply would refuse: say so now, before anyone approves this plan
        const findings = checkSqlMigrations(s.scanned, s.migrations, s.applied);
        if (findings.length) throw new CheckFailedError(findings, 'check');
        const toApply = pendingMigrations(s.migrations, s.applied, target);
        const preview = toApply
          .map(
            (m) =>
              `-- ${m.file}${m.downSql !== undefined || m.sql.startsWith('\n') ? ' (up section)' : ''}\n${m.sql.trim()}\n`,
          )
          .join('\n');
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
            const done = todo.slice(0, applied.length).filter((m) => !m.repeatable);
            const versions = [
              ...versionedRows(s.applied).map((r) => r.version),
              ...done.map((m) => m.version),
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
            const started = Date.now();
            try {
              if (ctx.signal?.aborted) throw new CancelledError(ctx.signal);
              ctx.log(`applying ${m.file}`);
              await runFile(driver, m.sql, m.file, m.noTransaction === true, async () => {
                // a repeatable migration's row is replaced when its checksum changed
                if (m.repeatable) await driver.deleteApplied(table, m.version);
                await driver.insertApplied(table, {
                  version: m.version,
                  name: m.name,
                  sha256: m.sha256,
                  duration_ms: Date.now() - started,
                });
              });
            } catch (err) {
              throw applyFailure(err, m, applyResult(), t.engine, driver.transactionalDdl);
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
      scan();
      return withMigrationLock(t, ctx.lockWaitMs, ctx.log, async () => {
        const driver = await openDriver(ctx, false);
        try {
          const s = await snapshot(driver);
          const previous = sqlState(s.applied);
          const toRevert = versionedRows(s.applied)
            .filter((r) => targetVersion === null || compareVersions(r.version, targetVersion) > 0)
            .sort((a, b) => compareVersions(b.version, a.version));
          const downs = toRevert.map((r) => ({ row: r, down: downOf(s, r) }));
          const missing = downs.filter((d) => !d.down).map((d) => `${d.row.version}_${d.row.name}`);
          if (missing.length) {
            throw new UserError(
              `cannot revert to version ${targetVersion ?? '(none)'}: no down file or section for ${missing.join(', ')} (layout ${s.scanned.layout}: ${namingHelp(s.scanned.layout)}); nothing was reverted`,
            );
          }
          const reverted: string[] = [];
          for (const { row, down } of downs) {
            if (!down) continue;
            ctx.log(`reverting ${row.version}_${row.name} with ${down.label}`);
            try {
              await runFile(driver, down.sql, down.label, down.noTransaction, () =>
                driver.deleteApplied(table, row.version),
              );
            } catch (err) {
              throw new UserError(
                `${down.label} failed: ${errorMessage(err)}.${reverted.length ? ` Already reverted: ${reverted.join(', ')}.` : ''}`,
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

/** The one error of a failed or cancelled file, with what this run applied before it. */
function applyFailure(
  err: unknown,
  m: SqlMigration,
  partial: ApplyResult,
  engine: string,
  transactionalDdl: boolean,
): ApplyFailedError {
  const kept = partial.applied.length
    ? ` ${partial.applied.length} earlier migration(s) of this run stay applied.`
    : '';
  const last = ` Last applied migration: ${String(partial.current.version ?? 'none')}.`;
  if (err instanceof CancelledError) {
    const how = transactionalDdl
      ? `its transaction was rolled back: nothing of ${m.file} is applied.`
      : `${engine} cannot roll back DDL: statements of ${m.file} that finished may have taken effect.`;
    return new MigrationCancelledError(
      `migrate was ${err.message} during ${m.file}; ${how}${kept}${last}`,
      partial,
    );
  }
  const how =
    err instanceof PartialFileError
      ? ''
      : transactionalDdl
        ? ' It was rolled back: nothing of it is applied.'
        : ` ${engine} cannot roll back DDL: statements of it before the failing one may have taken effect.`;
  const text = `migration ${m.file} failed: ${errorMessage(err)}.${how}${kept}${last}`;
  return err instanceof PartialFileError && err.cancelled
    ? new MigrationCancelledError(text, partial)
    : new ApplyFailedError(text, partial);
}
