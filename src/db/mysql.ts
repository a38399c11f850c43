import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import * as core from '@actions/core';
import type { Connection } from 'mysql2/promise';
import { InputError, UserError, errorMessage } from '../kit/errors.js';
import { execArgv } from '../kit/exec.js';
import { connectMysql } from './connection.js';
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
  MYSQL_DUMP_MARKER,
  mysqlDumpArgv,
  mysqlDumpHasMarker,
  mysqlEnv,
  parseMysqlToolVersion,
} from './mysql-argv.js';
import type { DatabaseTarget, ServerTarget } from './url.js';

const quoteIdent = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

/** The first of `names` found on PATH. */
export function findOnPath(names: readonly string[]): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export { mysqlConnectError } from './connection.js';

/** A mysql2 connection to the target's server, with its TLS settings (connection.ts). */
export async function connect(
  input: string,
  target: ServerTarget,
  database: string | undefined,
  timeoutMs: number,
): Promise<Connection> {
  return connectMysql(input, target, database, timeoutMs);
}

export async function countMysqlTables(
  conn: Connection,
  database: string,
): Promise<Record<string, number>> {
  const [rows] = await conn.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
    [database],
  );
  const counts: Record<string, number> = {};
  for (const { name } of rows as Array<{ name: string }>) {
    const [r] = await conn.query(
      `SELECT COUNT(*) AS n FROM ${quoteIdent(database)}.${quoteIdent(name)}`,
    );
    counts[name] = Number((r as Array<{ n: string }>)[0].n);
  }
  return counts;
}

export class MysqlSession implements EngineSession {
  readonly engine = 'mysql' as const;
  readonly database: string;
  private closed = false;

  private constructor(
    private readonly input: string,
    private readonly target: ServerTarget,
    private readonly conn: Connection,
    readonly serverVersion: string,
    private readonly dumpTool: string,
    private readonly clientTool: string,
    readonly clientVersion: string,
    private readonly connectTimeoutMs: number,
  ) {
    this.database = target.database;
  }

  static async open(
    input: string,
    target: ServerTarget,
    connectTimeoutMs: number,
  ): Promise<MysqlSession> {
    const dumpTool = findOnPath(['mariadb-dump', 'mysqldump']);
    const clientTool = findOnPath(['mariadb', 'mysql']);
    if (!dumpTool || !clientTool) {
      throw new UserError(
        'mariadb-dump/mysqldump and the mariadb/mysql client are needed; install mariadb-client or mysql-client.',
      );
    }
    const conn = await connect(input, target, target.database, connectTimeoutMs);
    try {
      const [rows] = await conn.query('SELECT VERSION() AS v');
      const serverVersion = String((rows as Array<{ v: string }>)[0].v);
      const v = await execArgv([dumpTool, '--version'], { timeoutMs: 15_000 });
      const toolName = dumpTool.split('/').pop() ?? dumpTool;
      const clientVersion = `${toolName} ${parseMysqlToolVersion(v.stdout) ?? v.stdout.trim()}`;
      return new MysqlSession(
        input,
        target,
        conn,
        serverVersion,
        dumpTool,
        clientTool,
        clientVersion,
        connectTimeoutMs,
      );
    } catch (err) {
      await conn.end().catch(() => undefined);
      throw err;
    }
  }

  resolvePlan(plan: DumpPlan): DumpPlan {
    return { ...plan, compressedBy: 'stream' };
  }

  async dump(plan: DumpPlan, target: DumpTarget): Promise<Record<string, number>> {
    if (target.kind !== 'stream') throw new Error('mysql dumps are single files');
    // counted in a consistent snapshot started just before the dump's own
    await this.conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    const argv = mysqlDumpArgv(this.dumpTool, this.target, plan);
    core.info(`Running ${argv.map((a) => redact(a)).join(' ')}`);
    const counting = countMysqlTables(this.conn, this.database);
    counting.catch(() => undefined);
    try {
      await execArgv(argv, {
        env: mysqlEnv(this.target),
        stdout: target.sink,
        timeoutMs: plan.timeoutMs,
        onStderrLine: (line) => core.info(`mysqldump: ${line}`),
        label: this.dumpTool.split('/').pop(),
      });
    } catch (err) {
      // the counts may be waiting on a lock the failed dump will never see released
      this.closed = true;
      this.conn.destroy();
      throw err;
    }
    let counts: Record<string, number>;
    try {
      counts = await counting;
    } catch (err) {
      throw new UserError(`counting rows failed: ${redact(errorMessage(err))}`);
    }
    await this.conn.query('COMMIT').catch(() => undefined);
    return counts;
  }

  async verifyStructure(backup: BackupOnDisk): Promise<{ checked: string; missing: string[] }> {
    const { plan, path } = backup;
    const scan = await scanDecompressed(path, storedAsBackup(backup));
    const what =
      plan.compression === 'none' ? 'SQL read whole' : `${plan.compression} stream read whole`;
    if (!mysqlDumpHasMarker(plan.extraArgs))
      return { checked: `${what} (no completion marker with comments off)`, missing: [] };
    if (!scan.tail.includes(MYSQL_DUMP_MARKER)) {
      throw new UserError(`the dump does not end with '${MYSQL_DUMP_MARKER}'; it is incomplete.`);
    }
    return { checked: `${what}, completion marker present`, missing: [] };
  }

  async verifyRestore(
    backup: BackupOnDisk,
    scratch: DatabaseTarget | undefined,
  ): Promise<RestoreCheck> {
    const server: ServerTarget = scratch && scratch.engine === 'mysql' ? scratch : this.target;
    const input = scratch ? 'verify-database-url' : this.input;
    const name =
      scratch && scratch.engine === 'mysql'
        ? scratch.database
        : `${this.database.slice(0, 40)}_verify_${randomSuffix()}`;
    const admin =
      server === this.target
        ? this.conn
        : await connect(input, server, undefined, this.connectTimeoutMs);
    let created = false;
    let dropped = false;
    try {
      const [exists] = await admin.query(
        'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [name],
      );
      if ((exists as unknown[]).length > 0) {
        throw new InputError(
          'verify-database-url',
          `database '${name}' already exists; name one that does not exist (backup-db creates it, restores into it and drops it).`,
        );
      }
      await admin.query(`CREATE DATABASE ${quoteIdent(name)} CHARACTER SET utf8mb4`);
      created = true;
      // the same load as rollback's (mysql-restore.ts), so this check proves what it does
      const { loadMysqlDump } = await import('./mysql-restore.js');
      await loadMysqlDump(
        this.clientTool,
        server,
        name,
        { path: backup.path, stored: storedAsBackup(backup) },
        {
          connectTimeoutMs: this.connectTimeoutMs,
          timeoutMs: backup.plan.timeoutMs,
          label: 'restore check',
        },
      );
      const counts = await countMysqlTables(admin, name);
      const gone = await this.drop(admin, name);
      dropped = true;
      return { scratch: `database ${name}`, tables: counts, dropped: gone };
    } finally {
      if (created && !dropped)
        await this.drop(admin, name).catch((err) =>
          core.warning(`could not drop scratch database ${name}: ${redact(String(err))}`),
        );
      if (admin !== this.conn) await admin.end().catch(() => undefined);
    }
  }

  private async drop(admin: Connection, name: string): Promise<boolean> {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    const [left] = await admin.query(
      'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [name],
    );
    return (left as unknown[]).length === 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.end().catch(() => undefined);
  }
}
