import { describe, expect, test } from '@jest/globals';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  deepMerge,
  ensureService,
  freePort,
  groupAlive,
  pidAlive,
  randomPassword,
  removeDir,
  runTool,
  startProcess,
  tempDir,
  waitFor,
  type ServiceName,
} from '../support/services/common.js';

describe('freePort', () => {
  test('returns a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('tempDir', () => {
  test('creates distinct private directories with the prefix', async () => {
    const a = tempDir('rb-common');
    const b = tempDir('rb-common');
    try {
      expect(a).not.toBe(b);
      expect(a).toMatch(/\/rb-common-[^/]+$/);
      expect(statSync(a).mode & 0o777).toBe(0o700);
    } finally {
      await removeDir(a);
      await removeDir(b);
    }
    expect(existsSync(a)).toBe(false);
  });
});

describe('waitFor', () => {
  test('resolves once the check turns true', async () => {
    let calls = 0;
    await waitFor(async () => ++calls >= 3, 5000, 'three calls');
    expect(calls).toBe(3);
  });

  test('times out naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        async () => {
          throw new Error('connection refused');
        },
        300,
        'the thing',
      ),
    ).rejects.toThrow(/waiting for the thing \(last error: connection refused\)/);
  });
});

describe('ensureService', () => {
  test('accepts an installed service', () => {
    expect(() => ensureService('sqlite')).not.toThrow();
  });

  test('names what went wrong for an unknown service', () => {
    expect(() => ensureService('no-such-service' as ServiceName)).toThrow(
      /service 'no-such-service' is not available: .*unknown service 'no-such-service'/,
    );
  });
});

describe('deepMerge', () => {
  test('merges objects recursively and replaces everything else', () => {
    const merged = deepMerge(
      { http: { addr: 'a', headers: { x: ['1'] } }, list: [1, 2], keep: true },
      { http: { headers: { y: ['2'] } }, list: [3], auth: { token: { realm: 'r' } } },
    );
    expect(merged).toEqual({
      http: { addr: 'a', headers: { x: ['1'], y: ['2'] } },
      list: [3],
      keep: true,
      auth: { token: { realm: 'r' } },
    });
  });
});

describe('randomPassword', () => {
  test('holds URL-special characters and survives encodeURIComponent', () => {
    const pw = randomPassword();
    expect(pw).toMatch(/[@:/%?#&+]/);
    expect(decodeURIComponent(encodeURIComponent(pw))).toBe(pw);
    expect(randomPassword()).not.toBe(pw);
  });
});

describe('runTool', () => {
  test('feeds stdin and returns stdout', async () => {
    expect(await runTool('cat', [], { input: 'hello' })).toBe('hello');
  });

  test('fails with the tool stderr', async () => {
    await expect(runTool('sh', ['-c', 'echo broken >&2; exit 3'])).rejects.toThrow(
      /code 3[\s\S]*broken/,
    );
  });
});

describe('startProcess', () => {
  test('logs to a file and stops with the stop signal', async () => {
    const dir = tempDir('rb-proc');
    try {
      const proc = startProcess({
        name: 'echoer',
        command: 'sh',
        args: [
          '-c',
          'echo started; trap "echo got-term; exit 0" TERM; while :; do sleep 0.1; done',
        ],
        logFile: join(dir, 'log'),
      });
      await proc.waitReady(async () => proc.logTail().includes('started'), 5000, 'start');
      expect(pidAlive(proc.pid)).toBe(true);
      expect(pidAlive(proc.watchdogPid)).toBe(true);
      await proc.stop();
      expect(proc.exitStatus).toEqual({ code: 0, signal: null });
      expect(proc.logTail()).toContain('got-term');
      expect(pidAlive(proc.pid)).toBe(false);
      expect(groupAlive(proc.pid)).toBe(false);
      await waitFor(async () => !pidAlive(proc.watchdogPid), 5000, 'the watchdog to end');
    } finally {
      await removeDir(dir);
    }
  });

  test('SIGKILLs a process ignoring the stop signal, with its children', async () => {
    const dir = tempDir('rb-proc');
    try {
      const proc = startProcess({
        name: 'stubborn',
        command: 'sh',
        args: ['-c', 'trap "" TERM; sleep 300 & echo $! > child.pid; echo ready; wait'],
        cwd: dir,
        logFile: join(dir, 'log'),
        stopTimeoutMs: 500,
      });
      await proc.waitReady(async () => proc.logTail().includes('ready'), 5000, 'start');
      await proc.stop();
      expect(proc.exitStatus?.signal).toBe('SIGKILL');
      expect(pidAlive(proc.pid)).toBe(false);
      await waitFor(async () => !groupAlive(proc.pid), 5000, 'the process group to end');
    } finally {
      await removeDir(dir);
    }
  });

  test('a startup failure quotes the last log lines', async () => {
    const dir = tempDir('rb-proc');
    try {
      writeFileSync(join(dir, 'x'), '');
      const proc = startProcess({
        name: 'crasher',
        command: 'sh',
        args: ['-c', 'echo "FATAL: could not bind"; exit 2'],
        logFile: join(dir, 'log'),
      });
      await expect(proc.waitReady(async () => false, 10_000, 'never ready')).rejects.toThrow(
        /crasher \(pid \d+\): exited during startup \(code 2[\s\S]*FATAL: could not bind/,
      );
      await proc.stop();
    } finally {
      await removeDir(dir);
    }
  });

  test('the watchdog kills the server and removes its dir when the owner dies', async () => {
    const dir = tempDir('rb-proc');
    const serverDir = join(dir, 'server');
    // an owner process that starts a server through startProcess and then dies by SIGKILL
    const script = join(dir, 'owner.mts');
    writeFileSync(
      script,
      [
        `import { mkdirSync, writeFileSync } from 'node:fs';`,
        `import { startProcess } from ${JSON.stringify(new URL('../support/services/common.ts', import.meta.url).pathname)};`,
        `mkdirSync(${JSON.stringify(serverDir)});`,
        `const p = startProcess({ name: 'orphan', command: 'sleep', args: ['300'], logFile: ${JSON.stringify(join(serverDir, 'log'))}, cleanupDir: ${JSON.stringify(serverDir)} });`,
        `writeFileSync(${JSON.stringify(join(dir, 'pid'))}, String(p.pid));`,
        `process.kill(process.pid, 'SIGKILL');`,
      ].join('\n'),
    );
    try {
      await runTool(process.execPath, ['--import', 'tsx', script], {
        cwd: new URL('../..', import.meta.url).pathname,
      }).catch(() => undefined);
      const pid = Number((await runTool('cat', [join(dir, 'pid')])).trim());
      expect(pid).toBeGreaterThan(0);
      await waitFor(async () => !pidAlive(pid), 15_000, 'the orphaned server to be killed');
      await waitFor(async () => !existsSync(serverDir), 10_000, 'its dir to be removed');
    } finally {
      await removeDir(dir);
    }
  });
});
