/**
 * A throwaway PostgreSQL server: initdb into a temp dir and the postmaster run directly as
 * user `postgres` (via setpriv, so the PID we hold is the postmaster's), TCP on 127.0.0.1 with
 * scram-sha-256 password auth, the unix socket in the temp dir.
 */
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import {
  ensureService,
  freePort,
  randomPassword,
  removeDir,
  runTool,
  startProcess,
  systemUser,
  tempDir,
  type ManagedProcess,
} from './common.js';

export interface PostgresOptions {
  /** major version to run; default: 15 if installed, else the newest installed */
  major?: number;
  /** the superuser password; default: random, with URL-special characters */
  password?: string;
  /** extra `-c name=value` server settings */
  settings?: Record<string, string>;
  startTimeoutMs?: number;
  /**
   * TLS: `ssl=on` with this certificate and key; pg_hba.conf then admits TCP clients only
   * over TLS (`hostssl`), so a plain connection is refused.
   */
  tls?: { certFile: string; keyFile: string };
}

export interface PostgresServer {
  host: '127.0.0.1';
  port: number;
  user: 'postgres';
  password: string;
  /** e.g. '15.18' */
  version: string;
  major: number;
  /** /usr/lib/postgresql/<major>/bin (pg_dump, psql, pg_restore ... of the same major) */
  binDir: string;
  /** the temp dir holding everything (removed by stop()) */
  dir: string;
  dataDir: string;
  socketDir: string;
  logFile: string;
  /** the postmaster's PID (changes on restart()) */
  readonly pid: number;
  /** libpq environment for client tools: PGHOST, PGPORT, PGUSER, PGPASSWORD */
  env: Record<string, string>;
  /** postgres://postgres:<percent-encoded password>@127.0.0.1:<port>/<db> */
  url(db?: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    db?: string,
  ): Promise<R[]>;
  /** fast shutdown (if running), then start again on the same port and data */
  restart(): Promise<void>;
  /** stops the server (fast shutdown) and removes the temp dir; safe to call twice */
  stop(): Promise<void>;
  /** immediate shutdown (SIGQUIT): no checkpoint, like a crash; the data dir stays */
  kill(): Promise<void>;
}

const BASE = '/usr/lib/postgresql';

