/**
 * The network drops the mariadb client's connection part-way through rollback's restore (a TCP
 * proxy resets the connection carrying the dump's INSERTs). MariaDB restores in place and its
 * DDL auto-commits, so the restore cannot be undone by the server: the tables before the cut
 * are already replaced. The promise kept is "nothing lost": one error that says the restore
 * stopped part-way and names the safety backup taken just before it (whole: its sha256 matches
 * its manifest); re-running the rollback on a sound connection completes it, and restoring the
 * safety backup brings back the exact state from before the rollback.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMariaDb, type MariaDbServer } from '../support/services/mariadb.js';
import { removeDir, tempDir } from '../support/services/common.js';
import { startTcpCutter, type TcpCutter } from '../support/tcp-cutter.js';
import { parseManifest } from '../../src/db/manifest.js';
import { sha256Backup } from '../../src/db/manifest-hash.js';
import { expectFailure, expectOk, rollback, rolledBack, runChecked } from './helpers.js';

let server: MariaDbServer;
let cutter: TcpCutter;
const root = tempDir('rollback-maria-drop');
const db = 'shop';
const ROWS = 200_000;

const viaProxy = (): string => server.url(db).replace(`:${server.port}/`, `:${cutter.port}/`);

/** Row count and CHECKSUM TABLE of every base table, and the views' names. */
async function state(): Promise<Record<string, string>> {
  const tables = await server.query<{ name: string; type: string }>(
    `SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES
     WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
    [db],
  );
  const out: Record<string, string> = {};
  for (const { name, type } of tables) {
    if (type !== 'BASE TABLE') {
      out[name] = type;
      continue;
    }
    const [{ n }] = await server.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM \`${name}\``,
      [],
      db,
    );
    const [sum] = await server.query<{ Checksum: string }>(
      `CHECKSUM TABLE \`${name}\` EXTENDED`,
      [],
      db,
    );
    out[name] = `${n} rows, checksum ${sum.Checksum}`;
  }
  return out;
}

beforeAll(async () => {
  server = await startMariaDb();
  cutter = await startTcpCutter({ port: server.port });
  await server.createDatabase(db);
  for (const sql of [
    `CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL) CHARACTER SET utf8mb4`,
    `INSERT INTO customers SELECT seq, CONCAT('Zoë ', seq) FROM seq_1_to_500`,
    // ~25 MB of rows: the restore's INSERT stream dwarfs the control queries beside it
    `CREATE TABLE events (id INT PRIMARY KEY, customer_id INT NOT NULL, body TEXT NOT NULL,
       created_at DATETIME NOT NULL, INDEX events_customer (customer_id)) CHARACTER SET utf8mb4`,
    `INSERT INTO events SELECT seq, 1 + seq % 500, CONCAT(MD5(seq), REPEAT(' payload ', 10), seq),
       '2026-01-01' + INTERVAL seq SECOND FROM seq_1_to_${ROWS}`,
    `CREATE VIEW busy_customers AS SELECT customer_id, COUNT(*) AS n FROM events GROUP BY customer_id`,
  ]) {
    await server.query(sql, [], db);
  }
});
afterAll(async () => {
  await cutter?.stop();
  await server?.stop();
  await removeDir(root);
});

