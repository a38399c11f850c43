import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { runAction, scratchDir, type ActionRun } from '../support/run-action.js';
import { expectNoSecret } from '../support/secrets.js';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import { startMariaDb, type MariaDbServer } from '../support/services/mariadb.js';

/**
 * The checks people ran by hand after a release, as probes: a JSON health body, a log
 * grep, a numeric output, and a read-only SQL query on each engine.
 */

function gate(probes: string, env: Record<string, string> = {}): Promise<ActionRun> {
  return runAction(
    'health-gate',
    { duration: '3s', interval: '200ms', 'max-consecutive-failures': '2', probes },
    { timeoutMs: 60_000, env },
  );
}

describe('http probe json conditions', () => {
  let server: Server;
  let url = '';
  let requests = 0;
  let degradeAfter = Infinity;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests += 1;
      const status = requests > degradeAfter ? 'degraded' : 'ok';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status, checks: { database: 'up', queue: { depth: 3 } } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const probes = (): string =>
    [
      '- name: app',
      '  http:',
      `    url: ${url}`,
      '    json:',
      '      $.status: ok',
      '      $.checks.database: { in: [up, degraded-read-only] }',
      '      $.checks.queue.depth: { lt: 100 }',
    ].join('\n');

  test('a body that stays healthy passes', async () => {
    requests = 0;
    degradeAfter = Infinity;
    const run = await gate(probes());
    expect(run.exitCode).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
  });

  test('200 with {"status": "degraded"} mid-window fails fast, naming the path and the value', async () => {
    requests = 0;
    degradeAfter = 3;
    const run = await gate(probes());
    expect(run.exitCode).not.toBe(0);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toContain(`$.status: expected "ok", got "degraded"`);
    // fail-fast: two failures in a row end it long before the 16 slots of the window
    expect(Number(run.outputs.samples)).toBeLessThan(10);
  });

  test('a json path that does not parse is one input error naming the probe', async () => {
    const run = await gate(`- name: app\n  http:\n    url: ${url}\n    json:\n      "$.[": ok\n`);
    expect(run.exitCode).not.toBe(0);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^Input 'probes': probe 1 \('app'\): json path "\$\.\[": /);
  });
});

describe('command probe output conditions', () => {
  test('logs that start containing ERROR fail the gate with the offending line', async () => {
    const dir = scratchDir('gate-log-');
    const counter = join(dir, 'n');
    writeFileSync(counter, '0');
    // the third run on "finds" an error in the last minutes of the log
    const script = `n=$(( $(cat ${counter}) + 1 )); echo $n > ${counter}; echo "INFO started"; if [ $n -ge 3 ]; then echo "ERROR db timeout after 30s"; fi`;
    const run = await gate(
      `- name: logs\n  command:\n    run: '${script}'\n    output:\n      not-matches: /ERROR|FATAL/\n`,
    );
    expect(run.exitCode).not.toBe(0);
    expect(run.outputs.reason).toContain(
      'output matches /ERROR|FATAL/: ERROR db timeout after 30s',
    );
  });

  test('a number read from the output over its limit fails; under it passes', async () => {
    const over = await gate(
      `- name: errors\n  command:\n    run: 'echo "errors in the last 5m: 12"'\n    output:\n      number: '/last 5m: (\\d+)/'\n      condition: '< 10'\n`,
    );
    expect(over.exitCode).not.toBe(0);
    expect(over.outputs.reason).toContain('output value 12 is not < 10');
    const under = await gate(
      `- name: errors\n  command:\n    run: echo 4\n    output:\n      condition: '< 10'\n`,
    );
    expect(under.exitCode).toBe(0);
    expect(under.outputs.verdict).toBe('pass');
  });

  test('number without condition is refused before anything runs', async () => {
    const run = await gate(`- command:\n    run: echo 1\n    output:\n      number: /(\\d+)/\n`);
    expect(run.exitCode).not.toBe(0);
    expect(run.errors).toEqual([
      "Input 'probes': probe 1: output number needs a condition, such as '< 10'.",
    ]);
  });
});

