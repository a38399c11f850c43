#!/usr/bin/env node
// Type-checks the project, then bundles every src/actions/<name>/index.ts into
// dist/<name>/index.js (ESM) with ncc, and the runbook CLI (src/cli/index.ts) into
// dist/cli/index.js. The actions are found, not listed.
// Usage: node scripts/build.mjs [--no-typecheck] [name ...]
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const typecheck = !args.includes('--no-typecheck');
const only = args.filter((a) => !a.startsWith('--'));

const actionsDir = join(root, 'src/actions');
const all = readdirSync(actionsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(actionsDir, d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();
// entries outside src/actions: dist/<name> built from the file given
const extra = { cli: join(root, 'src/cli/index.ts') };
const known = [...all, ...Object.keys(extra)];
const names = only.length > 0 ? only : known;
for (const n of names) {
  if (!known.includes(n)) {
    console.error(
      `build: no action '${n}' (src/actions/${n}/index.ts); known: ${known.join(', ')}`,
    );
    process.exit(2);
  }
}

const bin = (name) => join(root, 'node_modules/.bin', name);
if (typecheck) {
  console.log('tsc --noEmit');
  execFileSync(bin('tsc'), ['--noEmit', '-p', root], { stdio: 'inherit' });
}

// A full build also removes bundles of actions that no longer exist.
if (only.length === 0 && existsSync(join(root, 'dist'))) {
  for (const d of readdirSync(join(root, 'dist'))) {
    if (!known.includes(d) || d.startsWith('.'))
      rmSync(join(root, 'dist', d), { recursive: true, force: true });
  }
}

for (const name of names) {
  const out = join(root, 'dist', name);
  // Build beside the old bundle and swap only on success, so a failed build keeps the last good one.
  const next = join(root, 'dist', `.${name}.next`);
  rmSync(next, { recursive: true, force: true });
  console.log(`ncc build ${name}`);
  execFileSync(
    bin('ncc'),
    [
      'build',
      extra[name] ?? join(actionsDir, name, 'index.ts'),
      '-o',
      next,
      '--stats-out',
      join(next, '.stats.json'),
      '--quiet',
    ],
    { stdio: 'inherit', cwd: root },
  );
  writeLicenses(next);
  copyWasmAssets(next);
  rmSync(out, { recursive: true, force: true });
  renameSync(next, out);
}

// ncc does not see the .wasm files that Emscripten glue loads at run time (libpg-query:
// locateFile() beside the bundle), so a bundle that names one gets a copy next to it.
function copyWasmAssets(dir) {
  const assets = {
    'libpg-query.wasm': join(root, 'node_modules/libpg-query/wasm/libpg-query.wasm'),
  };
  const chunks = readdirSync(dir).filter((f) => f.endsWith('.js'));
  for (const [name, from] of Object.entries(assets)) {
    if (chunks.some((f) => readFileSync(join(dir, f), 'utf8').includes(name)))
      copyFileSync(from, join(dir, name));
  }
}

// ncc's --license writes one licenses.txt per chunk, each over the last, so a bundle split
// into chunks listed only the last chunk's packages. Instead every package whose code is in
// the bundle (from webpack's stats: module paths under node_modules, concatenated modules
// included) is listed with its license and license text.
function writeLicenses(dir) {
  const statsFile = join(dir, '.stats.json');
  const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
  rmSync(statsFile);
  const packages = new Map(); // name -> directory
  const visit = (modules) => {
    for (const m of modules ?? []) {
      for (const text of [m.name ?? '', m.identifier ?? '']) {
        const re = /node_modules\/((?:@[^/]+\/)?[^/\s!]+)/g;
        let hit;
        while ((hit = re.exec(text)) !== null) {
          const start = text.lastIndexOf(' ', hit.index) + 1;
          const path = text.slice(start, hit.index + hit[0].length).replace(/^.*!/, '');
          const abs = path.startsWith('/') ? path : join(root, path);
          if (!packages.has(hit[1]) && existsSync(join(abs, 'package.json')))
            packages.set(hit[1], abs);
        }
      }
      visit(m.modules);
    }
  };
  visit(stats.modules);
  const entries = [...packages.entries()].sort(([a], [b]) => a.localeCompare(b));
  const parts = entries.map(([name, pkgDir]) => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? '');
    const file = readdirSync(pkgDir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(join(pkgDir, file), 'utf8').trim() : '';
    return `${name}\n${license}\n${text}\n`;
  });
  writeFileSync(join(dir, 'licenses.txt'), parts.join('\n'));
}
