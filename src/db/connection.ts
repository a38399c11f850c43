import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import * as core from '@actions/core';
import type pg from 'pg';
import type { Connection as MysqlConnection } from 'mysql2/promise';
import { InputError } from '../kit/errors.js';
import { formatDuration } from '../kit/durations.js';
import { redact } from '../kit/secrets.js';
import {
  attempts,
  checkTls,
  describeTls,
  effectiveMode,
  hostProblem,
  mysqlDriverSsl,
  nodeTlsOptions,
  tlsProblem,
} from './tls.js';
import type { ServerTarget } from './url.js';

/**
 * The one way every action connects to a PostgreSQL or MySQL/MariaDB server: the target's
 * TLS settings with libpq's meaning (see tls.ts), the connect-timeout, and one style of
 * connection error — a line naming the input and what to check.
 */

type ErrorLike = { code?: string; errno?: number; message?: string };

/** The server refused a plain connection because it accepts only TLS ones. */
function tlsRequiredByServer(err: unknown): boolean {
  const e = err as ErrorLike;
  const msg = e.message ?? '';
  return /no pg_hba\.conf entry .*no encryption/i.test(msg) || /insecure transport/i.test(msg);
}

/** MariaDB refuses a plain login under require_secure_transport as "Access denied". */
function mysqlAccessDenied(err: unknown): boolean {
  const e = err as ErrorLike;
  return e.code === 'ER_ACCESS_DENIED_ERROR' || e.errno === 1045;
}

/** Whether a failed attempt should be followed by the mode's next one (allow, prefer). */
function tryNext(err: unknown, usedTls: boolean): boolean {
  if (usedTls) {
    // libpq's prefer: a TLS attempt that fails as TLS (or that pg_hba refuses) falls back to plain
    const e = err as ErrorLike;
    return tlsProblem(err) !== undefined || e.code === '28000';
  }
  return tlsRequiredByServer(err) || mysqlAccessDenied(err);
}

function tlsHint(target: ServerTarget, err: unknown): string | undefined {
  const problem = tlsProblem(err);
  if (problem) return `${problem} (${describeTls(target)})`;
  const fix =
    target.engine === 'mysql'
      ? 'set ssl-mode=REQUIRED or VERIFY_IDENTITY'
      : 'set sslmode=require or verify-full';
  if (tlsRequiredByServer(err) && effectiveMode(target) === 'disable')
    return `the server accepts only TLS connections (sslmode=disable); ${fix}.`;
  return undefined;
}

/** Turns a PostgreSQL connection failure into one line naming the input and what to check. */
export function pgConnectError(
  input: string,
  target: ServerTarget,
  database: string,
  err: unknown,
  timeoutMs: number,
): InputError {
  const e = err as ErrorLike;
  const where = `${target.host}:${target.port}`;
  const msg = redact(e.message ?? String(err));
  const tls = tlsHint(target, err);
  if (tls) return new InputError(input, `cannot connect to PostgreSQL at ${where}: ${tls}`);
  if (e.code === 'ECONNREFUSED')
    return new InputError(
      input,
      `cannot connect to PostgreSQL at ${where}: connection refused (is the server running, is the port right?).`,
    );
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
    return new InputError(input, `host '${target.host}' was not found.`);
  if (e.code === 'ETIMEDOUT' || /timeout/i.test(msg)) {
    return new InputError(
      input,
      `PostgreSQL at ${where} did not answer within ${formatDuration(timeoutMs)} (connect-timeout).`,
    );
  }
  if (e.code === '28P01' || e.code === '28000') {
    return new InputError(
      input,
      `authentication failed for user '${target.user || '(default)'}' at ${where}: ${msg}`,
    );
  }
  if (e.code === '3D000')
    return new InputError(input, `database '${database}' does not exist on ${where}.`);
  return new InputError(input, `cannot connect to PostgreSQL at ${where}: ${msg}`);
}