describe('sql probe', () => {
  let pg: PostgresServer;
  let maria: MariaDbServer;
  let sqlitePath = '';
  beforeAll(async () => {
    [pg, maria] = await Promise.all([startPostgres(), startMariaDb()]);
    await pg.createDatabase('shop');
    await pg.query('CREATE TABLE orders (id int PRIMARY KEY, user_id int)', [], 'shop');
    await pg.query('INSERT INTO orders VALUES (1, 1), (2, 2), (3, NULL)', [], 'shop');
    await maria.createDatabase('shop');
    await maria.query('CREATE TABLE orders (id int PRIMARY KEY, user_id int)', [], 'shop');
    await maria.query('INSERT INTO orders VALUES (1, 1), (2, 2), (3, NULL)', [], 'shop');
    sqlitePath = join(scratchDir('gate-sqlite-'), 'shop.db');
    const db = new DatabaseSync(sqlitePath);
    db.exec('CREATE TABLE orders (id integer PRIMARY KEY, user_id integer)');
    db.exec('INSERT INTO orders VALUES (1, 1), (2, 2), (3, NULL)');
    db.close();
  }, 120_000);
  afterAll(async () => {
    await Promise.all([pg?.stop(), maria?.stop()]);
  });

  const urls = (): Record<string, string> => ({
    postgres: pg.url('shop'),
    mariadb: maria.url('shop'),
    sqlite: `sqlite:${sqlitePath}`,
  });
  const probe = (query: string, condition: string): string =>
    `- name: orphans\n  sql:\n    url-env: APP_DATABASE_URL\n    query: ${JSON.stringify(query)}\n    condition: '${condition}'\n`;

  test.each(['postgres', 'mariadb', 'sqlite'])(
    '%s: a passing and a failing condition, the password never printed',
    async (engine) => {
      const env = { APP_DATABASE_URL: urls()[engine] };
      const q = 'SELECT count(*) FROM orders WHERE user_id IS NULL';
      const good = await gate(probe(q, '<= 1'), env);
      expect(good.exitCode).toBe(0);
      expect(good.outputs.verdict).toBe('pass');
      const bad = await gate(probe(q, '== 0'), env);
      expect(bad.exitCode).not.toBe(0);
      expect(bad.outputs.reason).toContain('value 1 is not == 0');
      if (engine !== 'sqlite') {
        const password = engine === 'postgres' ? pg.password : maria.password;
        expectNoSecret(good, [password]);
        expectNoSecret(bad, [password]);
      }
    },
  );

  test.each([
    ['postgres', 'DELETE FROM orders'],
    ['postgres', 'WITH gone AS (DELETE FROM orders RETURNING 1) SELECT count(*) FROM gone'],
    ['mariadb', 'DELETE FROM orders'],
    ['mariadb', 'SELECT 1; DELETE FROM orders'],
    ['sqlite', 'DELETE FROM orders'],
  ])('%s: the write statement %j is refused before it runs', async (engine, query) => {
    const run = await gate(probe(query, '== 0'), { APP_DATABASE_URL: urls()[engine] });
    expect(run.exitCode).not.toBe(0);
    expect(run.outputs.reason).toMatch(/the query must .*; it was not run/);
    // a fatal sample ends the gate at once
    expect(Number(run.outputs.samples)).toBe(1);
    const count =
      engine === 'postgres'
        ? (await pg.query<{ n: string }>('SELECT count(*) AS n FROM orders', [], 'shop'))[0].n
        : engine === 'mariadb'
          ? (await maria.query<{ n: number }>('SELECT count(*) AS n FROM orders', [], 'shop'))[0].n
          : (
              new DatabaseSync(sqlitePath, { readOnly: true })
                .prepare('SELECT count(*) AS n FROM orders')
                .get() as { n: number }
            ).n;
    expect(Number(count)).toBe(3);
  });

  test('postgres: a query error is reported with its line', async () => {
    const run = await gate(probe('SELECT count(*)\nFROM orders\nWHERE nosuch = 1', '== 0'), {
      APP_DATABASE_URL: urls().postgres,
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.outputs.reason).toContain('query failed (line 3): column "nosuch" does not exist');
  });

  test('an empty url-env is one input error before anything connects', async () => {
    const run = await gate(probe('SELECT 1', '== 1'), { APP_DATABASE_URL: '' });
    expect(run.exitCode).not.toBe(0);
    expect(run.errors).toEqual([
      "Input 'probes': probe 1 ('orphans'): url-env APP_DATABASE_URL: the environment variable APP_DATABASE_URL is empty or not set.",
    ]);
  });
});
