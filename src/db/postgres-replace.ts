import { createInterface } from 'node:readline';
import type pg from 'pg';
import { InputError, errorMessage } from '../kit/errors.js';
import { execArgv } from '../kit/exec.js';
import { compactTimestamp } from './backup.js';
import { randomSuffix } from './engine.js';
import {
  RestoreStopped,
  checkAgainstManifest,
  tablesNotIn,
  type LiveRestoreOptions,
  type LiveRestoreResult,
} from './live-restore.js';
import { storedAsManifest } from './compression.js';
import { connect, findClient } from './postgres.js';
import { countPgTables, listPgTables } from './postgres-tables.js';
import { pgMajorOfVersionNum, pgRestoreListArgv } from './postgres-argv.js';
import {
  canSwap,
  createDatabaseLike,
  databaseRights,
  dropDatabase,
  inPlaceCleanSql,
  unusedKeptName,
  restoringDatabaseName,
  swapDatabases,
} from './postgres-database.js';
import {
  pgArchiveInput,
  restorePgArchive,
  skippedRolesWarning,
  type PgArchive,
} from './postgres-restore.js';
import type { ServerTarget } from './url.js';
import { expiredKeptDatabases } from './kept-copies.js';

/**
 * Rollback's PostgreSQL restore: into a new database beside the live one, checked against
 * the manifest, then swapped in by renaming (the replaced database kept as an undo); or, for
 * a user who cannot create databases, in place in one transaction after emptying the
 * schemas the backup contains.
 */

type Client = pg.Client;
const INPUT = 'database-url';

/** A connection to another database of the server (`postgres`, else `template1`). */
async function maintenanceClient(target: ServerTarget, timeoutMs: number): Promise<Client> {
  try {
    return await connect(INPUT, target, 'postgres', timeoutMs);
  } catch (err) {
    if (!/does not exist/.test(String(err))) throw err;
    return connect(INPUT, target, 'template1', timeoutMs);
  }
}

/** The schemas a backup contains (`public` always: pg_dump never creates it). */
export async function archiveSchemas(
  binDir: string | undefined,
  a: PgArchive,
  timeoutMs: number,
): Promise<string[]> {
  const found = new Set<string>(['public']);
  const input = pgArchiveInput(a);
  if (a.format === 'plain') {
    if (input.kind !== 'stream') throw new Error('plain dumps are read as streams');
    for await (const line of createInterface({ input: input.open(), crlfDelay: Infinity })) {
      const s = schemaCreatedBy(line);
      if (s !== undefined) found.add(s);
    }
    return [...found];
  }
  const r = await execArgv(
    pgRestoreListArgv(binDir, input.kind === 'path' ? input.path : undefined),
    {
      stdin: input.kind === 'stream' ? input.open() : undefined,
      timeoutMs,
      label: 'pg_restore --list',
    },
  );
  for (const line of r.stdout.split('\n')) {
    const m = /^\d+; \d+ \d+ SCHEMA - (.+) \S+$/.exec(line);
    if (m) found.add(m[1]);
  }
  return [...found];
}

/** The schema of a plain dump's `CREATE SCHEMA name;` line (quoted names unquoted). */
export function schemaCreatedBy(line: string): string | undefined {
  const m = /^CREATE SCHEMA (?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*));/.exec(line);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2];
}

