/**
 * A throwaway MariaDB server: mariadb-install-db into a temp dir, mariadbd as root
 * (--user=root) on 127.0.0.1, the socket in the temp dir. root has a password
 * (mysql_native_password, which both mysql2 and mariadb-dump speak over TCP).
 */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import {
  ensureService,
  freePort,
  randomPassword,
  removeDir,
  runTool,
  startProcess,
  tempDir,
  type ManagedProcess,
} from './common.js';

export interface MariaDbOptions {
  /** root's password; default: random, with URL-special characters */
  password?: string;
  /** extra `--name=value` server options */
  settings?: Record<string, string>;
  startTimeoutMs?: number;
  /** TLS with this certificate and key, and `require_secure_transport=ON`: no plain clients */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export interface MariaDbServer {
  host: '127.0.0.1';
  port: number;
  user: 'root';
  password: string;
  /** e.g. '10.11.19' */
  version: string;
  /** what VERSION() says, e.g. '10.11.19-MariaDB-0+deb12u1' */
  fullVersion: string;
  dir: string;
  dataDir: string;
  socket: string;
  logFile: string;
  readonly pid: number;
  /** client environment: MYSQL_HOST, MYSQL_TCP_PORT, MYSQL_PWD */
  env: Record<string, string>;
  /** mysql://root:<percent-encoded password>@127.0.0.1:<port>/<db> (no path without db) */
  url(db?: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  /** the rows of a SELECT; [] for statements without a result set */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], db?: string): Promise<R[]>;
  /** graceful stop (if running), then start again on the same port and data */
  restart(): Promise<void>;
  /** stops the server and removes the temp dir; safe to call twice */
  stop(): Promise<void>;
  /** SIGKILL, like a crash; the data dir stays */
  kill(): Promise<void>;
}

const sqlString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const quoteIdent = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

function mariadbd(): string {
  return '/usr/sbin/mariadbd';
}

export async function startMariaDb(options: MariaDbOptions = {}): Promise<MariaDbServer> {
  ensureService('mariadb');
  const password = options.password ?? randomPassword();
  const dir = tempDir('rb-maria');
  const dataDir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const logFile = join(dir, 'mariadb.log');
  const initFile = join(dir, 'init.sql');
  let proc: ManagedProcess | undefined;
  let stopped = false;
  try {
    await runTool(
      'mariadb-install-db',
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        '--user=root',
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
      ],
      { cwd: dir },
    );
    const pw = sqlString(password);
    writeFileSync(
      initFile,
      [
        `CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'`,
        `ALTER USER 'root'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD(${pw})`,
        `ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(${pw})`,
        `GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION`,
        `DROP USER IF EXISTS 'root'@'::1'`,
        `DROP USER IF EXISTS 'root'@${sqlString(hostname())}`,
        '',
      ].join(';\n'),
      { mode: 0o600 },
    );

    let port = await freePort();
    const serverArgs = (withInit: boolean): string[] => [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--user=root',
      '--bind-address=127.0.0.1',
      `--port=${port}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir, 'mariadb.pid')}`,
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=32M',
      '--innodb-flush-log-at-trx-commit=2',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      ...(withInit ? [`--init-file=${initFile}`] : []),
      ...(options.tls
        ? [
            `--ssl-cert=${options.tls.certFile}`,
            `--ssl-key=${options.tls.keyFile}`,
            `--ssl-ca=${options.tls.caFile}`,
            '--require-secure-transport=ON',
          ]
        : []),
      ...Object.entries(options.settings ?? {}).map(([k, v]) => `--${k}=${v}`),
    ];

    const url = (db?: string): string =>
      `mysql://root:${encodeURIComponent(password)}@127.0.0.1:${port}${db ? `/${encodeURIComponent(db)}` : ''}`;

    const query = async <R = Record<string, unknown>>(
      sql: string,
      params?: unknown[],
      db?: string,
    ): Promise<R[]> => {
      const conn = await mysql.createConnection({
        host: '127.0.0.1',
        port,
        user: 'root',
        password,
        database: db,
        connectTimeout: 10_000,
        // the fixture's own queries: encrypted (require_secure_transport), not verified
        ssl: options.tls ? { rejectUnauthorized: false } : undefined,
      });
      try {
        const [rows] = await conn.query(sql, params);
        return Array.isArray(rows) ? (rows as R[]) : [];
      } finally {
        await conn.end().catch(() => undefined);
      }
    };

    const launch = async (withInit: boolean): Promise<void> => {
      proc = startProcess({
        name: 'mariadb',
        command: mariadbd(),
        args: serverArgs(withInit),
        cwd: dir,
        logFile,
        cleanupDir: dir,
        stopTimeoutMs: 30_000,
      });
      await proc.waitReady(
        async () => {
          await query('SELECT 1');
          return true;
        },
        options.startTimeoutMs ?? 60_000,
        `MariaDB on 127.0.0.1:${port}`,
      );
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await launch(true);
        break;
      } catch (err) {
        // another worker may have taken the port between freePort() and bind()
        if (attempt >= 3 || !/already in use|errno: 98/i.test(String(err))) throw err;
        await proc?.stop();
        port = await freePort();
      }
    }
    await removeDir(initFile);

    const fullVersion = String(
      (await query<{ v: string }>('SELECT VERSION() AS v'))[0]?.v ?? 'unknown',
    );
    const server: MariaDbServer = {
      host: '127.0.0.1',
      port,
      user: 'root',
      password,
      version: /^\d+(\.\d+)*/.exec(fullVersion)?.[0] ?? fullVersion,
      fullVersion,
      dir,
      dataDir,
      socket,
      logFile,
      get pid() {
        return proc?.pid ?? -1;
      },
      env: { MYSQL_HOST: '127.0.0.1', MYSQL_TCP_PORT: String(port), MYSQL_PWD: password },
      url,
      async createDatabase(name) {
        await query(`CREATE DATABASE ${quoteIdent(name)}`);
      },
      async dropDatabase(name) {
        await query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
      },
      query,
      async restart() {
        if (stopped) throw new Error('mariadb: restart() after stop()');
        await proc?.stop();
        await launch(false);
      },
      async stop() {
        stopped = true;
        await proc?.stop();
        await removeDir(dir);
      },
      async kill() {
        await proc?.kill('SIGKILL');
      },
    };
    return server;
  } catch (err) {
    await proc?.stop().catch(() => undefined);
    await removeDir(dir).catch(() => undefined);
    throw err;
  }
}
