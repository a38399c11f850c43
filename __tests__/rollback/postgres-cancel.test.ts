/**
 * Cancellation (SIGINT, as the runner sends it) in the middle of a PostgreSQL restore: the
 * restore stops before the swap (or its transaction rolls back in place), the live database
 * is exactly the bad release it was, and the outputs say nothing was rolled back.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { expectFailure, expectOk, rollback, rolledBack, runChecked } from './helpers.js';

let server: PostgresServer;
const root = tempDir('rollback-pg-cancel');

// A materialized view whose refresh sleeps only inside rollback's restore sessions, so the
// signal deterministically arrives mid-restore.
const SETUP = `
CREATE TABLE items (id serial PRIMARY KEY, name text);
INSERT INTO items (name) SELECT 'item ' || i FROM generate_series(1, 500) i;
CREATE FUNCTION slow_in_restore() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('application_name') LIKE 'runbook-rollback-%' THEN PERFORM pg_sleep(60); END IF;
  RETURN 1;
END$$;
CREATE MATERIALIZED VIEW slow AS SELECT slow_in_restore() AS one;
`;

async function state(db: string): Promise<unknown> {
  return server.query(
    `SELECT (SELECT count(*) FROM items)::int AS items,
            (SELECT count(*) FROM information_schema.tables WHERE table_name = 'added')::int AS added`,
    [],
    db,
  );
}

async function waitForSleepingRestore(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const rows = await server.query(
      `SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'runbook-rollback-%' AND wait_event = 'PgSleep'`,
    );
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the restore never reached the sleeping materialized view');
}

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
  await removeDir(root);
});

describe('rollback cancelled mid-restore (PostgreSQL)', () => {
  test('a restored copy that differs from the manifest is never swapped in; the live database is untouched', async () => {
    const db = 'mismatch';
    await server.createDatabase(db);
    await server.query(
      'CREATE TABLE items (id serial PRIMARY KEY); INSERT INTO items SELECT FROM generate_series(1, 10);',
      undefined,
      db,
    );
    const b = await runChecked(
      'backup-db',
      { 'database-url': server.url(db), 'output-dir': join(root, db), upload: 'none' },
      [server.password],
    );
    expectOk(b);
    // the manifest's counts are not covered by the backup's sha256: claim a row more
    const manifestPath = b.outputs['manifest-path'];
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as { tables: Record<string, number> };
    m.tables['public.items'] = 11;
    writeFileSync(manifestPath, JSON.stringify(m));
    await server.query('DELETE FROM items WHERE id > 5', undefined, db);
    const run = await rollback(
      {
        targets: 'database',
        'database-url': server.url(db),
        'backup-manifest': manifestPath,
        'safety-backup': 'false',
      },
      [server.password],
    );
    expectFailure(run, /public\.items: 11 rows in the source, 10 restored/);
    expect(rolledBack(run)).toEqual([]);
    expect(await server.query('SELECT count(*)::int AS n FROM items', [], db)).toEqual([{ n: 5 }]);
    expect(
      await server.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${db}_%`]),
    ).toEqual([]);
  });

  for (const mode of ['swap', 'in-place']) {
    test(`${mode}: SIGINT stops the restore; the live database is untouched; outputs say nothing was rolled back`, async () => {
      const db = `cancel_${mode.replace('-', '_')}`;
      await server.createDatabase(db);
      await server.query(SETUP, undefined, db);
      const b = await runChecked(
        'backup-db',
        { 'database-url': server.url(db), 'output-dir': join(root, db), upload: 'none' },
        [server.password],
      );
      expectOk(b);
      await server.query(
        'DELETE FROM items WHERE id > 100; CREATE TABLE added (id int);',
        undefined,
        db,
      );
      const bad = await state(db);

      let pid = 0;
      const running = rollback(
        {
          targets: 'database',
          'database-url': server.url(db),
          'backup-manifest': b.outputs['manifest-path'],
          'safety-backup': 'false',
          'restore-mode': mode,
        },
        [server.password],
        { onStart: (p) => (pid = p) },
      );
      await waitForSleepingRestore();
      process.kill(pid, 'SIGINT');
      const run = await running;

      expectFailure(run, /cancelled/, new RegExp(`'${db}' is unchanged`));
      expect(rolledBack(run)).toEqual([]);
      expect(run.outputs.cancelled).toBe('true');
      expect(run.summary).toContain('cancelled');
      expect(await state(db)).toEqual(bad);
      // no half-restored database is left behind, and no restore session either
      expect(
        await server.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${db}_%`]),
      ).toEqual([]);
      expect(
        await server.query(
          `SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'runbook-rollback-%'`,
        ),
      ).toEqual([]);
    });
  }
});