function pickMajor(wanted?: number): number {
  const installed = existsSync(BASE)
    ? readdirSync(BASE)
        .map(Number)
        .filter((m) => Number.isInteger(m) && existsSync(`${BASE}/${m}/bin/initdb`))
        .sort((a, b) => a - b)
    : [];
  if (wanted !== undefined) {
    if (!installed.includes(wanted)) {
      throw new Error(
        `PostgreSQL ${wanted} is not installed (have: ${installed.join(', ') || 'none'})`,
      );
    }
    return wanted;
  }
  if (installed.includes(15)) return 15;
  const newest = installed.at(-1);
  if (newest === undefined) throw new Error(`no PostgreSQL under ${BASE}`);
  return newest;
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  ensureService('postgres');
  const major = pickMajor(options.major);
  const binDir = `${BASE}/${major}/bin`;
  const password = options.password ?? randomPassword();
  const owner = systemUser('postgres');
  const asPostgres = [
    `--reuid=${owner.uid}`,
    `--regid=${owner.gid}`,
    '--init-groups',
    '--reset-env',
    '--',
  ];

  const dir = tempDir('rb-pg');
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  const logFile = join(dir, 'postgres.log');
  let proc: ManagedProcess | undefined;
  let stopped = false;
  try {
    mkdirSync(socketDir);
    const pwFile = join(dir, 'pwfile');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    for (const p of [dir, socketDir, pwFile]) chownSync(p, owner.uid, owner.gid);

    const versionText = await runTool(`${binDir}/postgres`, ['--version']);
    const version = /\(PostgreSQL\)\s+(\d+(?:\.\d+)*)/.exec(versionText)?.[1] ?? String(major);

    await runTool(
      'setpriv',
      [
        ...asPostgres,
        `${binDir}/initdb`,
        '-D',
        dataDir,
        '-U',
        'postgres',
        `--pwfile=${pwFile}`,
        '--auth-host=scram-sha-256',
        '--auth-local=trust',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
        '--no-sync',
      ],
      { cwd: dir },
    );
    await removeDir(pwFile);
    const tlsSettings: Record<string, string> = {};
    if (options.tls) {
      // the server reads its key only when the postgres user owns it, mode 0600
      const cert = join(dir, 'server.crt');
      const key = join(dir, 'server.key');
      copyFileSync(options.tls.certFile, cert);
      copyFileSync(options.tls.keyFile, key);
      for (const f of [cert, key]) chownSync(f, owner.uid, owner.gid);
      Object.assign(tlsSettings, { ssl: 'on', ssl_cert_file: cert, ssl_key_file: key });
      writeFileSync(
        join(dataDir, 'pg_hba.conf'),
        'local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n',
      );
    }

    let port = await freePort();
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: socketDir,
      password_encryption: 'scram-sha-256',
      // no fsync: data survives a server crash (kill()), just not a machine crash
      fsync: 'off',
      logging_collector: 'off',
      ...tlsSettings,
      ...options.settings,
    };
    const serverArgs = [
      `${binDir}/postgres`,
      '-D',
      dataDir,
      '-p',
      String(port),
      ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    ];

    const url = (db = 'postgres'): string =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(db)}`;

    const query = async <R extends pg.QueryResultRow = Record<string, unknown>>(
      sql: string,
      params?: unknown[],
      db = 'postgres',
    ): Promise<R[]> => {
      const client = new pg.Client({
        host: '127.0.0.1',
        port,
        user: 'postgres',
        password,
        database: db,
        connectionTimeoutMillis: 10_000,
        // the fixture's own queries: encrypted (hostssl), not verified
        ssl: options.tls ? { rejectUnauthorized: false } : false,
      });
      await client.connect();
      try {
        const result = await client.query<R>(sql, params);
        return result.rows;
      } finally {
        await client.end().catch(() => undefined);
      }
    };

    const launch = async (): Promise<void> => {
      proc = startProcess({
        name: 'postgres',
        command: 'setpriv',
        args: [...asPostgres, ...serverArgs],
        cwd: dir,
        logFile,
        cleanupDir: dir,
        // SIGTERM is "smart" shutdown, which waits for clients; SIGINT is "fast"
        stopSignal: 'SIGINT',
        stopTimeoutMs: 15_000,
      });
      await proc.waitReady(
        async () => {
          await query('SELECT 1');
          return true;
        },
        options.startTimeoutMs ?? 60_000,
        `PostgreSQL on 127.0.0.1:${port}`,
      );
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await launch();
        break;
      } catch (err) {
        // another worker may have taken the port between freePort() and bind()
        if (attempt >= 3 || !/already in use/i.test(String(err))) throw err;
        await proc?.stop();
        port = await freePort();
        serverArgs[4] = String(port);
      }
    }

    const server: PostgresServer = {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password,
      version,
      major,
      binDir,
      dir,
      dataDir,
      socketDir,
      logFile,
      get pid() {
        return proc?.pid ?? -1;
      },
      env: {
        PGHOST: '127.0.0.1',
        PGPORT: String(port),
        PGUSER: 'postgres',
        PGPASSWORD: password,
      },
      url,
      async createDatabase(name) {
        await query(`CREATE DATABASE ${quoteIdent(name)}`);
      },
      async dropDatabase(name) {
        await query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      },
      query,
      async restart() {
        if (stopped) throw new Error('postgres: restart() after stop()');
        await proc?.stop();
        await launch();
      },
      async stop() {
        stopped = true;
        await proc?.stop();
        await removeDir(dir);
      },
      async kill() {
        await proc?.kill('SIGQUIT');
      },
    };
    return server;
  } catch (err) {
    await proc?.stop().catch(() => undefined);
    await removeDir(dir).catch(() => undefined);
    throw err;
  }
}
