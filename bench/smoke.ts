/**
 * smoke-test benchmark (npm run bench:smoke [-- --rounds 5 --startup-runs 15]).
 *
 * 1. Throughput: 100 independent checks against a local server that answers each after
 *    50 ms, with concurrency 10 and with concurrency 1, alternating in the same run.
 *    Prints the median wall time of each, their ratio, and the concurrent run against
 *    its ideal (100 x 50 ms / 10 = 500 ms). Target: concurrent <= 1.3 x ideal.
 * 2. Start-up: process start to the first request the server receives, for the bundled
 *    action, against a baseline of bare `node` doing one fetch. Target: <= 150 ms median.
 *
 * Runs dist/smoke-test/index.js through the test harness, the way the runner does.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runAction } from '../__tests__/support/run-action.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ROUNDS = arg('rounds', 5);
const STARTUP_RUNS = arg('startup-runs', 15);
const CHECKS = 100;
const DELAY_MS = 50;

interface Recorder {
  server: Server;
  url: string;
  first?: number;
  lastEnd?: number;
  count: number;
  reset(): void;
}

async function startServer(): Promise<Recorder> {
  const rec: Recorder = {
    server: createServer((req, res) => {
      const now = performance.now();
      rec.first ??= now;
      rec.count++;
      const delay = req.url?.startsWith('/work') ? DELAY_MS : 0;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}', () => {
          rec.lastEnd = performance.now();
        });
      }, delay);
    }),
    url: '',
    count: 0,
    reset() {
      rec.first = undefined;
      rec.lastEnd = undefined;
      rec.count = 0;
    },
  };
  rec.server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => rec.server.listen(0, '127.0.0.1', r));
  rec.url = `http://127.0.0.1:${(rec.server.address() as AddressInfo).port}`;
  return rec;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x: number): string => `${x.toFixed(0)} ms`;

interface Sample {
  wallMs: number;
  startupMs: number;
  requestPhaseMs: number;
}

async function runOnce(rec: Recorder, checks: string, concurrency: number): Promise<Sample> {
  rec.reset();
  let spawned = 0;
  const run = await runAction(
    'smoke-test',
    { 'base-url': rec.url, checks, concurrency },
    { onStart: () => (spawned = performance.now()), timeoutMs: 120_000 },
  );
  const ended = performance.now();
  if (run.exitCode !== 0) throw new Error(`smoke-test failed:\n${run.stdout}\n${run.stderr}`);
  if (rec.first === undefined || rec.lastEnd === undefined)
    throw new Error('the server saw no request');
  return {
    wallMs: ended - spawned,
    startupMs: rec.first - spawned,
    requestPhaseMs: rec.lastEnd - rec.first,
  };
}

/** Bare node doing one fetch: the floor any action's start-up is compared with. */
async function baselineOnce(rec: Recorder): Promise<number> {
  rec.reset();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', `await fetch(${JSON.stringify(`${rec.url}/ping`)});`],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((r) => child.on('close', r));
  if (rec.first === undefined) throw new Error('baseline: no request');
  return rec.first - started;
}

async function main(): Promise<void> {
  const rec = await startServer();
  try {
    const many = Array.from(
      { length: CHECKS },
      (_, i) => `- name: check ${i}\n  request: { url: '/work?n=${i}' }`,
    ).join('\n');
    const one = "- name: ping\n  request: { url: '/ping' }";
    console.log(
      `smoke-test bench on Node ${process.versions.node}: ${CHECKS} checks x ${DELAY_MS} ms, ${ROUNDS} rounds`,
    );

    await runOnce(rec, one, 1); // warm the file cache
    const c10: Sample[] = [];
    const c1: Sample[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      c10.push(await runOnce(rec, many, 10));
      if (rec.count !== CHECKS) throw new Error(`expected ${CHECKS} requests, saw ${rec.count}`);
      c1.push(await runOnce(rec, many, 1));
      process.stdout.write(
        `  round ${r + 1}: concurrency 10 ${ms(c10[r].wallMs)}, concurrency 1 ${ms(c1[r].wallMs)}\n`,
      );
    }
    const startup: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < STARTUP_RUNS; i++) {
      startup.push((await runOnce(rec, one, 1)).startupMs);
      baseline.push(await baselineOnce(rec));
    }

    const ideal = (CHECKS * DELAY_MS) / 10;
    const wall10 = median(c10.map((s) => s.wallMs));
    const wall1 = median(c1.map((s) => s.wallMs));
    const phase10 = median(c10.map((s) => s.requestPhaseMs));
    const phase1 = median(c1.map((s) => s.requestPhaseMs));
    const up = median(startup);
    const base = median(baseline);
    console.log('');
    console.log(`concurrency 10: median wall ${ms(wall10)} (requests ${ms(phase10)})`);
    console.log(`concurrency 1:  median wall ${ms(wall1)} (requests ${ms(phase1)})`);
    console.log(
      `ratio concurrency 1 / concurrency 10: ${(wall1 / wall10).toFixed(2)}x wall, ${(phase1 / phase10).toFixed(2)}x requests`,
    );
    console.log(
      `concurrency 10 vs ideal ${ms(ideal)}: ${(wall10 / ideal).toFixed(2)}x wall (target <= 1.30x), ${(phase10 / ideal).toFixed(2)}x requests only`,
    );
    console.log(
      `start-up (process start -> first request), median of ${STARTUP_RUNS}: ${ms(up)} (target <= 150 ms); bare node + fetch ${ms(base)}; ratio ${(up / base).toFixed(2)}x`,
    );
  } finally {
    rec.server.closeAllConnections();
    rec.server.close();
  }
}

await main();
