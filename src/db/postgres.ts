import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import type pg from 'pg';
import { InputError, UserError, errorMessage } from '../kit/errors.js';
import { connectPostgres } from './connection.js';
import { execArgv } from '../kit/exec.js';
import { redact } from '../kit/secrets.js';
import { scanDecompressed } from './compression.js';
import {
  randomSuffix,
  type BackupOnDisk,
  type DumpPlan,
  type DumpTarget,
  type EngineSession,
  type RestoreCheck,
  storedAsBackup,
} from './engine.js';
import {
  choosePgClient,
  parsePgToolVersion,
  pgConnectionEnv,
  pgDumpArgv,
  pgMajorOfVersionNum,
  pgRestoreListArgv,
  tocHasTableData,
  type PgClientCandidate,
} from './postgres-argv.js';
import { createDatabaseLike } from './postgres-database.js';
import {
  pgArchiveInput,
  restorePgArchive,
  skippedRolesWarning,
  type PgArchive,
} from './postgres-restore.js';
import { countPgTables, type TableRef } from './postgres-tables.js';
import type { DatabaseTarget, ServerTarget } from './url.js';

const PG_LIB = '/usr/lib/postgresql';
const PLAIN_MARKER = '-- PostgreSQL database dump complete';

type Client = pg.Client;

export { pgConnectError } from './connection.js';

/** A pg client of `database` on the target's server, with its TLS settings (connection.ts). */
export async function connect(
  input: string,
  target: ServerTarget,
  database: string,
  timeoutMs: number,
  applicationName = 'runbook-backup-db',
): Promise<Client> {
  return connectPostgres(input, target, database, timeoutMs, applicationName);
}

async function toolVersion(binDir: string | undefined): Promise<PgClientCandidate | undefined> {
  const file = binDir ? join(binDir, 'pg_dump') : 'pg_dump';
  try {
    const r = await execArgv([file, '--version'], { timeoutMs: 15_000 });
    const v = parsePgToolVersion(r.stdout);
    return v ? { binDir, ...v } : undefined;
  } catch {
    return undefined;
  }
}

/** pg_dump candidates: /usr/lib/postgresql/<major>/bin first (the exact major alone when present), then PATH. */
export async function findClient(
  serverMajor: number,
  serverVersion: string,
): Promise<PgClientCandidate> {
  const dirs = existsSync(PG_LIB)
    ? readdirSync(PG_LIB)
        .map((d) => join(PG_LIB, d, 'bin'))
        .filter((d) => existsSync(join(d, 'pg_dump')))
    : [];
  const exactDir = join(PG_LIB, String(serverMajor), 'bin');
  const candidates: PgClientCandidate[] = [];
  if (dirs.includes(exactDir)) {
    const exact = await toolVersion(exactDir);
    if (exact) candidates.push(exact);
  }
  if (candidates.length === 0) {
    for (const d of dirs) {
      const c = await toolVersion(d);
      if (c) candidates.push(c);
    }
    const onPath = await toolVersion(undefined);
    if (onPath) candidates.push(onPath);
  }
  const chosen = choosePgClient(serverMajor, serverVersion, candidates);
  if (typeof chosen === 'string') throw new UserError(chosen);
  return chosen;
}

export class PostgresSession implements EngineSession {
  readonly engine = 'postgres' as const;
  readonly database: string;
  private tableRefs: TableRef[] = [];
  private closed = false;

  private constructor(
    private readonly input: string,
    private readonly target: ServerTarget,
    private readonly client: Client,
    readonly serverVersion: string,
    private readonly tool: PgClientCandidate,
    private readonly connectTimeoutMs: number,
  ) {
    this.database = target.database;
  }

  get clientVersion(): string {
    return `pg_dump ${this.tool.version}`;
  }

