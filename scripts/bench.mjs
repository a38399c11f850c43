#!/usr/bin/env node
// Runs bench/<name>.ts on Node 24 through tsx: npm run bench:<name> [-- args]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { node24, root } from './node24.mjs';

const [name, ...rest] = process.argv.slice(2);
const file = join(root, 'bench', `${name}.ts`);
if (!name || !existsSync(file)) {
  console.error(`usage: node scripts/bench.mjs <name>  (bench/<name>.ts)`);
  process.exit(2);
}
const node = node24();
const r = spawnSync(node, [join(root, 'node_modules/tsx/dist/cli.mjs'), file, ...rest], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` },
});
process.exit(r.status ?? 1);
