import type pg from 'pg';
import type { Connection as MysqlConnection } from 'mysql2/promise';
import { UserError, errorMessage } from '../kit/errors.js';
import { redact } from '../kit/secrets.js';
import { describeTarget, type DatabaseTarget } from './database-url.js';

const CONNECT_TIMEOUT_MS = 15_000;

function connectError(t: DatabaseTarget, err: unknown): UserError {
  return new UserError(`cannot connect to the ${describeTarget(t)}: ${redact(errorMessage(err))}`);
}

export async function connectPostgres(t: DatabaseTarget): Promise<pg.Client> {
  // pg and mysql2 load only on the path that needs them (startup time of the bundle)
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    database: t.database,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'runbook-migrate',
  });
  // a dropped connection must not crash the process; the next query reports it
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw connectError(t, err);
  }
  return client;
}

export async function connectMysql(t: DatabaseTarget): Promise<MysqlConnection> {
  const mysql = await import('mysql2/promise');
  try {
    const conn = await mysql.createConnection({
      host: t.host,
      port: t.port,
      user: t.user,
      password: t.password,
      database: t.database,
      multipleStatements: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
    conn.on('error', () => undefined);
    return conn;
  } catch (err) {
    throw connectError(t, err);
  }
}
