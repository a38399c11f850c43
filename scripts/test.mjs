#!/usr/bin/env node
// The one test command (npm test): installs missing service packages, rebuilds the
// bundles the integration tests run, then runs jest on Node 24 and prints one closing
// line "tests: N passed, N failed".
// Extra arguments go to jest: npm test -- __tests__/kit
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { node24, root } from './node24.mjs';

const node = node24();
const env = {
  ...process.env,
  PATH: `${dirname(node)}:${process.env.PATH}`,
  NODE_OPTIONS:
    `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings=ExperimentalWarning`.trim(),
};

function run(args) {
  const r = spawnSync(node, args, { stdio: 'inherit', cwd: root, env });
  return r.status ?? 1;
}

const jestArgs = process.argv.slice(2);
if (!process.env.SKIP_INSTALL) {
  const code = run([join(root, 'scripts/install-services.mjs')]);
  if (code !== 0) process.exit(code);
}
if (!process.env.SKIP_BUILD) {
  const code = run([join(root, 'scripts/build.mjs')]);
  if (code !== 0) process.exit(code);
}
const resultDir = mkdtempSync(join(tmpdir(), 'jest-results-'));
const resultFile = join(resultDir, 'results.json');
const code = run([
  join(root, 'node_modules/jest/bin/jest.js'),
  '--json',
  `--outputFile=${resultFile}`,
  ...jestArgs,
]);
if (existsSync(resultFile)) {
  const r = JSON.parse(readFileSync(resultFile, 'utf8'));
  const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  console.log(`tests: ${r.numPassedTests} passed, ${failed} failed`);
}
rmSync(resultDir, { recursive: true, force: true });
process.exit(code);
