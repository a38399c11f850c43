import { createHash } from 'node:crypto';
import { openSync, closeSync, writeSync, readFileSync, unlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError, errorMessage } from '../kit/errors.js';
import { formatDuration } from '../kit/durations.js';
import { connectMysql, connectPostgres } from '../db/connection.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, describeTarget, type DatabaseTarget } from '../db/url.js';

/** An advisory lock held around apply/revert so two runners never interleave. */
export interface HeldLock {
  waitedMs: number;
  release(): Promise<void>;
}

const LOCK_NAME = 'runbook-actions/migrate';
const POLL_MS = 250;

/** The pg_advisory_lock key: the first 8 bytes of sha256(LOCK_NAME) as a signed bigint. */
export function postgresLockKey(): string {
  return createHash('sha256').update(LOCK_NAME).digest().readBigInt64BE(0).toString();
}

/** GET_LOCK names are server-wide (64 characters at most), so the database is part of it. */
export function mysqlLockName(database: string): string {
  const name = `runbook-migrate:${database}`;
  return name.length <= 64
    ? name
    : `runbook-migrate:${createHash('sha256').update(database).digest('hex').slice(0, 40)}`;
}

export function sqliteLockPath(dbPath: string): string {
  return `${dbPath}.migrate-lock`;
}

function timeoutError(t: DatabaseTarget, waitMs: number, holder?: string): UserError {
  const who = holder ? ` (${holder})` : '';
  return new UserError(
    `another migration run holds the migration lock on the ${describeTarget(t)}${who}; gave up after waiting ${formatDuration(waitMs)} (lock-wait). Run again when it has finished, or raise lock-wait.`,
  );
}

export async function acquireMigrationLock(
  t: DatabaseTarget,
  waitMs: number,
  log: (line: string) => void = () => undefined,
): Promise<HeldLock> {
  const started = Date.now();
  const deadline = started + waitMs;
  let announced = false;
  const waiting = (): void => {
    if (!announced)
      log(`waiting up to ${formatDuration(waitMs)} for the migration lock held by another run`);
    announced = true;
  };

  if (t.engine === 'postgres') {
    const client = await connectPostgres(
      'database-url',
      t,
      t.database,
      t.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      'runbook-migrate',
    );
    const key = postgresLockKey();
    try {
      for (;;) {
        const r = await client.query<{ ok: boolean }>(
          'SELECT pg_try_advisory_lock($1::bigint) AS ok',
          [key],
        );
        if (r.rows[0]?.ok) break;
        if (Date.now() >= deadline) {
          const holder = await client
            .query<{ pid: number }>(
              `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1`,
            )
            .then((q) => (q.rows[0] ? `backend pid ${q.rows[0].pid}` : undefined))
            .catch(() => undefined);
          throw timeoutError(t, waitMs, holder);
        }
        waiting();
        await sleep(POLL_MS);
      }
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return {
      waitedMs: Date.now() - started,
      release: async () => {
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  }

  if (t.engine === 'mysql') {
    const conn = await connectMysql(
      'database-url',
      t,
      t.database,
      t.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    );
    const name = mysqlLockName(t.database);
    try {
      for (;;) {
        const [rows] = await conn.query('SELECT GET_LOCK(?, 0) AS ok', [name]);
        const ok = (rows as Array<{ ok: number | null }>)[0]?.ok;
        if (ok === 1) break;
        if (Date.now() >= deadline) throw timeoutError(t, waitMs);
        waiting();
        await sleep(POLL_MS);
      }
    } catch (err) {
      await conn.end().catch(() => undefined);
      throw err;
    }
    return {
      waitedMs: Date.now() - started,
      release: async () => {
        await conn.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => undefined);
        await conn.end().catch(() => undefined);
      },
    };
  }

  // sqlite: a lock file beside the database, holding the owner's pid
  if (t.engine !== 'sqlite') throw new Error(`no migration lock for engine ${t.engine}`);
  const lockPath = sqliteLockPath(t.path);
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new UserError(
          `cannot create the migration lock file ${lockPath}: ${errorMessage(err)}`,
        );
      }
      const holder = Number(readFileSafe(lockPath));
      if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
        // the run that created it is gone (killed runner): the lock is stale
        try {
          unlinkSync(lockPath);
        } catch {
          // another run removed it first
        }
        continue;
      }
      if (Date.now() >= deadline)
        throw timeoutError(t, waitMs, `lock file ${lockPath}, pid ${holder}`);
      waiting();
      await sleep(POLL_MS);
    }
  }
  return {
    waitedMs: Date.now() - started,
    release: async () => {
      try {
        unlinkSync(lockPath);
      } catch {
        // already gone
      }
    },
  };
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs fn while holding the lock; always releases it. */
export async function withMigrationLock<T>(
  t: DatabaseTarget,
  waitMs: number,
  log: (line: string) => void,
  fn: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const lock = await acquireMigrationLock(t, waitMs, log);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
