/**
 * The network drops pg_dump's connection mid-dump (a TCP proxy resets the connection carrying
 * the COPY data): one clear error, nothing published under the final name, no partial work left.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { startTcpCutter, type TcpCutter } from '../support/tcp-cutter.js';
import { backup, expectBackup, expectFailure, expectNothingLeft } from './helpers.js';

let server: PostgresServer;
let cutter: TcpCutter;
const root = tempDir('backup-pg-drop');
const db = 'bulky';

/** The same database, reached through the cutting proxy. */
const viaProxy = (): string => server.url(db).replace(`:${server.port}/`, `:${cutter.port}/`);

beforeAll(async () => {
  server = await startPostgres();
  cutter = await startTcpCutter({ port: server.port });
  await server.createDatabase(db);
  // ~25 MB of text: the dump's COPY stream is far bigger than the control queries beside it
  await server.query(
    `CREATE TABLE events (id int PRIMARY KEY, body text);
     INSERT INTO events SELECT i, md5(i::text) || repeat(' payload ', 10) || i FROM generate_series(1, 200000) i;`,
    undefined,
    db,
  );
});
afterAll(async () => {
  await cutter?.stop();
  await server?.stop();
  await removeDir(root);
});

describe('backup-db: connection dropped mid-dump (PostgreSQL)', () => {
  test('through the proxy without a fault the backup succeeds (the proxy itself is transparent)', async () => {
    cutter.setRule(undefined);
    const run = await backup(
      { 'database-url': viaProxy(), 'output-dir': join(root, 'clean'), upload: 'none' },
      [server.password],
    );
    const m = await expectBackup(run);
    expect(m.tables['public.events']).toBe(200_000);
    expect(cutter.cuts).toEqual([]);
  });

  for (const format of ['custom', 'plain']) {
    test(`${format}: one clear error, nothing under the final name, no .partial left`, async () => {
      const out = join(root, `cut-${format}`);
      cutter.setRule({ direction: 'server', afterBytes: 2 * 1024 * 1024 });
      const cutsBefore = cutter.cuts.length;
      const run = await backup(
        { 'database-url': viaProxy(), 'output-dir': out, upload: 'none', format },
        [server.password],
      );
      cutter.setRule(undefined);
      // the fault happened, and mid-stream: only the bulk connection was cut, once
      expect(cutter.cuts.length).toBe(cutsBefore + 1);
      // measured: "pg_dump exited with code 1. Last output: pg_dump: error: Dumping the
      // contents of table "events" failed: ... server closed the connection unexpectedly ..."
      expectFailure(run, /pg_dump exited/);
      expect(run.errors[0]).toMatch(/Dumping the contents of table "events" failed/);
      expect(run.errors[0]).toMatch(/closed the connection/);
      expect(run.errors[0]).not.toContain(server.password);
      expect(run.outputs.path ?? '').toBe('');
      expect(run.outputs['manifest-path'] ?? '').toBe('');
      expectNothingLeft(out);
    });
  }
});
