import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { groupAlive, pidAlive, runTool } from '../support/services/common.js';
import { startMariaDb, type MariaDbServer } from '../support/services/mariadb.js';

const started: MariaDbServer[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

describe('startMariaDb', () => {
  test('runs a real server: create table, insert, select; stop leaves nothing', async () => {
    const server = await startMariaDb();
    started.push(server);
    expect(server.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(server.fullVersion).toContain('MariaDB');

    await server.createDatabase('app');
    await server.query('CREATE TABLE items (id int PRIMARY KEY, name text)', [], 'app');
    await server.query('INSERT INTO items VALUES (?, ?), (?, ?)', [1, 'one', 2, 'two'], 'app');
    const rows = await server.query('SELECT id, name FROM items ORDER BY id', [], 'app');
    expect(rows).toEqual([
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
    ]);

    // url() works with mysql2 although the password holds URL-special characters
    expect(server.password).toMatch(/[@:/%?#&+]/);
    const conn = await mysql.createConnection(server.url('app'));
    const [me] = await conn.query('SELECT DATABASE() AS d');
    await conn.end();
    expect(me).toEqual([{ d: 'app' }]);

    // mariadb-dump authenticates over TCP with MYSQL_PWD
    const dump = await runTool(
      'mariadb-dump',
      ['--host=127.0.0.1', `--port=${server.port}`, '--user=root', 'app', 'items'],
      { env: { ...process.env, MYSQL_PWD: server.password } },
    );
    expect(dump).toMatch(/INSERT INTO `items` VALUES\s*\(1,'one'\),\s*\(2,'two'\)/);

    await server.dropDatabase('app');
    const dbs = await server.query<{ Database: string }>('SHOW DATABASES');
    expect(dbs.map((r) => r.Database)).not.toContain('app');

    const { pid, dir } = server;
    expect(pidAlive(pid)).toBe(true);
    await server.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(groupAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  test('TCP needs the password', async () => {
    const server = await startMariaDb();
    started.push(server);
    await expect(
      mysql.createConnection({
        host: server.host,
        port: server.port,
        user: 'root',
        password: 'not-the-password',
      }),
    ).rejects.toThrow(/Access denied/);
    await expect(
      mysql.createConnection({ host: server.host, port: server.port, user: 'root' }),
    ).rejects.toThrow(/Access denied/);
    await server.stop();
  });

  test('kill() crashes it, restart() recovers the data', async () => {
    const server = await startMariaDb();
    started.push(server);
    await server.createDatabase('k');
    await server.query('CREATE TABLE kept (v int) ENGINE=InnoDB', [], 'k');
    await server.query('INSERT INTO kept VALUES (7)', [], 'k');
    const firstPid = server.pid;
    await server.kill();
    expect(pidAlive(firstPid)).toBe(false);
    await server.restart();
    expect(await server.query('SELECT v FROM kept', [], 'k')).toEqual([{ v: 7 }]);
    const { pid, dir } = server;
    await server.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });
});
