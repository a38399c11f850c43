#!/usr/bin/env node
// The one test command (npm test): installs missing service packages, rebuilds the
// bundles the integration tests run, then runs jest on Node 24.
// Extra arguments go to jest: npm test -- __tests__/kit
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { node24, root } from './node24.mjs';

const node = node24();
const env = {
  ...process.env,
  PATH: `${dirname(node)}:${process.env.PATH}`,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings=ExperimentalWarning`.trim(),
};

function run(args, extraEnv = {}) {
  const r = spawnSync(node, args, { stdio: 'inherit', cwd: root, env: { ...env, ...extraEnv } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const jestArgs = process.argv.slice(2);
if (!process.env.SKIP_INSTALL) run([join(root, 'scripts/install-services.mjs')]);
if (!process.env.SKIP_BUILD) run([join(root, 'scripts/build.mjs')]);
run([join(root, 'node_modules/jest/bin/jest.js'), ...jestArgs]);
