/**
 * The root action against the six actions run one by one (issue 12), on PostgreSQL with a
 * table of at least 200 MB:
 *   1. overhead: the release chain (backup verify checksum -> migrate -> deploy -> smoke ->
 *      gate) through the root action vs backup-db, migrate, the deploy command, smoke-test and
 *      health-gate as separate bundles, run the way the runner does; median wall times and
 *      the ratio (target <= 1.05);
 *   2. time to recover: a release whose smoke test fails, rolled back by the runbook CLI
 *      (deploy re-run with the previous ref, database restored), the rollback stage's time
 *      vs `pg_restore -j 2 --clean --if-exists` of the same backup (target <= 1.15x).
 *   npm run bench:release [-- runs [megabytes]]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, repoRoot } from '../__tests__/support/run-action.js';
import { startPostgres, type PostgresServer } from '../__tests__/support/services/postgres.js';
import { runCli } from '../__tests__/runbook/shop.js';

const runs = Number(process.argv[2] ?? 3);
const targetMb = Number(process.argv[3] ?? 200);
const work = mkdtempSync(join(tmpdir(), 'bench-release-'));
let bad = false;
const app = createServer((req, res) => {
  res.writeHead(bad && req.url !== '/healthz' ? 500 : 200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function grow(pg: PostgresServer, mb: number): Promise<void> {
  await pg.query(`CREATE TABLE big (id bigint PRIMARY KEY, note text, n int)`, [], 'bench');
  let next = 0;
  for (;;) {
    const [r] = await pg.query<{ b: string }>(`SELECT pg_relation_size('big') AS b`, [], 'bench');
    if (Number(r.b) / 1024 / 1024 >= mb) break;
    await pg.query(
      `INSERT INTO big SELECT i, md5(i::text) || ' ' || md5((i * 7)::text) || ' order note', i % 1000
       FROM generate_series($1::bigint + 1, $1::bigint + 250000) AS i`,
      [next],
      'bench',
    );
    next += 250_000;
  }
  await pg.query('VACUUM ANALYZE big', [], 'bench');
}

/** Makes the one migration pending again and empties the backup directory. */
async function reset(pg: PostgresServer, ws: string): Promise<void> {
  await pg.query(
    'DROP TABLE IF EXISTS release_note; DROP TABLE IF EXISTS schema_migrations',
    [],
    'bench',
  );
  rmSync(join(ws, 'backups'), { recursive: true, force: true });
  rmSync(join(ws, '.runbook'), { recursive: true, force: true });
}

