import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../support/services/postgres.js';
import {
  parseCommandFile,
  repoRoot,
  runAction,
  scratchDir,
  type ActionRun,
} from '../support/run-action.js';

/**
 * The root action (action.yml, dist/runbook) end to end on PostgreSQL: a process deploy
 * (the deploy command writes the live ref; an HTTP app in this process serves it, and
 * answers 500 when the ref is `bad`), smoke checks and a health gate against that app.
 */

let pg: PostgresServer;
let app: Server;
let appUrl: string;
let liveRefFile = '';

beforeAll(async () => {
  // a backend notices a vanished client within a second, as a production server should
  pg = await startPostgres({ settings: { client_connection_check_interval: '1s' } });
  app = createServer((req, res) => {
    const ref = existsSync(liveRefFile) ? readFileSync(liveRefFile, 'utf8').trim() : 'none';
    const status = ref === 'bad' && req.url !== '/healthz' ? 500 : 200;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ref }));
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => app.close(r));
  await pg?.stop();
});

const RUNBOOK = `name: shop
database: { url-env: DATABASE_URL }
backup: { verify: checksum }
migrations: { tool: sql }
deploy: echo "$RUNBOOK_REF" > live-ref && echo "$RUNBOOK_REF \${RUNBOOK_ROLLBACK:-no}" >> deploys.log
smoke:
  checks: checks.yml
  base-url: \${APP_URL}
  wait-for-ready: 0
  retries: 0
health-gate:
  probes: [{ http: { url: '\${APP_URL}/api/orders' } }]
  duration: 1s
  interval: 250ms
  min-samples: 3
hooks:
  before-migrate: psql -q "$DATABASE_URL" -c "INSERT INTO audit (note) VALUES ('maintenance on for $RUNBOOK_REF')"
environments:
  ci: {}
`;

const CHECKS = `checks:
  - name: orders
    request: { url: /api/orders }
    expect: { status: 200 }
`;

async function project(db: string): Promise<string> {
  await pg.createDatabase(db);
  // what was live before the runbook: the tables; the first release's migration fills them
  await pg.query(
    'CREATE TABLE orders (id serial PRIMARY KEY, status text NOT NULL); CREATE TABLE audit (id serial PRIMARY KEY, note text NOT NULL)',
    [],
    db,
  );
  const ws = scratchDir('runbook-pg-');
  mkdirSync(join(ws, 'migrations'));
  writeFileSync(join(ws, 'runbook.yml'), RUNBOOK);
  writeFileSync(join(ws, 'checks.yml'), CHECKS);
  writeFileSync(
    join(ws, 'migrations/0001_shop.sql'),
    `INSERT INTO orders (status) SELECT 'paid' FROM generate_series(1, 500);
`,
  );
  return ws;
}

function run(
  ws: string,
  db: string,
  ref: string,
  extra: Parameters<typeof runAction>[2] = {},
): Promise<ActionRun> {
  liveRefFile = join(ws, 'live-ref');
  return runAction(
    'runbook',
    { file: 'runbook.yml', environment: 'ci', ref, 'previous-ref': 'v0' },
    {
      actionYml: join(repoRoot, 'action.yml'),
      entry: join(repoRoot, 'dist/runbook/index.js'),
      workspace: ws,
      ...extra,
      env: {
        DATABASE_URL: pg.url(db),
        APP_URL: appUrl,
        PATH: `${pg.binDir}:${process.env.PATH}`,
        ...extra.env,
      },
    },
  );
}

async function dataOf(db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ['orders', 'audit']) {
    const rows = await pg.query<{ n: string; h: string }>(
      `SELECT count(*)::text AS n, coalesce(md5(string_agg(t::text, ',' ORDER BY t.id)), '') AS h FROM ${t} t`,
      [],
      db,
    );
    out[t] = `${rows[0].n} ${rows[0].h}`;
  }
  return out;
}

describe('root action on PostgreSQL', () => {
  test('a good release, then a release whose smoke test fails is rolled back to the backup', async () => {
    const ws = await project('shop_release');
    const good = await run(ws, 'shop_release', 'good');
    expect({ code: good.exitCode, errors: good.errors }).toEqual({ code: 0, errors: [] });
    expect(good.outputs).toMatchObject({
      status: 'succeeded',
      ref: 'good',
      'previous-ref': 'v0',
      'failed-stage': '',
    });
    expect(existsSync(good.outputs['backup-manifest'])).toBe(true);
    expect(good.summary).toContain('Health gate');
    expect(good.stdout).toContain('::group::apply the migrations');
    const before = await dataOf('shop_release');
    expect(before.audit).toMatch(/^1 /);

    writeFileSync(
      join(ws, 'migrations/0002_refund.sql'),
      `UPDATE orders SET status = 'refunded';\n`,
    );
    const bad = await run(ws, 'shop_release', 'bad');
    expect(bad.exitCode).toBe(1);
    expect(bad.outputs).toMatchObject({
      status: 'rolled-back',
      'failed-stage': 'smoke',
      'previous-ref': 'good',
      'rolled-back': '["deploy","database"]',
    });
    expect(bad.errors.join('\n')).toContain('failed');
    expect(await dataOf('shop_release')).toEqual(before);
    expect(readFileSync(join(ws, 'live-ref'), 'utf8').trim()).toBe('good');
    expect(readFileSync(join(ws, 'deploys.log'), 'utf8')).toBe('good no\nbad no\ngood true\n');
    expect(bad.summary).toContain('Rows after the restore');
  });

  test('cancelled mid-migrate (SIGINT, then SIGTERM) -> the post step rolls back', async () => {
    const ws = await project('shop_cancel');
    expect((await run(ws, 'shop_cancel', 'good')).exitCode).toBe(0);
    const before = await dataOf('shop_cancel');
    writeFileSync(
      join(ws, 'migrations/0002_slow.sql'),
      `-- runbook:no-transaction\nUPDATE orders SET status = 'refunded';\n`,
    );
    writeFileSync(join(ws, 'migrations/0003_slower.sql'), `SELECT pg_sleep(120);\n`);
    let pid = 0;
    const main = run(ws, 'shop_cancel', 'next', { onStart: (p) => (pid = p) });
    // wait until the migration sleeps inside the database
    for (let i = 0; i < 600; i++) {
      const rows = await pg.query(
        `SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(120)%' AND state = 'active'`,
        [],
        'shop_cancel',
      );
      if (rows.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone after SIGINT
    }
    const cancelled = await main;
    expect(cancelled.exitCode).not.toBe(0);
    expect((await dataOf('shop_cancel')).orders).not.toEqual(before.orders);

    const saved = parseCommandFile(readFileSync(join(cancelled.dir, 'state'), 'utf8'));
    expect(saved.post).toBe('true');
    expect(JSON.parse(saved.record)).toMatchObject({ status: 'running', ref: 'next' });
    const post = await run(ws, 'shop_cancel', 'next', {
      env: { STATE_post: 'true', STATE_record: saved.record },
    });
    expect({ code: post.exitCode, errors: post.errors }).toEqual({ code: 0, errors: [] });
    expect(post.outputs).toMatchObject({ status: 'rolled-back', 'rolled-back': '["database"]' });
    expect(await dataOf('shop_cancel')).toEqual(before);
    const state = JSON.parse(readFileSync(join(ws, '.runbook/state/ci.json'), 'utf8'));
    expect(state.last.status).toBe('rolled-back');
    expect(state.live.ref).toBe('good');
  });
});