async function countIn(
  target: ServerTarget,
  database: string,
  timeoutMs: number,
): Promise<Record<string, number>> {
  const c = await connect(INPUT, target, database, timeoutMs);
  try {
    return (await countPgTables(c)).counts;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function replacePostgres(
  o: LiveRestoreOptions,
  target: ServerTarget,
): Promise<LiveRestoreResult> {
  const live = target.database;
  const admin = await maintenanceClient(target, o.connectTimeoutMs);
  try {
    const v = await admin.query<{ num: string; v: string; user: string }>(
      `SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS v, current_user AS user`,
    );
    const { num, user } = v.rows[0];
    const tool = await findClient(pgMajorOfVersionNum(Number(num)), v.rows[0].v.split(' ')[0]);
    const liveClient = await connect(INPUT, target, live, o.connectTimeoutMs);
    const liveTables = await listPgTables(liveClient).finally(() => liveClient.end());
    const extraTables = tablesNotIn(o.manifest, liveTables);

    const rights = await databaseRights(admin, live);
    const swap = o.mode === 'swap' || (o.mode === 'auto' && canSwap(rights));
    if (swap && !canSwap(rights)) {
      throw new InputError(
        'restore-mode',
        `swap needs a user that can create databases and owns '${live}' (or a superuser); '${user}' cannot — use restore-mode: in-place or auto.`,
      );
    }
    const m = o.manifest;
    const archive: PgArchive = {
      path: o.backupPath,
      format: m.format,
      stored: storedAsManifest(m, o.decryptIdentities),
    };
    const appName = `runbook-rollback-${randomSuffix()}`;
    const base = {
      client: admin,
      server: target,
      archive,
      binDir: tool.binDir,
      connectTimeoutMs: o.connectTimeoutMs,
      timeoutMs: o.timeoutMs,
      appName,
    };
    const warnings: string[] = [];
    if (swap) {
      const restoring = restoringDatabaseName(live, randomSuffix());
      const kept = await unusedKeptName(admin, live, compactTimestamp(o.now));
      o.log(`Restoring ${m.file} into new database '${restoring}' beside '${live}'`);
      warnings.push(...(await createDatabaseLike(admin, restoring, live)));
      // a stop request ends the restore at once by dropping its database; live is untouched
      const unsubscribe = o.stop.onRequest(() => {
        void dropDatabase(admin, restoring).catch(() => undefined);
      });
      let swapped = false;
      try {
        const done = await restorePgArchive({
          ...base,
          database: restoring,
          singleTransaction: false,
          label: 'restore',
        });
        const w = skippedRolesWarning(done.skipped, user);
        if (w) warnings.push(w);
        const tables = await countIn(target, restoring, o.connectTimeoutMs);
        checkAgainstManifest(m, tables, false);
        unsubscribe();
        if (o.stop.requested)
          throw new RestoreStopped(`stopped before the swap; '${live}' is unchanged.`);
        o.log(`Row counts match the manifest; swapping '${restoring}' in as '${live}'`);
        const swapStarted = Date.now();
        await swapDatabases(admin, live, restoring, kept);
        swapped = true;
        const swapMs = Date.now() - swapStarted;
        o.log(`swapped in ${swapMs} ms ('${live}' refused connections for that long)`);
        let replaced: string | undefined = kept;
        if (!o.keepReplaced) {
          await dropDatabase(admin, kept);
          replaced = undefined;
        }
        const expiredDropped = await dropExpiredKept(admin, o, live, kept);
        return {
          method: `${done.method} ${tool.version} into a new database, swapped in by rename (${swapMs} ms)`,
          how: 'swap',
          tables,
          extraTables,
          extraTablesKeptIn: replaced ? `database ${kept}` : 'the safety backup',
          replaced,
          expiredDropped,
          warnings,
        };
      } catch (err) {
        if (o.stop.requested && !swapped) {
          await dropDatabase(admin, restoring).catch(() => undefined);
          throw new RestoreStopped(`stopped before the swap; '${live}' is unchanged.`);
        }
        throw err;
      } finally {
        unsubscribe();
        if (!swapped) await dropDatabase(admin, restoring).catch(() => undefined);
      }
    }

    if (o.stop.requested)
      throw new RestoreStopped(`stopped before the restore; '${live}' is unchanged.`);
    const schemas = await archiveSchemas(tool.binDir, archive, o.timeoutMs);
    o.log(
      `Restoring ${m.file} in place into '${live}' (one transaction; schemas emptied first: ${schemas.join(', ')})`,
    );
    // a stop request ends the restore's session: its transaction rolls back, live is unchanged
    const unsubscribe = o.stop.onRequest(() => {
      void admin
        .query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
          [appName],
        )
        .catch(() => undefined);
    });
    let done: Awaited<ReturnType<typeof restorePgArchive>>;
    try {
      done = await restorePgArchive({
        ...base,
        database: live,
        singleTransaction: true,
        preamble: inPlaceCleanSql(schemas),
        label: 'in-place restore',
      });
    } catch (err) {
      if (o.stop.requested)
        throw new RestoreStopped(
          `the in-place restore was stopped and rolled back; '${live}' is unchanged.`,
        );
      throw err;
    } finally {
      unsubscribe();
    }
    const w = skippedRolesWarning(done.skipped, user);
    if (w) warnings.push(w);
    const tables = await countIn(target, live, o.connectTimeoutMs);
    checkAgainstManifest(m, tables, true);
    return {
      method: `${done.method} ${tool.version} in place, one transaction`,
      how: 'in-place',
      tables,
      extraTables,
      extraTablesKeptIn:
        'the safety backup (tables outside the backup’s schemas are left as they are)',
      warnings,
    };
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/**
 * keep-replaced: <duration>: drops the databases earlier rollbacks kept of `live` once older
 * than that (never the one just kept). A copy that cannot be dropped costs a warning line.
 */
async function dropExpiredKept(
  admin: pg.Client,
  o: LiveRestoreOptions,
  live: string,
  justKept: string,
): Promise<string[]> {
  if (!o.keepReplaced || o.keptMaxAgeMs === undefined) return [];
  const r = await admin.query<{ datname: string }>('SELECT datname FROM pg_database');
  const expired = expiredKeptDatabases(
    live,
    r.rows.map((x) => x.datname),
    o.now,
    o.keptMaxAgeMs,
  ).filter((n) => n !== justKept);
  const dropped: string[] = [];
  for (const name of expired) {
    try {
      if (await dropDatabase(admin, name)) dropped.push(name);
    } catch (err) {
      o.log(`could not drop the expired copy '${name}': ${errorMessage(err)}`);
    }
  }
  if (dropped.length > 0)
    o.log(
      `dropped ${dropped.length} copy(ies) kept by earlier rollbacks, older than keep-replaced: ${dropped.join(', ')}`,
    );
  return dropped;
}