  static async open(
    input: string,
    target: ServerTarget,
    connectTimeoutMs: number,
  ): Promise<PostgresSession> {
    const client = await connect(input, target, target.database, connectTimeoutMs);
    try {
      const r = await client.query<{ num: string; v: string }>(
        `SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS v`,
      );
      const num = Number(r.rows[0].num);
      const version = r.rows[0].v.split(' ')[0];
      const tool = await findClient(pgMajorOfVersionNum(num), version);
      return new PostgresSession(input, target, client, version, tool, connectTimeoutMs);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  resolvePlan(plan: DumpPlan): DumpPlan {
    if (plan.format === 'plain' || plan.compression !== 'zstd') return plan;
    // pg_dump learned zstd in 16; older ones get a zstd stream around an uncompressed archive
    if (this.tool.major >= 16) return { ...plan, compressedBy: 'tool' };
    if (plan.format === 'directory') {
      throw new InputError(
        'compression',
        `zstd with format: directory needs pg_dump 16 or newer (found ${this.tool.version}); use gzip or none.`,
      );
    }
    return { ...plan, compressedBy: 'stream' };
  }

  private env(
    database: string,
    target: ServerTarget = this.target,
  ): Record<string, string | undefined> {
    return {
      ...pgConnectionEnv(target, database, this.connectTimeoutMs),
      PGAPPNAME: 'runbook-backup-db:pg_dump',
    };
  }

  async dump(plan: DumpPlan, target: DumpTarget): Promise<Record<string, number>> {
    let snapshot: string | undefined;
    try {
      await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      snapshot = (await this.client.query<{ s: string }>('SELECT pg_export_snapshot() AS s'))
        .rows[0].s;
    } catch (err) {
      // e.g. a standby without snapshot export: counts then come from a separate snapshot
      core.warning(
        `could not export a snapshot, row counts may differ from the dump: ${redact(String(err))}`,
      );
      await this.client.query('ROLLBACK').catch(() => undefined);
      await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    }
    const argv = pgDumpArgv(this.tool.binDir, plan, {
      snapshot,
      directory: target.kind === 'directory' ? target.path : undefined,
    });
    core.info(`Running ${argv.map((a) => redact(a)).join(' ')}`);
    const counting = countPgTables(this.client);
    counting.catch(() => undefined);
    try {
      await execArgv(argv, {
        env: this.env(this.target.database),
        stdout: target.kind === 'stream' ? target.sink : 'ignore',
        timeoutMs: plan.timeoutMs,
        onStderrLine: (line) => core.info(`pg_dump: ${line}`),
        label: 'pg_dump',
      });
    } catch (err) {
      await this.abortCounting();
      throw err;
    }
    let counted: Awaited<typeof counting>;
    try {
      counted = await counting;
    } catch (err) {
      throw new UserError(`counting rows failed: ${redact(errorMessage(err))}`);
    }
    await this.client.query('COMMIT').catch(() => undefined);
    this.tableRefs = counted.refs;
    return counted.counts;
  }

  /** The counts may wait on a lock that a failed dump will never see released: cancel them. */
  private async abortCounting(): Promise<void> {
    this.closed = true;
    const pid = (this.client as unknown as { processID?: number | null }).processID;
    if (pid) {
      try {
        const other = await connect(this.input, this.target, this.target.database, 5000);
        await other.query('SELECT pg_cancel_backend($1)', [pid]).finally(() => other.end());
      } catch {
        // the server may be gone, which ends the counts too
      }
    }
    await this.client.end().catch(() => undefined);
  }

  async verifyStructure(
    backup: BackupOnDisk,
    tables: Record<string, number>,
  ): Promise<{ checked: string; missing: string[] }> {
    const { plan, path } = backup;
    if (plan.format === 'plain') {
      const scan = await scanDecompressed(path, storedAsBackup(backup));
      if (!scan.tail.includes(PLAIN_MARKER)) {
        throw new UserError(
          `the plain dump does not end with pg_dump's completion marker; it is incomplete.`,
        );
      }
      return {
        checked: `${plan.compression === 'none' ? 'SQL' : `${plan.compression} stream`} read whole, completion marker present`,
        missing: [],
      };
    }
    const input = pgArchiveInput(this.archiveOf(backup));
    const r = await execArgv(
      pgRestoreListArgv(this.tool.binDir, input.kind === 'path' ? input.path : undefined),
      {
        stdin: input.kind === 'stream' ? input.open() : undefined,
        timeoutMs: plan.timeoutMs,
        label: 'pg_restore --list',
      },
    );
    const entries = r.stdout.split('\n').filter((l) => /^\d+;/.test(l)).length;
    const refs = this.tableRefs.length > 0 ? this.tableRefs : Object.keys(tables).map(splitName);
    const missing = refs
      .filter((t) => !tocHasTableData(r.stdout, t.schema, t.name))
      .map((t) => `${t.schema}.${t.name}`);
    return {
      checked: `pg_restore --list: ${entries} entries, table data for ${refs.length - missing.length} of ${refs.length} tables`,
      missing,
    };
  }

  async verifyRestore(
    backup: BackupOnDisk,
    scratch: DatabaseTarget | undefined,
  ): Promise<RestoreCheck> {
    const server: ServerTarget = scratch && scratch.engine === 'postgres' ? scratch : this.target;
    const input = scratch ? 'verify-database-url' : this.input;
    const name =
      scratch && scratch.engine === 'postgres'
        ? scratch.database
        : `${this.database.slice(0, 40)}_verify_${randomSuffix()}`;
    const admin =
      server === this.target
        ? this.client
        : await connect(input, server, 'postgres', this.connectTimeoutMs);
    let created = false;
    let dropped = false;
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount) {
        throw new InputError(
          'verify-database-url',
          `database '${name}' already exists; name one that does not exist (backup-db creates it, restores into it and drops it).`,
        );
      }
      // the same creation and restore as rollback's, so this check proves what rollback does
      if (server === this.target) {
        for (const w of await createDatabaseLike(admin, name, this.database)) core.warning(w);
      } else {
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE template0`);
      }
      created = true;
      const done = await restorePgArchive({
        client: admin,
        server,
        database: name,
        archive: this.archiveOf(backup),
        binDir: this.tool.binDir,
        connectTimeoutMs: this.connectTimeoutMs,
        timeoutMs: backup.plan.timeoutMs,
        singleTransaction: false,
        appName: 'runbook-backup-db:restore-check',
        label: 'restore check',
      });
      const user = (await admin.query<{ u: string }>('SELECT current_user AS u')).rows[0].u;
      const warning = skippedRolesWarning(done.skipped, user);
      if (warning) core.warning(`restore check: ${warning}`);
      const scratchClient = await connect(input, server, name, this.connectTimeoutMs);
      let counts: Record<string, number>;
      try {
        counts = (await countPgTables(scratchClient)).counts;
      } finally {
        await scratchClient.end().catch(() => undefined);
      }
      const gone = await this.drop(admin, name);
      dropped = true;
      return { scratch: `database ${name}`, tables: counts, dropped: gone };
    } finally {
      if (created && !dropped)
        await this.drop(admin, name).catch((err) =>
          core.warning(`could not drop scratch database ${name}: ${redact(String(err))}`),
        );
      if (admin !== this.client) await admin.end().catch(() => undefined);
    }
  }

  private archiveOf(backup: BackupOnDisk): PgArchive {
    const { plan } = backup;
    return {
      path: backup.path,
      format: plan.format,
      stored: storedAsBackup(backup),
      jobs: plan.jobs,
    };
  }

  private async drop(admin: Client, name: string): Promise<boolean> {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return !left.rowCount;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }
}

function splitName(key: string): TableRef {
  const dot = key.indexOf('.');
  return { schema: key.slice(0, dot), name: key.slice(dot + 1) };
}
