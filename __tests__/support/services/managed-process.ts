/**
 * A managed server process for the test service fixtures: its own process group, output in a
 * log file, stop by PID (stop signal, then SIGKILL), a watchdog against leaks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** waitFor's loop; an error for which `fatal` is true ends the wait at once. */
export async function poll(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  fatal: (err: unknown) => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      if (fatal(err)) throw err;
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      const last = lastError ? ` (last error: ${lastError})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    }
    await sleep(100);
  }
}
/** True while a process with this PID exists (zombies included). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while any process is left in the process group `pgid`. */
export function groupAlive(pgid: number): boolean {
  return pidAlive(-pgid);
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export interface StartProcessOptions {
  /** a short name for messages, e.g. 'postgres' */
  name: string;
  command: string;
  args: string[];
  /** where the log goes (stdout and stderr); usually inside the service's temp dir */
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** the signal stop() sends first; default SIGTERM */
  stopSignal?: NodeJS.Signals;
  /** how long stop() waits before SIGKILL; default 10 s */
  stopTimeoutMs?: number;
  /**
   * removed (after unmounting anything under it) by the watchdog if this test process dies
   * while the server still runs
   */
  cleanupDir?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** the watchdog shell's PID (see startProcess) */
  readonly watchdogPid: number;
  /** the exit status once the process has ended, else undefined */
  readonly exitStatus: ExitStatus | undefined;
  /** resolves when the process has exited (and been reaped) */
  readonly exited: Promise<ExitStatus>;
  /** the last `lines` lines of the log */
  logTail(lines?: number): string;
  /**
   * waitFor() that fails at once if the process exits, and on any failure quotes the
   * last log lines.
   */
  waitReady(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void>;
  /** stopSignal, SIGKILL after stopTimeoutMs, then whatever is left of its process group. */
  stop(): Promise<void>;
  /** sends `signal` (default SIGKILL) to the process and waits for it to exit */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<ManagedProcess>();
const cleanupDirs = new WeakMap<ManagedProcess, string>();
let exitHookInstalled = false;

/** Last resort: the test process is exiting with servers still running. */
function killAllSync(): void {
  for (const p of running) {
    if (p.exitStatus) continue;
    signalQuietly(-p.pid, 'SIGKILL');
    signalQuietly(p.pid, 'SIGKILL');
    const dir = cleanupDirs.get(p);
    if (dir) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // e.g. a killed dockerd's mounts: its watchdog unmounts and removes the dir
      }
    }
  }
  running.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllSync);
}

/**
 * The watchdog: jest runs tests in a sandbox whose process 'exit' listeners never fire, and a
 * worker can be SIGKILLed, so each server gets a tiny shell that polls its owner (this process).
 * If the owner dies while the server's process group is alive, it kills the group and removes
 * the server's dir (also when the 'exit' hook below already killed the group). It exits by
 * itself once the group is gone while the owner lives; stop() also ends it.
 */
const WATCHDOG = `
owner=$1; pgid=$2; dir=$3
while kill -0 -$pgid 2>/dev/null && kill -0 $owner 2>/dev/null; do sleep 1; done
kill -0 $owner 2>/dev/null && exit 0
if kill -0 -$pgid 2>/dev/null; then
  kill -TERM -$pgid 2>/dev/null; sleep 2; kill -KILL -$pgid 2>/dev/null; sleep 0.5
fi
if [ -n "$dir" ] && [ -d "$dir" ]; then
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf "$dir"
fi
`;

function startWatchdog(pgid: number, dir: string | undefined): number {
  const watchdog = spawn(
    '/bin/sh',
    ['-c', WATCHDOG, 'rb-service-watchdog', String(process.pid), String(pgid), dir ?? ''],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.on('error', () => undefined);
  watchdog.unref();
  return watchdog.pid ?? -1;
}

/** The processes started by this module that have not exited yet. */
export function runningProcesses(): ManagedProcess[] {
  return [...running].filter((p) => !p.exitStatus);
}

/** Stops every server this process started (for an afterAll in case a test forgot). */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all(runningProcesses().map((p) => p.stop()));
}

function tailOf(file: string, lines: number): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts a server in its own process group with its output in `logFile`. The process does
 * not keep the test's event loop alive; an 'exit' hook SIGKILLs it if the test process ends
 * first.
 */
export function startProcess(opts: StartProcessOptions): ManagedProcess {
  installExitHook();
  const logFd = openSync(opts.logFile, 'a', 0o644);
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', logFd, logFd],
      detached: true,
    });
  } finally {
    closeSync(logFd);
  }
  let status: ExitStatus | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.on('error', (err) => {
      spawnError = err;
      status = { code: -1, signal: null };
      resolveExit(status);
    });
    child.on('exit', (code, signal) => {
      status = { code, signal };
      resolveExit(status);
    });
  });
  child.unref();
  const pid = child.pid ?? -1;
  const watchdogPid = pid > 0 ? startWatchdog(pid, opts.cleanupDir) : -1;
  const endWatchdog = (): void => {
    if (watchdogPid > 0) signalQuietly(-watchdogPid, 'SIGKILL');
  };
  const stopSignal = opts.stopSignal ?? 'SIGTERM';
  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;

  const waitExit = async (ms: number): Promise<boolean> => {
    if (status) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), ms);
    });
    const done = await Promise.race([exited.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return done;
  };

  const reapGroup = async (): Promise<void> => {
    if (pid <= 0 || !groupAlive(pid)) return;
    signalQuietly(-pid, 'SIGTERM');
    const deadline = Date.now() + 3000;
    while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
    if (groupAlive(pid)) signalQuietly(-pid, 'SIGKILL');
  };

  const proc: ManagedProcess = {
    name: opts.name,
    pid,
    logFile: opts.logFile,
    watchdogPid,
    get exitStatus() {
      return status;
    },
    exited,
    logTail: (lines = 30) => tailOf(opts.logFile, lines),
    async waitReady(check, timeoutMs, what) {
      const fail = (why: string, cause?: unknown): Error =>
        new Error(
          `${opts.name} (pid ${pid}): ${why}\n--- last lines of ${opts.logFile} ---\n${proc.logTail()}`,
          { cause },
        );
      if (spawnError) throw fail(`could not start ${opts.command}: ${spawnError.message}`);
      const guarded = async (): Promise<boolean> => {
        if (status) {
          throw new ExitedError(
            spawnError
              ? `could not start ${opts.command}: ${spawnError.message}`
              : `exited during startup (code ${status.code}, signal ${status.signal})`,
          );
        }
        return check();
      };
      try {
        await poll(guarded, timeoutMs, what, (err) => err instanceof ExitedError);
      } catch (err) {
        throw fail((err as Error).message, err);
      }
    },
    async stop() {
      if (!status && pid > 0) {
        signalQuietly(pid, stopSignal);
        if (!(await waitExit(stopTimeoutMs))) {
          signalQuietly(-pid, 'SIGKILL');
          signalQuietly(pid, 'SIGKILL');
          await waitExit(5000);
        }
      }
      await reapGroup();
      endWatchdog();
      running.delete(proc);
    },
    async kill(signal = 'SIGKILL') {
      if (!status && pid > 0) {
        signalQuietly(pid, signal);
        if (!(await waitExit(stopTimeoutMs))) signalQuietly(pid, 'SIGKILL');
        await waitExit(5000);
      }
      if (signal === 'SIGKILL') signalQuietly(-pid, 'SIGKILL');
      await reapGroup();
      endWatchdog();
      running.delete(proc);
    },
  };
  if (pid > 0) running.add(proc);
  if (opts.cleanupDir) cleanupDirs.set(proc, opts.cleanupDir);
  return proc;
}

class ExitedError extends Error {}
