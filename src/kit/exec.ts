import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basename } from 'node:path';
import { UserError } from './errors.js';
import { redact } from './secrets.js';
import { formatDuration } from './durations.js';

export interface ExecOptions {
  cwd?: string;
  /** added to (and overriding) process.env; `undefined` values remove a variable */
  env?: Record<string, string | undefined>;
  /** text or a stream written to the child's stdin, then closed */
  stdin?: string | Buffer | Readable;
  /**
   * where stdout goes: 'capture' keeps it (for small outputs), 'ignore' drops it,
   * 'inherit' passes it through, or a Writable sink (file, hash, compressor) that
   * receives it with backpressure, so a dump never sits in memory.
   */
  stdout?: 'capture' | 'ignore' | 'inherit' | Writable;
  /** kill the child after this long (SIGTERM, then SIGKILL 5 s later) */
  timeoutMs?: number;
  /** do not throw on a non-zero exit; the caller reads exitCode */
  allowFailure?: boolean;
  /** called with every stderr line (already redacted) as it arrives */
  onStderrLine?: (line: string) => void;
  /** how many trailing stderr lines an error carries */
  stderrTailLines?: number;
  /** name used in error messages; defaults to the program's basename */
  label?: string;
  /** stops the child (SIGTERM, then SIGKILL 5 s later) when it aborts: a cancelled run */
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** the last stderr lines, redacted */
  stderrTail: string[];
  durationMs: number;
  timedOut: boolean;
}

export class ExecError extends UserError {
  readonly result: ExecResult;
  constructor(message: string, result: ExecResult) {
    super(message);
    this.name = 'ExecError';
    this.result = result;
  }
}

class LineTail {
  private lines: string[] = [];
  private partial = '';
  constructor(
    private readonly max: number,
    private readonly onLine?: (line: string) => void,
  ) {}
  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.add(p);
  }
  end(): void {
    if (this.partial) this.add(this.partial);
    this.partial = '';
  }
  private add(line: string): void {
    const clean = redact(line);
    this.onLine?.(clean);
    if (clean.trim() === '') return;
    this.lines.push(clean);
    if (this.lines.length > this.max) this.lines.shift();
  }
  get(): string[] {
    return [...this.lines];
  }
}

/**
 * Runs argv[0] with argv[1..] — never through a shell — and resolves when it exits and
 * its stdout has been fully consumed. Throws an ExecError carrying the redacted stderr
 * tail when the program exits non-zero (unless allowFailure), is killed or times out.
 */
export async function execArgv(
  argv: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  if (argv.length === 0) throw new Error('execArgv: empty argv');
  const [file, ...args] = argv;
  const label = opts.label ?? basename(file);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) {
    if (v !== undefined) env[k] = v;
  }
  const started = Date.now();
  const stdoutMode = opts.stdout ?? 'capture';
  const child = spawn(file, args, {
    cwd: opts.cwd,
    env,
    stdio: [
      opts.stdin === undefined ? 'ignore' : 'pipe',
      stdoutMode === 'inherit' ? 'inherit' : 'pipe',
      'pipe',
    ],
  });

  const tail = new LineTail(opts.stderrTailLines ?? 20, opts.onStderrLine);
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => tail.push(chunk));

  let captured = '';
  let sinkError: unknown;
  let stdinError: unknown;
  let stdoutDone: Promise<void> = Promise.resolve();
  if (child.stdout) {
    if (stdoutMode === 'capture') {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        captured += chunk;
      });
      stdoutDone = new Promise((resolve) => child.stdout!.on('close', () => resolve()));
    } else if (stdoutMode === 'ignore') {
      child.stdout.resume();
    } else if (typeof stdoutMode === 'object') {
      // Caught at once: a sink that fails early (disk full) must not become an unhandled
      // rejection, and the child is stopped rather than left blocked on a full pipe.
      stdoutDone = pipeline(child.stdout, stdoutMode).catch((err: unknown) => {
        sinkError = err;
        child.kill('SIGTERM');
      });
    }
  }

  if (opts.stdin !== undefined && child.stdin) {
    const stdin = child.stdin;
    stdin.on('error', () => {
      // the child may exit without reading its input; its exit code tells the story
    });
    if (typeof opts.stdin === 'string' || Buffer.isBuffer(opts.stdin)) {
      stdin.end(opts.stdin);
    } else {
      // A source that fails mid-stream (a corrupt compressed file) must not leave the child
      // waiting for the rest of its input until the timeout: stop it and report why.
      opts.stdin.once('error', (err: unknown) => {
        stdinError = err;
        stdin.destroy();
        child.kill('SIGTERM');
      });
      opts.stdin.pipe(stdin);
    }
  }

  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timer =
    opts.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
          killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
        }, opts.timeoutMs)
      : undefined;

  let stopped = false;
  const onAbort = (): void => {
    stopped = true;
    child.kill('SIGTERM');
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), 5000);
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  let spawnError: NodeJS.ErrnoException | undefined;
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve) => {
      child.on('error', (err: NodeJS.ErrnoException) => {
        spawnError = err;
        resolve({ code: null, signal: null });
      });
      child.on('close', (code, signal) => resolve({ code, signal }));
    },
  );
  if (timer) clearTimeout(timer);
  if (killTimer) clearTimeout(killTimer);
  opts.signal?.removeEventListener('abort', onAbort);
  tail.end();

  await stdoutDone;

  const result: ExecResult = {
    exitCode: exit.code ?? -1,
    signal: exit.signal,
    stdout: captured,
    stderrTail: tail.get(),
    durationMs: Date.now() - started,
    timedOut,
  };

  if (spawnError) {
    const why =
      spawnError.code === 'ENOENT'
        ? `${label} was not found (${file}); is it installed and on PATH?`
        : `${label} could not be started: ${redact(spawnError.message)}`;
    throw new ExecError(why, result);
  }
  if (stopped) throw new ExecError(`${label} was stopped: the run was cancelled.`, result);
  if (timedOut) {
    throw new ExecError(
      `${label} did not finish within ${formatDuration(opts.timeoutMs ?? 0)} and was stopped.${tailText(result)}`,
      result,
    );
  }
  if (stdinError) {
    const msg = stdinError instanceof Error ? stdinError.message : String(stdinError);
    throw new ExecError(`reading the input of ${label} failed: ${redact(msg)}`, result);
  }
  if (sinkError) {
    const msg = sinkError instanceof Error ? sinkError.message : String(sinkError);
    throw new ExecError(`writing the output of ${label} failed: ${redact(msg)}`, result);
  }
  if (result.exitCode !== 0 && !opts.allowFailure) {
    const how = exit.signal
      ? `was killed by ${exit.signal}`
      : `exited with code ${result.exitCode}`;
    throw new ExecError(`${label} ${how}.${tailText(result)}`, result);
  }
  return result;
}

function tailText(result: ExecResult): string {
  if (result.stderrTail.length === 0) return '';
  return ` Last output: ${result.stderrTail.slice(-5).join(' | ')}`;
}
