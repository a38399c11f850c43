import { describe, expect, test } from '@jest/globals';
import { execArgv } from '../../src/kit/exec.js';

describe('execArgv and a cancelled run', () => {
  test('the child is stopped when the signal aborts, with an error that says so', async () => {
    const controller = new AbortController();
    const running = execArgv(['sh', '-c', 'echo $$; exec sleep 60'], {
      signal: controller.signal,
      stdout: 'capture',
      label: 'slow tool',
    });
    setTimeout(() => controller.abort(), 200);
    const err = (await running.catch((e: unknown) => e)) as Error & {
      result: { signal: string | null; stdout: string };
    };
    expect(err.message).toBe('slow tool was stopped: the run was cancelled.');
    expect(err.result.signal).toBe('SIGTERM');
    const pid = Number(err.result.stdout.trim());
    // the process is gone: signal 0 only checks that it exists
    expect(() => process.kill(pid, 0)).toThrow();
  });

  test('an already aborted signal stops the child at once', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      execArgv(['sleep', '60'], { signal: controller.signal, label: 'sleep' }),
    ).rejects.toThrow('sleep was stopped: the run was cancelled.');
  });
});
