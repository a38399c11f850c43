/**
 * backup-db against plain pg_dump (issue 3), and encrypted against unencrypted (issue 10).
 * A PostgreSQL table of at least 200 MB, then, rotating which goes first, N runs each of
 *   - the bundled action (format custom, default compression, verify list, upload none),
 *     run the way the runner does,
 *   - the same with `encrypt-to` (age v1 to one X25519 recipient; no identity, so verify
 *     checks the age header and re-reads the sha256), and
 *   - `pg_dump -Fc -Z 6 -f <file>` (the same compression level) of the same database,
 * printing median wall times, the ratios action / pg_dump and encrypted / unencrypted, and
 * the peak RSS of the action's own node process (its maxrss at exit; pg_dump's memory is not
 * the action's). The table is then doubled and measured again, to show the RSS does not grow
 * with the database.
 * Targets: action/pg_dump <= 1.10; encrypted/unencrypted <= 1.15; peak RSS <= 150 MB, flat
 * between 1x and 2x.
 *   npm run bench:backup [-- runs [megabytes]]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { runAction, repoRoot } from '../__tests__/support/run-action.js';
import { startPostgres, type PostgresServer } from '../__tests__/support/services/postgres.js';

const runs = Number(process.argv[2] ?? 5);
const targetMb = Number(process.argv[3] ?? 200);
const work = mkdtempSync(join(tmpdir(), 'bench-backup-'));

// The action's bundle behind a one-line preload that records the process's peak RSS at exit.
const rssFile = join(work, 'maxrss');
const wrapper = join(work, 'entry.mjs');
writeFileSync(
  wrapper,
  `import { writeFileSync } from 'node:fs';\n` +
    `process.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n` +
    `await import(${JSON.stringify(join(repoRoot, 'dist/backup-db/index.js'))});\n`,
);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function tableMb(server: PostgresServer): Promise<number> {
  const [r] = await server.query<{ b: string }>(`SELECT pg_relation_size('big') AS b`, [], 'bench');
  return Number(r.b) / 1024 / 1024;
}

/** Grows table `big` with rows of mixed text and numbers until it holds `mb` megabytes. */
async function growTo(server: PostgresServer, mb: number): Promise<void> {
  const [{ n }] = await server.query<{ n: string }>(
    `SELECT coalesce(max(id), 0) AS n FROM big`,
    [],
    'bench',
  );
  let next = Number(n);
  while ((await tableMb(server)) < mb) {
    await server.query(
      `INSERT INTO big SELECT i, timestamptz '2026-01-01' - i * interval '1 second', i % 1000,
              md5(i::text) || ' ' || md5((i * 7)::text) || ' ' || (i % 97)::text || ' order note'
       FROM generate_series($1::bigint + 1, $1::bigint + 250000) AS i`,
      [next],
      'bench',
    );
    next += 250_000;
  }
  await server.query('VACUUM ANALYZE big', [], 'bench');
}

function flush(): void {
  spawnSync('sync');
}

function pgDump(server: PostgresServer, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(join(server.binDir, 'pg_dump'), ['-Fc', '-Z', '6', '-f', file, 'bench'], {
      env: { ...process.env, ...server.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`pg_dump exited ${code}`)),
    );
  });
}

// a throwaway key: the bench only encrypts
const recipient = await identityToRecipient(await generateX25519Identity());

async function action(
  server: PostgresServer,
  outDir: string,
  extra: Record<string, string> = {},
): Promise<{ ms: number; rssMb: number; bytes: number }> {
  rmSync(rssFile, { force: true });
  const started = performance.now();
  const run = await runAction(
    'backup-db',
    {
      'database-url': server.url('bench'),
      format: 'custom',
      verify: 'list',
      upload: 'none',
      'output-dir': outDir,
      ...extra,
    },
    { entry: wrapper, timeoutMs: 1_800_000 },
  );
  const ms = performance.now() - started;
  if (run.exitCode !== 0)
    throw new Error(`the action failed: ${run.errors.join(' | ')}\n${run.stdout.slice(-2000)}`);
  const rssKb = Number(readFileSync(rssFile, 'utf8'));
  rmSync(run.dir, { recursive: true, force: true });
  return { ms, rssMb: rssKb / 1024, bytes: Number(run.outputs['size-bytes']) };
}

interface Figures {
  ratio: number;
  encRatio: number;
  rss: number;
  encRss: number;
}