describe('rollback: connection dropped mid-restore (MariaDB, in place)', () => {
  test('one error naming the part-way restore and the safety backup; re-run completes it; the safety backup restores the state before', async () => {
    // release 1, backed up directly (not through the proxy)
    const b = await runChecked(
      'backup-db',
      { 'database-url': server.url(db), 'output-dir': join(root, 'release-1'), upload: 'none' },
      [server.password],
    );
    expectOk(b);
    const good = await state();
    // release 2 changes data
    for (const sql of [
      `DELETE FROM events WHERE id % 3 = 0`,
      `UPDATE customers SET name = CONCAT('bad ', id) WHERE id < 100`,
      `CREATE TABLE added (id INT PRIMARY KEY)`,
      `INSERT INTO added VALUES (1), (2)`,
    ]) {
      await server.query(sql, [], db);
    }
    const bad = await state();
    expect(bad).not.toEqual(good);

    const cutsBefore = cutter.cuts.length;
    cutter.setRule({ direction: 'client', afterBytes: 2 * 1024 * 1024 });
    const run = await rollback(
      {
        targets: 'database',
        'database-url': viaProxy(),
        'backup-manifest': b.outputs['manifest-path'],
        'safety-backup-dir': join(root, 'safety'),
      },
      [server.password],
    );
    cutter.setRule(undefined);

    // the fault hit the bulk connection once; the safety backup before it went through whole
    expect(cutter.cuts.length - cutsBefore).toBe(1);
    const safety = run.outputs['safety-backup-path'];
    expect(safety).toMatch(/-pre-rollback-\d{8}T\d{6}Z\.sql\.gz$/);
    const safetyManifest = safety.replace(/\.sql\.gz$/, '.manifest.json');
    const m = parseManifest(readFileSync(safetyManifest, 'utf8'));
    expect((await sha256Backup(safety)).sha256).toBe(m.sha256);
    expect(m.tables).toEqual({ added: 2, customers: 500, events: 133_334 });

    // one error: what happened (the client's own line, not the rows it was sending), what state
    // the database is in, where the state before is, and what to do
    expectFailure(
      run,
      /^the restore of 'shop' stopped part-way: mariadb \(restore\) exited with code 1\./,
      /ERROR 2013 \(HY000\) at line \d+: Lost connection to server during query/,
      /the tables before the failure are already replaced/,
      `The safety backup ${safety} (sha256 ${m.sha256}) holds the state before the rollback`,
      /re-run the rollback/,
    );
    expect(run.errors[0]).not.toMatch(/payload|INSERT INTO/);
    expect(run.outputs.cancelled).toBe('false');
    expect(rolledBack(run)).toEqual([]);

    // what the cut leaves (DDL auto-commits): the tables dumped before `events` are release 1's,
    // `events` is dropped and part-loaded, the newer table is untouched
    const after = await state();
    expect(after.customers).toBe(good.customers);
    expect(after.added).toBe(bad.added);
    expect(after.busy_customers).toBe('VIEW');
    const eventsLeft = Number(/^(\d+) rows/.exec(after.events)![1]);
    expect(eventsLeft).toBeGreaterThan(0);
    expect(eventsLeft).toBeLessThan(133_334);

    // re-run on a sound connection: the rollback completes (the newer table stays, reported)
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
    expect(JSON.parse(retry.outputs['extra-tables'])).toEqual(['added']);
    expect(await state()).toEqual({ ...good, added: bad.added });

    // and the safety backup brings back exactly the state before the first rollback
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
    expect(await state()).toEqual(bad);
  });

  test('without a safety backup the error says so', async () => {
    const b = await runChecked(
      'backup-db',
      { 'database-url': server.url(db), 'output-dir': join(root, 'again'), upload: 'none' },
      [server.password],
    );
    expectOk(b);
    cutter.setRule({ direction: 'client', afterBytes: 2 * 1024 * 1024 });
    const run = await rollback(
      {
        targets: 'database',
        'database-url': viaProxy(),
        'backup-manifest': b.outputs['manifest-path'],
        'safety-backup': 'false',
      },
      [server.password],
    );
    cutter.setRule(undefined);
    expectFailure(
      run,
      /^the restore of 'shop' stopped part-way: .*Lost connection to server during query/,
      /No safety backup was taken before it; re-run the rollback to complete it\.$/,
    );
    expect(run.outputs['safety-backup-path'] ?? '').toBe('');
    expect(rolledBack(run)).toEqual([]);
  });
});

describe('rollback: the mariadb client cannot connect (MariaDB)', () => {
  test("refused before any statement ran: one error saying 'shop' is unchanged", async () => {
    // a user allowed one connection: the action's own holds it, so the client is refused
    const user = 'one_conn';
    const password = 'Pw-one-conn-7';
    await server.query(
      `CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}' WITH MAX_USER_CONNECTIONS 1`,
    );
    await server.query(`GRANT ALL PRIVILEGES ON \`${db}\`.* TO '${user}'@'127.0.0.1'`);
    const url = `mysql://${user}:${password}@127.0.0.1:${server.port}/${db}`;
    const b = await runChecked(
      'backup-db',
      { 'database-url': server.url(db), 'output-dir': join(root, 'limited'), upload: 'none' },
      [server.password],
    );
    expectOk(b);
    await server.query(`INSERT INTO customers VALUES (100000, 'after the backup')`, [], db);
    const before = await state();
    const run = await rollback(
      {
        targets: 'database',
        'database-url': url,
        'backup-manifest': b.outputs['manifest-path'],
        'safety-backup': 'false',
      },
      [server.password, password],
    );
    expectFailure(
      run,
      /^mariadb \(restore\) exited with code 1\. Last output: ERROR 1226 .*max_user_connections/,
      /'shop' is unchanged \(the restore did not start\)\.$/,
    );
    expect(run.errors[0]).not.toMatch(/part-way/);
    expect(rolledBack(run)).toEqual([]);
    expect(await state()).toEqual(before);
  });
});
