import { Writable } from 'node:stream';
import { execArgv } from '../kit/exec.js';
import { bashArgv } from '../migrations/command/tool.js';

/**
 * Runs a deploy command or a hook like a `run:` step: `bash -c` with the command as
 * written, the release's facts in RUNBOOK_* variables. Output is passed on line by line;
 * a command that starts a server must send the server's output elsewhere (`> app.log 2>&1 &`),
 * or the step waits for it.
 */
export async function runShell(
  command: string,
  opts: {
    cwd: string;
    env: Record<string, string | undefined>;
    timeoutMs: number;
    label: string;
    log: (line: string) => void;
    /** kills the command (the CLI's Ctrl-C) */
    signal?: AbortSignal;
  },
): Promise<number> {
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const parts = (partial + chunk.toString('utf8')).split(/\r?\n/);
      partial = parts.pop() ?? '';
      for (const p of parts) opts.log(p);
      done();
    },
    final(done) {
      if (partial) opts.log(partial);
      done();
    },
  });
  const inputs: Record<string, undefined> = {};
  for (const k of Object.keys(process.env))
    if (k.startsWith('INPUT_') || k.startsWith('STATE_')) inputs[k] = undefined;
  const r = await execArgv(bashArgv(command), {
    cwd: opts.cwd,
    env: { ...inputs, ...opts.env },
    stdout: sink,
    timeoutMs: opts.timeoutMs,
    onStderrLine: opts.log,
    label: opts.label,
    signal: opts.signal,
  });
  return r.durationMs;
}
