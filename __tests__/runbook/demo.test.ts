import { expect, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot, scratchDir } from '../support/run-action.js';

/** `npm run demo` from a clean copy of the repository (its files, dist and node_modules). */
test('npm run demo ends with its success line and leaves nothing behind', async () => {
  const copy = scratchDir('runbook-demo-copy-');
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f !== '' && existsSync(join(repoRoot, f)));
  for (const f of files) {
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    cpSync(join(repoRoot, f), join(copy, f));
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'));
  const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
    const child = spawn(process.execPath, [join(copy, 'scripts/demo.mjs')], {
      cwd: copy,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (text += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (text += c));
    child.on('close', (c) => resolve({ code: c ?? -1, out: text }));
  });
  const lines = out.trim().split('\n');
  expect({ code, last: lines.at(-1) }).toEqual({
    code: 0,
    last: expect.stringMatching(
      /^✓ demo: everything worked — v2 released, v3 rolled back automatically, data equal to the backup/,
    ),
  });
  expect(out).toContain('✓ the app serves v2 again (it says v2)');
  const home = /the shop in (\S+), on 127\.0\.0\.1:(\d+)/.exec(out);
  expect(home).not.toBeNull();
  expect(existsSync(home![1])).toBe(false);
  // the app was stopped: nothing answers on its port any more
  await expect(fetch(`http://127.0.0.1:${home![2]}/healthz`)).rejects.toThrow();
});
