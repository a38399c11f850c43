import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ExecError, execArgv } from '../../src/kit/exec.js';
import { clearSecretsForTest, registerSecret } from '../../src/kit/secrets.js';
import { scratchDir } from '../support/run-action.js';

let stdout: jest.SpiedFunction<typeof process.stdout.write>;
beforeEach(() => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  stdout.mockRestore();
  clearSecretsForTest();
});

async function failure(p: Promise<unknown>): Promise<ExecError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ExecError) return err;
    throw err;
  }
  throw new Error('expected an ExecError');
}

describe('execArgv', () => {
  test('argv is passed as is — no shell interprets it', async () => {
    const r = await execArgv(['printf', '%s|', 'a b', '$HOME', '; rm -rf /', '`id`']);
    expect(r.stdout).toBe('a b|$HOME|; rm -rf /|`id`|');
    expect(r.exitCode).toBe(0);
  });

  test('extra env reaches the child; undefined removes a variable', async () => {
    process.env.KIT_TEST_REMOVE = 'present';
    const r = await execArgv(['sh', '-c', 'echo "$KIT_A-${KIT_TEST_REMOVE:-gone}"'], {
      env: { KIT_A: 'x', KIT_TEST_REMOVE: undefined },
    });
    delete process.env.KIT_TEST_REMOVE;
    expect(r.stdout.trim()).toBe('x-gone');
  });

  test('stdin text is fed to the child', async () => {
    const r = await execArgv(['cat'], { stdin: 'from stdin' });
    expect(r.stdout).toBe('from stdin');
  });

  test('stdout streams into a sink with backpressure (hash of 20 MB equals the source)', async () => {
    const dir = scratchDir('kit-exec-');
    const file = join(dir, 'out.bin');
    await execArgv(['head', '-c', String(20 * 1024 * 1024), '/dev/zero'], {
      stdout: createWriteStream(file),
    });
    const data = readFileSync(file);
    expect(data.length).toBe(20 * 1024 * 1024);
    expect(createHash('sha256').update(data).digest('hex')).toBe(
      createHash('sha256')
        .update(Buffer.alloc(20 * 1024 * 1024))
        .digest('hex'),
    );
  });

  test('a failing sink fails the run', async () => {
    const broken = new Writable({
      write(_chunk, _enc, cb) {
        cb(new Error('disk full'));
      },
    });
    const e = await failure(execArgv(['head', '-c', '100000', '/dev/zero'], { stdout: broken }));
    expect(e.message).toMatch(/writing the output of head failed: disk full/);
  });

  test('a non-zero exit carries the last stderr lines, redacted', async () => {
    registerSecret('hunter2');
    const e = await failure(
      execArgv(['sh', '-c', 'echo one >&2; echo "password hunter2 rejected" >&2; exit 3'], {
        label: 'pg_dump',
      }),
    );
    expect(e.message).toBe('pg_dump exited with code 3. Last output: one | password *** rejected');
    expect(e.result.exitCode).toBe(3);
  });

  test('allowFailure returns the code instead of throwing', async () => {
    const r = await execArgv(['sh', '-c', 'exit 4'], { allowFailure: true });
    expect(r.exitCode).toBe(4);
  });

  test('a missing program is a clear error', async () => {
    const e = await failure(execArgv(['definitely-not-installed-xyz']));
    expect(e.message).toMatch(/definitely-not-installed-xyz was not found/);
  });

  test('a timeout stops the child and says so', async () => {
    const e = await failure(execArgv(['sleep', '30'], { timeoutMs: 200 }));
    expect(e.message).toMatch(/^sleep did not finish within 200ms and was stopped/);
    expect(e.result.timedOut).toBe(true);
  });

  test('onStderrLine sees each line redacted', async () => {
    registerSecret('tok123');
    const lines: string[] = [];
    await execArgv(['sh', '-c', 'echo a >&2; echo tok123 >&2'], {
      onStderrLine: (l) => lines.push(l),
    });
    expect(lines).toEqual(['a', '***']);
  });
});

describe('execArgv stdin streams', () => {
  test('a failing input stream stops the child instead of leaving it waiting', async () => {
    const { Readable } = await import('node:stream');
    const source = new Readable({
      read() {
        this.push('partial input\n');
        this.destroy(new Error('unexpected end of compressed data'));
      },
    });
    // cat would wait for the rest of its stdin until the 60 s timeout
    const e = await failure(execArgv(['cat'], { stdin: source, timeoutMs: 60_000 }));
    expect(e.message).toBe('reading the input of cat failed: unexpected end of compressed data');
    expect(e.result.timedOut).toBe(false);
  });
});
