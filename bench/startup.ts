/**
 * Start-up cost of every bundled action against GitHub's TypeScript-template baseline:
 * a bundle holding only @actions/core that reads an input and sets an output.
 * Each action runs with no inputs, so it evaluates its bundle and stops at the first
 * required input — the cost every run pays before doing any work.
 * Target (DESIGN.md §2): every action within 1.1x of the baseline.
 *   npm run bench:startup [-- runs]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 21);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function buildBaseline(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  const src = join(root, 'bench', '.out');
  execFileSync('mkdir', ['-p', src]);
  const entry = join(src, 'core-only.ts');
  writeFileSync(
    entry,
    "import * as core from '@actions/core';\nconst v = core.getInput('who') || 'world';\ncore.setOutput('greeting', `hello ${v}`);\n",
  );
  execFileSync(join(root, 'node_modules/.bin/ncc'), ['build', entry, '-o', dir, '--quiet'], {
    cwd: root,
  });
  return join(dir, 'index.js');
}

function timeOnce(file: string, tmp: string): number {
  const out = join(tmp, 'out');
  const env: Record<string, string | undefined> = {
    ...process.env,
    GITHUB_OUTPUT: out,
    RUNNER_TEMP: tmp,
  };
  for (const k of Object.keys(env)) if (k.startsWith('INPUT_')) delete env[k];
  writeFileSync(out, '');
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, [file], { env, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const baseline = buildBaseline();
const actions = readdirSync(join(root, 'dist')).filter((d) =>
  existsSync(join(root, 'dist', d, 'index.js')),
);
const tmp = mkdtempSync(join(tmpdir(), 'bench-startup-run-'));
const times: Record<string, number[]> = { baseline: [] };
for (const a of actions) times[a] = [];
for (let i = 0; i < runs; i++) {
  times.baseline.push(timeOnce(baseline, tmp));
  for (const a of actions) times[a].push(timeOnce(join(root, 'dist', a, 'index.js'), tmp));
}
const base = median(times.baseline);
console.log(`node ${process.version}, ${runs} runs each, alternating`);
console.log(`${'bundle'.padEnd(20)} ${'median ms'.padStart(10)} ${'ratio'.padStart(7)}`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  const flag = name !== 'baseline' && m / base > 1.1 ? '  over 1.1x' : '';
  console.log(
    `${name.padEnd(20)} ${m.toFixed(1).padStart(10)} ${(m / base).toFixed(2).padStart(7)}${flag}`,
  );
}
