#!/usr/bin/env node
// Type-checks the project, then bundles every src/actions/<name>/index.ts into
// dist/<name>/index.js (ESM) with ncc, and the runbook CLI (src/cli/index.ts) into
// dist/cli/index.js. The actions are found, not listed.
// Usage: node scripts/build.mjs [--no-typecheck] [name ...]
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
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
      '--license',
      'licenses.txt',
      '--quiet',
    ],
    { stdio: 'inherit', cwd: root },
  );
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
