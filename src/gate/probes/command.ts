import { spawn } from 'node:child_process';
import { formatDuration } from '../../kit/durations.js';
import { redact } from '../../kit/secrets.js';
import { outputFailure } from '../probe-conditions.js';
import type { CommandProbeSpec, ProbeResult } from '../types.js';
import type { Probe } from './probe.js';

/** The way a `run:` step with `shell: bash` starts a script. */
export function commandArgv(run: string): string[] {
  return ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', run];
}

// what a log probe reads of the script's stdout (the end of it, where the newest lines are)
const MAX_OUTPUT = 256 * 1024;

/**
 * Runs the script; exit code 0 is a good sample, and with `output:` its stdout must meet the
 * conditions too. Not kit execArgv: a timeout or the gate
 * stopping must kill the script's whole process group (a `sleep` under bash would otherwise
 * hold the pipes open until it ends), and a failure is a sample, never an exception.
 */
export function commandProbe(spec: CommandProbeSpec): Probe {
  return {
    spec,
    sample: (stop: AbortSignal) => runScript(spec, stop),
  };
}

function runScript(spec: CommandProbeSpec, stop: AbortSignal): Promise<ProbeResult | undefined> {
  const [file, ...args] = commandArgv(spec.run);
  const started = performance.now();
  return new Promise((resolve) => {
    if (stop.aborted) return resolve(undefined);
    const wantOutput = spec.output !== undefined;
    const child = spawn(file, args, {
      stdio: ['ignore', wantOutput ? 'pipe' : 'ignore', 'pipe'],
      detached: true,
    });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      if (stdout.length > 2 * MAX_OUTPUT) stdout = stdout.slice(-MAX_OUTPUT);
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-4096);
    });
    let timedOut = false;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, spec.timeoutMs);
    const onStop = (): void => killGroup();
    stop.addEventListener('abort', onStop, { once: true });
    const finish = (result: ProbeResult | undefined): void => {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
      resolve(result);
    };
    child.on('error', (err) => {
      finish({
        ok: false,
        durationMs: performance.now() - started,
        error: `could not start bash: ${redact(err.message)}`,
      });
    });
    child.on('close', (code, signal) => {
      const durationMs = performance.now() - started;
      if (stop.aborted) return finish(undefined);
      if (timedOut) {
        return finish({
          ok: false,
          durationMs,
          error: `did not finish within ${formatDuration(spec.timeoutMs)}`,
        });
      }
      if (code === 0) {
        if (!spec.output) return finish({ ok: true, durationMs });
        const { error, value } = outputFailure(spec.output, stdout.slice(-MAX_OUTPUT));
        return finish({
          ok: error === undefined,
          durationMs,
          value,
          error: error && redact(error),
        });
      }
      const last = lastLine(stderr);
      const how = signal ? `killed by ${signal}` : `exit code ${code}`;
      finish({ ok: false, durationMs, error: last ? `${how}: ${last}` : how });
    });
  });
}

function lastLine(text: string): string {
  const lines = redact(text)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const line = lines[lines.length - 1] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
