/**
 * The network drops pg_restore's connection mid-restore (a TCP proxy resets the connection
 * carrying the COPY data into the server): one clear error, the live database is still the
 * bad release, no half-restored database is left, and the safety backup taken first is whole
 * and restores the bad release's state.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { startTcpCutter, type TcpCutter } from '../support/tcp-cutter.js';
import { parseManifest } from '../../src/db/manifest.js';
import { sha256Backup } from '../../src/db/manifest-hash.js';
import { expectFailure, expectOk, rollback, rolledBack, runChecked } from './helpers.js';

let server: PostgresServer;
let cutter: TcpCutter;
const root = tempDir('rollback-pg-drop');

const viaProxy = (db: string): string =>
  server.url(db).replace(`:${server.port}/`, `:${cutter.port}/`);

async function state(db: string): Promise<unknown> {
  return server.query(
    `SELECT count(*)::int AS rows, md5(string_agg(id || ':' || body, '|' ORDER BY id)) AS sum,
            (SELECT count(*) FROM information_schema.tables WHERE table_name = 'added')::int AS added
     FROM events`,
    [],
    db,
  );
}

beforeAll(async () => {
  server = await startPostgres();
  cutter = await startTcpCutter({ port: server.port });
});
afterAll(async () => {
  await cutter?.stop();
  await server?.stop();
  await removeDir(root);
});

describe('rollback: connection dropped mid-restore (PostgreSQL)', () => {
  for (const mode of ['swap', 'in-place']) {
    test(`${mode}: one clear error; live is still the bad release; no restoring database left; the safety backup restores`, async () => {
      const db = `shop_${mode.replace('-', '_')}`;
      await server.createDatabase(db);
      // ~25 MB of text: the restore's COPY stream dwarfs the control queries beside it
      await server.query(
        `CREATE TABLE events (id int PRIMARY KEY, body text);
       INSERT INTO events SELECT i, md5(i::text) || repeat(' payload ', 10) || i FROM generate_series(1, 200000) i;`,
        undefined,
        db,
      );
      // the backup is taken directly, not through the proxy
      const b = await runChecked(
        'backup-db',
        { 'database-url': server.url(db), 'output-dir': join(root, db), upload: 'none' },
        [server.password],
      );
      expectOk(b);
      // the bad release
      await server.query(
        `DELETE FROM events WHERE id % 3 = 0; UPDATE events SET body = 'bad ' || id WHERE id < 100;
       CREATE TABLE added (id int);`,
        undefined,
        db,
      );
      const bad = await state(db);

      const cutsBefore = cutter.cuts.length;
      cutter.setRule({ direction: 'client', afterBytes: 2 * 1024 * 1024 });
      const run = await rollback(
        {
          targets: 'database',
          'database-url': viaProxy(db),
          'backup-manifest': b.outputs['manifest-path'],
          'safety-backup-dir': join(root, `${db}-safety`),
          'restore-mode': mode,
        },
        [server.password],
      );
      cutter.setRule(undefined);

      // the fault hit the bulk connection once, and the rest of the run carried on around it
      expect(cutter.cuts.length - cutsBefore).toBe(1);
      // measured: "pg_restore (restore) exited with code 1. Last output: pg_restore: error: error
      // returned by PQputCopyData: server closed the connection unexpectedly | ..."
      // in place it is psql's (pg_restore's script goes through psql in one transaction)
      const tool =
        mode === 'swap' ? /pg_restore \(restore\) exited/ : /psql \(in-place restore\) exited/;
      expectFailure(run, tool, /closed the connection/);
      expect(run.errors[0]).not.toMatch(/Premature close/);
      expect(run.outputs.cancelled).toBe('false');
      expect(rolledBack(run)).toEqual([]);
      expect(await state(db)).toEqual(bad);
      expect(
        await server.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${db}_%`]),
      ).toEqual([]);

      // the safety backup of the bad release is whole (its sha256 matches its manifest) ...
      const safety = run.outputs['safety-backup-path'];
      expect(safety).toMatch(/-pre-rollback-\d{8}T\d{6}Z\.dump$/);
      const safetyManifest = safety.replace(/\.dump$/, '.manifest.json');
      const m = parseManifest(readFileSync(safetyManifest, 'utf8'));
      expect((await sha256Backup(safety)).sha256).toBe(m.sha256);
      expect(m.tables['public.events']).toBe(133_334);
      // ... and restores the bad release's state: retry the rollback on a sound connection,
      // then undo it from the safety backup (a backup restores only into its own database)
      const retry = await rollback(
        {
          targets: 'database',
          'database-url': server.url(db),
          'backup-manifest': b.outputs['manifest-path'],
          'safety-backup': 'false',
        },
        [server.password],
      );
      expectOk(retry);
      expect(rolledBack(retry)).toEqual(['database']);
      expect(await state(db)).not.toEqual(bad);
      const undo = await rollback(
        {
          targets: 'database',
          'database-url': server.url(db),
          'backup-manifest': safetyManifest,
          'safety-backup': 'false',
        },
        [server.password],
      );
      expectOk(undo);
      expect(await state(db)).toEqual(bad);
    });
  }
});
