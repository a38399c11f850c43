import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync, statSync } from 'node:fs';
import pg from 'pg';
import { groupAlive, pidAlive } from '../support/services/common.js';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';

const started: PostgresServer[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

describe('startPostgres', () => {
  test('runs a real server: create table, insert, select; stop leaves nothing', async () => {
    const server = await startPostgres();
    started.push(server);
    expect(server.major).toBe(15);
    expect(server.version).toMatch(/^15\.\d+$/);
    expect(server.binDir).toBe('/usr/lib/postgresql/15/bin');
    expect(statSync(server.dataDir).uid).not.toBe(0);

    await server.createDatabase('app db');
    await server.query('CREATE TABLE items (id int PRIMARY KEY, name text)', [], 'app db');
    await server.query(
      'INSERT INTO items VALUES ($1, $2), ($3, $4)',
      [1, 'one', 2, 'two'],
      'app db',
    );
    const rows = await server.query<{ id: number; name: string }>(
      'SELECT id, name FROM items ORDER BY id',
      [],
      'app db',
    );
    expect(rows).toEqual([
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
    ]);

    // url() is a valid connection URL even with URL-special characters in the password
    expect(server.password).toMatch(/[@:/%?#&+]/);
    const client = new pg.Client({ connectionString: server.url('app db') });
    await client.connect();
    const me = await client.query('SELECT current_user AS u, current_database() AS d');
    await client.end();
    expect(me.rows[0]).toEqual({ u: 'postgres', d: 'app db' });

    await server.dropDatabase('app db');
    const dbs = await server.query<{ datname: string }>('SELECT datname FROM pg_database');
    expect(dbs.map((r) => r.datname)).not.toContain('app db');

    const { pid, dir } = server;
    expect(pidAlive(pid)).toBe(true);
    await server.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(groupAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  test('TCP needs the password (scram-sha-256)', async () => {
    const server = await startPostgres();
    started.push(server);
    const wrong = new pg.Client({
      host: server.host,
      port: server.port,
      user: 'postgres',
      password: 'not-the-password',
    });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
    const method = await server.query<{ auth_method: string }>(
      "SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host' LIMIT 1",
    );
    expect(method[0]?.auth_method).toBe('scram-sha-256');
    await server.stop();
  });

  test('kill() is an immediate shutdown, restart() recovers the data, stop() cleans up', async () => {
    const server = await startPostgres();
    started.push(server);
    await server.query('CREATE TABLE kept (v int)');
    await server.query('INSERT INTO kept VALUES (7)');
    const firstPid = server.pid;
    await server.kill();
    expect(pidAlive(firstPid)).toBe(false);
    await expect(server.query('SELECT 1')).rejects.toThrow();
    await server.restart();
    expect(server.pid).not.toBe(firstPid);
    expect(await server.query('SELECT v FROM kept')).toEqual([{ v: 7 }]);
    const { pid, dir } = server;
    await server.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  test('two servers started at once get distinct ports and dirs', async () => {
    const [a, b] = await Promise.all([startPostgres(), startPostgres()]);
    started.push(a, b);
    expect(a.port).not.toBe(b.port);
    expect(a.dir).not.toBe(b.dir);
    await a.query('CREATE TABLE only_in_a (x int)');
    const inB = await b.query("SELECT to_regclass('only_in_a') AS t");
    expect(inB[0]?.t).toBeNull();
    await Promise.all([a.stop(), b.stop()]);
    expect([a.pid, b.pid].some(pidAlive)).toBe(false);
  });
});
