/**
 * The network drops mariadb-dump's connection mid-dump (a TCP proxy resets the connection
 * carrying the rows): one clear error quoting the dump tool, nothing published under the final
 * name, no partial work left. The same backup through the same proxy without a fault passes.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { startMariaDb, type MariaDbServer } from '../support/services/mariadb.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { startTcpCutter, type TcpCutter } from '../support/tcp-cutter.js';
import { backup, expectBackup, expectFailure, expectNothingLeft } from './helpers.js';

let server: MariaDbServer;
let cutter: TcpCutter;
const root = tempDir('backup-maria-drop');
const db = 'bulky';
const ROWS = 200_000;

/** The same database, reached through the cutting proxy. */
const viaProxy = (): string => server.url(db).replace(`:${server.port}/`, `:${cutter.port}/`);

beforeAll(async () => {
  server = await startMariaDb();
  cutter = await startTcpCutter({ port: server.port });
  await server.createDatabase(db);
  await server.query(
    `CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL) CHARACTER SET utf8mb4`,
    [],
    db,
  );
  await server.query(
    `INSERT INTO customers SELECT seq, CONCAT('Zoë ', seq) FROM seq_1_to_500`,
    [],
    db,
  );
  // ~25 MB of rows: the dump's stream is far bigger than the control queries beside it
  await server.query(
    `CREATE TABLE events (id INT PRIMARY KEY, customer_id INT NOT NULL, body TEXT NOT NULL,
       created_at DATETIME NOT NULL, INDEX events_customer (customer_id)) CHARACTER SET utf8mb4`,
    [],
    db,
  );
  await server.query(
    `INSERT INTO events
       SELECT seq, 1 + seq % 500, CONCAT(MD5(seq), REPEAT(' payload ', 10), seq),
              '2026-01-01' + INTERVAL seq SECOND
       FROM seq_1_to_${ROWS}`,
    [],
    db,
  );
});
afterAll(async () => {
  await cutter?.stop();
  await server?.stop();
  await removeDir(root);
});

describe('backup-db: connection dropped mid-dump (MariaDB)', () => {
  test('cut mid-dump: one clear error naming the lost connection, no file, manifest or .partial left', async () => {
    const out = join(root, 'cut');
    cutter.setRule({ direction: 'server', afterBytes: 2 * 1024 * 1024 });
    const cutsBefore = cutter.cuts.length;
    const run = await backup({ 'database-url': viaProxy(), 'output-dir': out, upload: 'none' }, [
      server.password,
    ]);
    cutter.setRule(undefined);
    // the fault happened, and mid-stream: only the bulk connection was cut, once
    expect(cutter.cuts.length).toBe(cutsBefore + 1);
    expect(cutter.cuts.at(-1)!.bytes).toBeGreaterThan(2 * 1024 * 1024);
    // measured: "mariadb-dump exited with code 3. Last output: mariadb-dump: Error 2013: Lost
    // connection to server during query when dumping table `events` at row: …"
    expectFailure(run, /mariadb-dump exited with code \d+/);
    expect(run.errors[0]).toMatch(/Lost connection to (MySQL )?server during query/);
    expect(run.errors[0]).toMatch(/dumping table `events`/);
    expect(run.errors[0]).not.toContain(server.password);
    expect(run.outputs.path ?? '').toBe('');
    expect(run.outputs['manifest-path'] ?? '').toBe('');
    expect(run.outputs.sha256 ?? '').toBe('');
    expectNothingLeft(out);
  });

  test('through the proxy without a fault the same backup succeeds (the proxy itself is transparent)', async () => {
    cutter.setRule(undefined);
    const run = await backup(
      { 'database-url': viaProxy(), 'output-dir': join(root, 'clean'), upload: 'none' },
      [server.password],
    );
    const m = await expectBackup(run);
    expect(m.tables).toEqual({ customers: 500, events: ROWS });
    expect(m.size_bytes).toBeGreaterThan(4 * 1024 * 1024);
    expect(cutter.cuts.length).toBe(1);
  });
});