function shell(cmd: string, cwd: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn('bash', ['-c', cmd], {
      cwd,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...env },
    });
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const pg = await startPostgres();
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  try {
    await pg.createDatabase('bench');
    console.log(`growing table big to ${targetMb} MB...`);
    await grow(pg, targetMb);
    const ws = join(work, 'ws');
    mkdirSync(join(ws, 'migrations'), { recursive: true });
    writeFileSync(join(ws, 'migrations/0001_note.sql'), 'CREATE TABLE release_note (id int);\n');
    writeFileSync(
      join(ws, 'checks.yml'),
      'checks:\n  - name: orders\n    request: { url: /api/orders }\n',
    );
    const probes = `[{ http: '${url}/api/orders' }]`;
    writeFileSync(
      join(ws, 'runbook.yml'),
      `database: { url-env: DATABASE_URL }
backup: { verify: checksum, output-dir: backups }
migrations: { tool: sql }
deploy: echo "$RUNBOOK_REF" > live-ref
smoke: { checks: checks.yml, base-url: '${url}', wait-for-ready: 0, retries: 0 }
health-gate: { probes: ${probes}, duration: 2s, interval: 500ms, min-samples: 3 }
rollback: { parts: [deploy, database] }
`,
    );
    const env = { DATABASE_URL: pg.url('bench'), PATH: `${pg.binDir}:${process.env.PATH}` };
    const root: number[] = [];
    const separate: number[] = [];
    for (let i = 0; i < runs; i++) {
      for (const which of i % 2 ? ['separate', 'root'] : ['root', 'separate']) {
        await reset(pg, ws);
        const started = performance.now();
        if (which === 'root') {
          const r = await runAction(
            'runbook',
            { ref: `r${i}`, 'previous-ref': 'r0' },
            {
              actionYml: join(repoRoot, 'action.yml'),
              entry: join(repoRoot, 'dist/runbook/index.js'),
              workspace: ws,
              env,
              timeoutMs: 3_600_000,
            },
          );
          if (r.exitCode !== 0) throw new Error(`root action failed: ${r.errors.join('; ')}`);
          root.push(performance.now() - started);
        } else {
          const opts = { workspace: ws, env, timeoutMs: 3_600_000 };
          const b = await runAction(
            'backup-db',
            {
              'database-url': env.DATABASE_URL,
              verify: 'checksum',
              upload: 'none',
              'output-dir': join(ws, 'backups'),
            },
            opts,
          );
          if (b.exitCode !== 0) throw new Error(`backup-db failed: ${b.errors.join('; ')}`);
          const m = await runAction(
            'migrate',
            { 'database-url': env.DATABASE_URL, 'backup-manifest': b.outputs['manifest-path'] },
            opts,
          );
          if (m.exitCode !== 0) throw new Error(`migrate failed: ${m.errors.join('; ')}`);
          await shell(`echo r${i} > live-ref`, ws);
          const s = await runAction(
            'smoke-test',
            { 'base-url': url, 'checks-file': 'checks.yml' },
            opts,
          );
          if (s.exitCode !== 0) throw new Error(`smoke-test failed: ${s.errors.join('; ')}`);
          const g = await runAction(
            'health-gate',
            { probes, duration: '2s', interval: '500ms', 'min-samples': 3 },
            opts,
          );
          if (g.exitCode !== 0) throw new Error(`health-gate failed: ${g.errors.join('; ')}`);
          separate.push(performance.now() - started);
        }
      }
      console.log(
        `run ${i + 1}: root ${(root.at(-1)! / 1000).toFixed(1)} s, separate ${(separate.at(-1)! / 1000).toFixed(1)} s`,
      );
    }
    const ratio = median(root) / median(separate);
    console.log(
      `release chain: root action ${(median(root) / 1000).toFixed(1)} s, six actions ${(median(separate) / 1000).toFixed(1)} s, ratio ${ratio.toFixed(3)} (target <= 1.05)`,
    );

    // time to recover: a release whose smoke test fails, rolled back by the CLI
    const recover: number[] = [];
    const raw: number[] = [];
    const cliEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !k.startsWith('GITHUB_')) cliEnv[k] = v;
    delete cliEnv.NODE_OPTIONS;
    Object.assign(cliEnv, env);
    for (let i = 0; i < runs; i++) {
      await reset(pg, ws);
      bad = true;
      const r = await runCli(
        ['release', '--ref', 'bad', '--previous-ref', 'good', '--json'],
        cliEnv,
        ws,
      );
      bad = false;
      if (r.code !== 1) throw new Error(`the failing release exited ${r.code}: ${r.stderr}`);
      const rb = r.events.find((e) => e.event === 'stage-end' && e.stage === 'rollback');
      recover.push(Number(rb?.durationMs));
      const rec = r.result?.record as { backup: { path: string } };
      const started = performance.now();
      await shell(
        `${join(pg.binDir, 'pg_restore')} -j 2 --clean --if-exists -d bench '${rec.backup.path}'`,
        ws,
        pg.env,
      );
      raw.push(performance.now() - started);
      console.log(
        `recover ${i + 1}: runbook rollback ${(recover.at(-1)! / 1000).toFixed(1)} s, pg_restore -j 2 ${(raw.at(-1)! / 1000).toFixed(1)} s`,
      );
    }
    console.log(
      `time to recover: runbook ${(median(recover) / 1000).toFixed(1)} s, pg_restore -j 2 ${(median(raw) / 1000).toFixed(1)} s, ratio ${(median(recover) / median(raw)).toFixed(3)} (target <= 1.15)`,
    );
  } finally {
    app.close();
    await pg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
