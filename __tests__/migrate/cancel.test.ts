import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { runAction } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { postgresLockKey } from '../../src/migrations/lock.js';
import { json, sqliteRows, sqlWorkspace } from './helpers.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/** Polls until check() is true (or fails the test after 60 s). */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('cancellation: SIGINT then SIGTERM, as the runner sends them', () => {
  test('PostgreSQL: the sleeping file is rolled back, the lock is free, the outputs name the last applied migration', async () => {
    await server.createDatabase('cancel_pg');
    const ws = sqlWorkspace({
      '0001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      '0002_slow.sql':
        'CREATE TABLE half_done (id int);\nINSERT INTO users VALUES (1);\nSELECT pg_sleep(30);\n',
      '0003_never.sql': 'CREATE TABLE never (id int);\n',
    });
    let pid = 0;
    const running = runAction(
      'migrate',
      { tool: 'sql', 'database-url': server.url('cancel_pg'), 'require-backup': 'false' },
      { workspace: ws, timeoutMs: 60_000, onStart: (p) => (pid = p) },
    );
    await until('the sleeping statement', async () => {
      const rows = await server.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = 'cancel_pg' AND query LIKE '%pg_sleep(30)%' AND state = 'active'",
      );
      return rows.length > 0;
    });
    process.kill(pid, 'SIGINT');
    await sleep(300);
    // the runner's second signal, while the first is being handled, must not cut it short
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already finished
    }
    const run = await running;
    expectNoSecret(run, [server.password]);

    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^migrate was cancelled \(SIGINT\) during 0002_slow\.sql; its transaction was rolled back: nothing of 0002_slow\.sql is applied\. 1 earlier migration\(s\) of this run stay applied\. Last applied migration: 0001\.$/,
      ),
    ]);
    expect(json(run, 'applied')).toEqual(['0001_users.sql']);
    expect(json(run, 'current-state')).toEqual({ version: '0001' });
    expect(json(run, 'pending')).toEqual(['0002_slow.sql', '0003_never.sql']);
    expect(run.summary).toContain('migrate was cancelled (SIGINT)');
    expect(run.summary).toContain('<td>Current state</td><td>{"version":"0001"}</td>');

    // on the real database: nothing of 0002, no 0003, the lock free, no session left behind
    const tables = await server.query<{ t: string }>(
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
      [],
      'cancel_pg',
    );
    expect(tables.map((r) => r.t)).toEqual(['schema_migrations', 'users']);
    expect(await server.query('SELECT id FROM users', [], 'cancel_pg')).toEqual([]);
    expect(
      (
        await server.query<{ version: string }>(
          'SELECT version FROM schema_migrations',
          [],
          'cancel_pg',
        )
      ).map((r) => r.version),
    ).toEqual(['0001']);
    const locks = await server.query(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid IS NOT NULL",
    );
    expect(locks).toEqual([]);
    const got = await server.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS ok, pg_advisory_unlock($1::bigint) AS released',
      [postgresLockKey()],
      'cancel_pg',
    );
    expect(got[0].ok).toBe(true);
    expect(
      await server.query(
        "SELECT pid FROM pg_stat_activity WHERE datname = 'cancel_pg' AND application_name = 'runbook-migrate'",
      ),
    ).toEqual([]);
  });

  test('PostgreSQL, a file outside a transaction: the running statement is interrupted, the error lists what ran', async () => {
    await server.createDatabase('cancel_notx');
    const ws = sqlWorkspace({
      '0001_t.sql': 'CREATE TABLE t (a int, b int);\n',
      '0002_idx.sql': [
        'CREATE INDEX CONCURRENTLY t_a ON t (a);',
        'SELECT pg_sleep(30);',
        'CREATE INDEX CONCURRENTLY t_b ON t (b);',
        '',
      ].join('\n'),
    });
    let pid = 0;
    const running = runAction(
      'migrate',
      { tool: 'sql', 'database-url': server.url('cancel_notx'), 'require-backup': 'false' },
      { workspace: ws, timeoutMs: 60_000, onStart: (p) => (pid = p) },
    );
    await until('the sleeping statement', async () => {
      const rows = await server.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = 'cancel_notx' AND query LIKE '%pg_sleep(30)%' AND state = 'active'",
      );
      return rows.length > 0;
    });
    process.kill(pid, 'SIGINT');
    const run = await running;
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^migration 0002_idx\.sql failed: 0002_idx\.sql line 2: statement #2 \(line 2: SELECT pg_sleep\(30\)\) was cancelled\. .*Ran \(not undone\): #1 \(line 1: CREATE INDEX CONCURRENTLY t_a ON t \(a\)\)\. Not run: #3 .*Last applied migration: 0001\.$/,
      ),
    ]);
    expect(json(run, 'current-state')).toEqual({ version: '0001' });
    const idx = await server.query<{ i: string }>(
      "SELECT indexname AS i FROM pg_indexes WHERE tablename = 't' ORDER BY 1",
      [],
      'cancel_notx',
    );
    expect(idx.map((r) => r.i)).toEqual(['t_a']);
    const locks = await server.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory'");
    expect(locks).toEqual([]);
  });

  test('SQLite: a signal during a long statement rolls the file back before it commits', async () => {
    const ws = sqlWorkspace({
      '0001_t.sql': 'CREATE TABLE t (n INTEGER);\n',
      // a few seconds of work inside the file's transaction
      '0002_slow.sql':
        'INSERT INTO t SELECT 1;\nCREATE TABLE half_done (n INTEGER);\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) SELECT count(*) FROM c;\n',
    });
    const dbPath = join(ws, 'app.db');
    let pid = 0;
    const started = Date.now();
    const running = runAction(
      'migrate',
      { tool: 'sql', 'database-url': `sqlite://${dbPath}`, 'require-backup': 'false' },
      { workspace: ws, timeoutMs: 120_000, onStart: (p) => (pid = p) },
    );
    // the signal lands while the synchronous statement runs: the lock file exists by then
    await until('the migration lock file', async () => {
      const { existsSync } = await import('node:fs');
      return existsSync(`${dbPath}.migrate-lock`) || Date.now() - started > 30_000;
    });
    await sleep(200);
    process.kill(pid, 'SIGINT');
    const run = await running;
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(
      /^migrate was cancelled \(SIGINT\) during 0002_slow\.sql; its transaction was rolled back.*Last applied migration: 0001\.$/,
    );
    expect(
      sqliteRows(dbPath, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1"),
    ).toEqual([{ name: 'schema_migrations' }, { name: 't' }]);
    expect(sqliteRows(dbPath, 'SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }]);
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${dbPath}.migrate-lock`)).toBe(false);
  });
});