/** Turns a MySQL/MariaDB connection failure into one line naming the input and what to check. */
export function mysqlConnectError(
  input: string,
  target: ServerTarget,
  database: string,
  err: unknown,
  timeoutMs: number,
): InputError {
  const e = err as ErrorLike;
  const where = `${target.host}:${target.port}`;
  const msg = redact(e.message ?? String(err));
  const tls = tlsHint(target, err);
  if (tls) return new InputError(input, `cannot connect to MySQL/MariaDB at ${where}: ${tls}`);
  if (e.code === 'ECONNREFUSED')
    return new InputError(
      input,
      `cannot connect to MySQL/MariaDB at ${where}: connection refused (is the server running, is the port right?).`,
    );
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
    return new InputError(input, `host '${target.host}' was not found.`);
  if (
    e.code === 'ETIMEDOUT' ||
    e.code === 'PROTOCOL_SEQUENCE_TIMEOUT' ||
    /timed? ?out/i.test(msg)
  ) {
    return new InputError(
      input,
      `MySQL/MariaDB at ${where} did not answer within ${formatDuration(timeoutMs)} (connect-timeout).`,
    );
  }
  if (mysqlAccessDenied(err)) {
    // MariaDB gives no other sign that it refused a plain connection for want of TLS
    const plain =
      effectiveMode(target) === 'disable'
        ? '; the connection was not encrypted (ssl-mode=DISABLED): if the server requires TLS (require_secure_transport), set ssl-mode=REQUIRED or VERIFY_IDENTITY'
        : '';
    return new InputError(
      input,
      `authentication failed for user '${target.user}' at ${where}: ${msg}${plain}`,
    );
  }
  if (e.code === 'ER_BAD_DB_ERROR' || e.errno === 1049)
    return new InputError(input, `database '${database}' does not exist on ${where}.`);
  return new InputError(input, `cannot connect to MySQL/MariaDB at ${where}: ${msg}`);
}

/**
 * A connected pg client. `allow`/`prefer` make a second attempt the other way round when
 * the first fails for TLS reasons, as libpq does.
 */
export async function connectPostgres(
  input: string,
  target: ServerTarget,
  database: string,
  timeoutMs: number,
  applicationName = 'runbook-actions',
): Promise<pg.Client> {
  checkTls(input, target);
  const { default: pgModule } = await import('pg');
  const tries = attempts(target);
  for (let i = 0; ; i++) {
    const useTls = tries[i];
    const client = new pgModule.Client({
      host: target.host,
      port: target.port,
      user: target.user || undefined,
      password: target.password || undefined,
      database,
      ssl: useTls ? nodeTlsOptions(target) : false,
      connectionTimeoutMillis: timeoutMs,
      application_name: applicationName,
    });
    // a server that goes away later must fail the running query, not crash the process
    client.on('error', (err) => core.debug(`postgres connection error: ${redact(err.message)}`));
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (i + 1 < tries.length && tryNext(err, useTls)) continue;
      throw pgConnectError(input, target, database, err, timeoutMs);
    }
  }
}

/** The peer certificate of a mysql2 connection's TLS socket, when it has one. */
function mysqlPeerCertificate(conn: MysqlConnection): PeerCertificate | undefined {
  const inner = (conn as unknown as { connection?: { stream?: unknown } }).connection;
  const stream = inner?.stream as { getPeerCertificate?: () => PeerCertificate } | undefined;
  return stream?.getPeerCertificate?.();
}

async function mysqlAttempt(
  target: ServerTarget,
  database: string | undefined,
  timeoutMs: number,
  useTls: boolean,
  multipleStatements: boolean,
): Promise<MysqlConnection> {
  const mysql = await import('mysql2/promise');
  const pending = mysql.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database,
    ssl: useTls ? mysqlDriverSsl(target) : undefined,
    connectTimeout: timeoutMs,
    multipleStatements,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  let timedOut = false;
  // mysql2's connectTimeout does not cover a server that accepts TCP and then says nothing
  const timer = new Promise<never>((_, reject) => {
    setTimeout(() => {
      timedOut = true;
      reject(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
    }, timeoutMs).unref();
  });
  pending.then(
    (late) => {
      if (timedOut) late.destroy();
    },
    () => undefined,
  );
  return Promise.race([pending, timer]);
}

/** A connected mysql2 connection (`database` undefined: none selected). */
export async function connectMysql(
  input: string,
  target: ServerTarget,
  database: string | undefined,
  timeoutMs: number,
  opts: { multipleStatements?: boolean } = {},
): Promise<MysqlConnection> {
  checkTls(input, target);
  const tries = attempts(target);
  for (let i = 0; ; i++) {
    const useTls = tries[i];
    let conn: MysqlConnection;
    try {
      conn = await mysqlAttempt(
        target,
        database,
        timeoutMs,
        useTls,
        opts.multipleStatements ?? false,
      );
    } catch (err) {
      if (i + 1 < tries.length && tryNext(err, useTls)) continue;
      throw mysqlConnectError(input, target, database ?? '', err, timeoutMs);
    }
    conn.on('error', (err: Error) => core.debug(`mysql connection error: ${redact(err.message)}`));
    if (useTls && effectiveMode(target) === 'verify-full') {
      // mysql2 skips the host name check for IP addresses; verify-full means it, always
      const cert = mysqlPeerCertificate(conn);
      const problem = cert
        ? hostProblem(checkServerIdentity, target.host, cert)
        : 'server certificate verify failed: no certificate';
      if (problem) {
        conn.destroy();
        throw new InputError(
          input,
          `cannot connect to MySQL/MariaDB at ${target.host}:${target.port}: ${problem} (${describeTls(target)})`,
        );
      }
    }
    return conn;
  }
}