async function measure(server: PostgresServer, label: string): Promise<Figures> {
  const size = await tableMb(server);
  const actionMs: number[] = [];
  const encMs: number[] = [];
  const dumpMs: number[] = [];
  const rss: number[] = [];
  const encRss: number[] = [];
  let bytes = 0;
  let encBytes = 0;
  for (let i = 0; i < runs; i++) {
    // the order rotates, and dirty pages of the previous run are flushed before each timed
    // run, so no side pays for another's writeback
    const file = join(work, 'baseline.dump');
    let a = { ms: 0, rssMb: 0, bytes: 0 };
    let e = { ms: 0, rssMb: 0, bytes: 0 };
    let d = 0;
    const steps: Array<() => Promise<void>> = [
      async () => {
        const outDir = mkdtempSync(join(work, 'out-'));
        a = await action(server, outDir);
        rmSync(outDir, { recursive: true, force: true });
      },
      async () => {
        const outDir = mkdtempSync(join(work, 'out-'));
        e = await action(server, outDir, { 'encrypt-to': recipient });
        rmSync(outDir, { recursive: true, force: true });
      },
      async () => {
        d = await pgDump(server, file);
      },
    ];
    for (let k = 0; k < steps.length; k++) {
      flush();
      await steps[(i + k) % steps.length]();
    }
    const baselineBytes = statSync(file).size;
    rmSync(file, { force: true });
    actionMs.push(a.ms);
    encMs.push(e.ms);
    dumpMs.push(d);
    rss.push(a.rssMb);
    encRss.push(e.rssMb);
    bytes = a.bytes;
    encBytes = e.bytes;
    console.log(
      `  ${label} run ${i + 1}: action ${(a.ms / 1000).toFixed(2)} s (peak RSS ${a.rssMb.toFixed(1)} MB, ${(a.bytes / 1048576).toFixed(1)} MiB)` +
        ` | encrypted ${(e.ms / 1000).toFixed(2)} s (peak RSS ${e.rssMb.toFixed(1)} MB, ${(e.bytes / 1048576).toFixed(1)} MiB)` +
        ` | pg_dump -Fc -Z 6 ${(d / 1000).toFixed(2)} s (${(baselineBytes / 1048576).toFixed(1)} MiB)`,
    );
  }
  const ratio = median(actionMs) / median(dumpMs);
  const encRatio = median(encMs) / median(actionMs);
  const peak = Math.max(...rss);
  const encPeak = Math.max(...encRss);
  console.log(
    `${label}: table ${size.toFixed(0)} MB, backup ${(bytes / 1048576).toFixed(1)} MiB, encrypted ${(encBytes / 1048576).toFixed(1)} MiB`,
  );
  console.log(`  median action     ${(median(actionMs) / 1000).toFixed(2)} s`);
  console.log(`  median encrypted  ${(median(encMs) / 1000).toFixed(2)} s`);
  console.log(`  median pg_dump    ${(median(dumpMs) / 1000).toFixed(2)} s`);
  console.log(
    `  ratio action/pg_dump ${ratio.toFixed(3)} (target <= 1.10) ${ratio <= 1.1 ? 'OK' : 'OVER'}`,
  );
  console.log(
    `  ratio encrypted/unencrypted ${encRatio.toFixed(3)} (target <= 1.15) ${encRatio <= 1.15 ? 'OK' : 'OVER'}`,
  );
  console.log(
    `  peak RSS of the action's node process: max ${peak.toFixed(1)} MB, median ${median(rss).toFixed(1)} MB; encrypted max ${encPeak.toFixed(1)} MB, median ${median(encRss).toFixed(1)} MB (target <= 150 MB) ${Math.max(peak, encPeak) <= 150 ? 'OK' : 'OVER'}`,
  );
  return { ratio, encRatio, rss: peak, encRss: encPeak };
}

const server = await startPostgres();
try {
  await server.createDatabase('bench');
  await server.query(
    `CREATE TABLE big (id bigint PRIMARY KEY, created timestamptz, qty int, body text)`,
    [],
    'bench',
  );
  console.log(
    `PostgreSQL ${server.version}; ${runs} alternating runs each; building a ${targetMb} MB table...`,
  );
  await growTo(server, targetMb);
  const one = await measure(server, `1x (${targetMb} MB)`);
  console.log(`doubling the table to ${targetMb * 2} MB...`);
  await growTo(server, targetMb * 2);
  const two = await measure(server, `2x (${targetMb * 2} MB)`);
  console.log('');
  console.log(
    `summary: ratio ${one.ratio.toFixed(3)} at 1x, ${two.ratio.toFixed(3)} at 2x; peak RSS ${one.rss.toFixed(1)} MB at 1x, ${two.rss.toFixed(1)} MB at 2x (growth ${(two.rss / one.rss).toFixed(2)}x for 2x the data)`,
  );
  console.log(
    `encrypted: ratio to unencrypted ${one.encRatio.toFixed(3)} at 1x, ${two.encRatio.toFixed(3)} at 2x; peak RSS ${one.encRss.toFixed(1)} MB at 1x, ${two.encRss.toFixed(1)} MB at 2x (growth ${(two.encRss / one.encRss).toFixed(2)}x for 2x the data)`,
  );
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
